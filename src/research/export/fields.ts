/**
 * Field descriptions of every export file: the dataset card (hf) prints
 * them, and README.md ("Exports and analyses") says the same in prose.
 */

export type FieldDoc = readonly [name: string, description: string];

const TIMINGS: FieldDoc[] = [
  ["shown_order", "Canonical labels in the order the participant saw them, e.g. `CADB` (C was shown first)."],
  ["form", "`long` (world and personal rankings, unacceptable check) or `short` (world ranking only)."],
  ["position", "0-based position of this scenario in the participant's sequence."],
  ["ui_locale", "The interface language the participant used when answering (BCP 47)."],
  ["started_at", "When the first response was shown (ISO 8601 UTC)."],
  ["reading_done_at", "When the participant finished reading and started ranking."],
  ["completed_at", "When the assessment was complete."],
  ["reading_seconds", "reading_done_at − started_at, in seconds."],
  ["total_seconds", "completed_at − started_at, in seconds."],
];

const BLOCK_ENTRY: FieldDoc[] = [
  ["ranking", "Canonical ranking best-first: `>` separates tiers, `=` joins ties, e.g. `B>A=C>D`."],
  ["rationale", "The participant's explanation, verbatim, in any language."],
  ["rationale_language", "Language detected from the rationale (ISO 639-1), or null."],
  ["rationale_language_confidence", "The detector's confidence, 0–1."],
  ["ranked_at / rationale_at", "When the ranking and the rationale were given."],
  [
    "rationale_parts",
    "How many messages the rationale was collected from (the participant may send it in parts); null before cards.",
  ],
];

const LAYOUT: FieldDoc = [
  "layout",
  "`all`: the four responses were on the card together; `paged`: one open at a time; null for assessments from before cards.",
];

const CARD: FieldDoc[] = [
  LAYOUT,
  [
    "opens",
    "`{A, B, C, D}`: how many times each response (canonical label) was shown before the first ranking was confirmed; null before cards.",
  ],
  [
    "ranked_without_opening_all",
    "Quality flag: true when the layout was `paged` and some response was opened 0 times before ranking; false when every response was opened or the layout was `all`; null when unknown (before cards).",
  ],
];

const RATINGS: FieldDoc[] = [
  [
    "<prompt rating id>",
    "One key per prompt rating of the study (e.g. `importance`): the option id the participant chose, null when not asked. Named `rating_<id>` if the id clashes with another field.",
  ],
  ["<prompt rating id>_label", "That option's label in the study's language (the codebook has every locale)."],
];

export const COMPARISON_FIELDS: FieldDoc[] = [
  ["prompt_id", "The scenario id (unique within a study)."],
  ["study_id", "The Chorus study the scenario belongs to."],
  ["prompt.messages", "The conversation shown to the participant: `[{role, content}]`."],
  ["responses[].response_index", "Canonical label A–D of the candidate response."],
  ["responses[].messages", '`[{role: "assistant", content}]`: the candidate response.'],
  ["metadata.tags", "Scenario tags from the study file."],
  ["metadata.assessments[]", "One entry per annotator who assessed this prompt (fields below)."],
  ["annotator_id", "Pseudonymous annotator: HMAC-SHA256 of the participant id keyed with the export secret, 32 hex."],
  ["assessment_id", "Stable id of the assessment (joins the flat table and pairs)."],
  ["ranking_blocks.world[]", "How the AI should respond to anyone: `{ranking, rationale, ...}`."],
  ["ranking_blocks.personal[]", "What the participant would personally prefer (long form only; else empty)."],
  [
    "ranking_blocks.unacceptable[]",
    '`{rating: ["C is unacceptable", …], rationale}` (the CA-1 key) when any response was judged unacceptable; else empty.',
  ],
  ["unacceptable_asked", "Whether the unacceptable question was asked (false: the empty list means not asked)."],
  ...BLOCK_ENTRY.map(
    ([name, description]): FieldDoc => [
      `ranking_blocks.${name === "rationale_parts" ? "world/personal" : "*"}[].${name}`,
      description,
    ],
  ),
  ...RATINGS,
  ...CARD,
  ...TIMINGS,
];

export const ANNOTATOR_FIELDS: FieldDoc[] = [
  ["annotator_id", "As in comparisons.jsonl."],
  ["demographics", "Profile answers by question id; `prefer_not_to_say`, or null when never answered."],
  ["declared_native_language", "The answer to the study's first language question (e.g. native language)."],
  ["platform", "Where the participant took part: telegram, slack or console."],
  ["study_id", "The study the participant joined."],
  ["assessments[]", "Their assessments: `prompt_id` plus the assessment fields of comparisons.jsonl."],
];

export const MERGED_FIELDS: FieldDoc[] = [
  ["prompt_id, study_id, prompt, responses", "As in comparisons.jsonl."],
  ["annotator_id, demographics, declared_native_language, platform", "As in annotators.jsonl."],
  [
    "ranking_blocks, unacceptable_asked, prompt ratings, layout, opens, …",
    "The assessment fields of comparisons.jsonl.",
  ],
];

export const FLAT_FIELDS: FieldDoc[] = [
  ["study_id, scenario_id", "The scenario (scenario_id = prompt_id of comparisons.jsonl)."],
  ["assessment_id, annotator_id", "As in comparisons.jsonl."],
  ["block", "`world`, `personal` or `unacceptable`: one row per block of an assessment."],
  ["ranking", "Canonical ranking (world/personal rows); empty on unacceptable rows."],
  ["unacceptable_labels", "Unacceptable rows: labels judged unacceptable, comma-separated (`C,D`); empty if none."],
  ["rationale, rationale_language, rationale_language_confidence", "The block's rationale and detected language."],
  [
    "rationale_parts",
    "World/personal rows: how many messages the rationale was collected from; empty on unacceptable rows and before cards.",
  ],
  ["declared_native_language", "The participant's declared native language (profile answer)."],
  ["platform", "telegram, slack or console."],
  ["ranked_at, rationale_at", "When this block's ranking and rationale were given (empty on unacceptable rows)."],
  ...TIMINGS,
  LAYOUT,
  [
    "opens_a … opens_d",
    "How many times response A (… D) was shown before the first ranking was confirmed; empty before cards.",
  ],
  ["ranked_without_opening_all", "`true`, `false` or empty (unknown): as in comparisons.jsonl."],
  [
    "rating_<prompt rating id>",
    "One column per prompt rating of the study (e.g. `rating_importance`): the option id chosen, empty when not asked.",
  ],
  ["<profile question id>", "One column per profile question: the answer, `prefer_not_to_say`, or empty."],
];

export const PAIR_FIELDS: FieldDoc[] = [
  ["study_id, scenario_id, assessment_id, annotator_id", "As in the flat table."],
  ["block", "`world` or `personal`."],
  ["response_a, response_b", "The pair's labels (A<B alphabetically): AB, AC, AD, BC, BD, CD."],
  ["preferred", "The label ranked strictly higher, or `tie` when both are in the same tier."],
];
