import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import { ensureFolder } from "../../files.js";
import { CA1_FILES, writeCa1 } from "./ca1.js";
import type { ExportContext, ExportCounts } from "./context.js";
import {
  ANNOTATOR_FIELDS,
  COMPARISON_FIELDS,
  type FieldDoc,
  FLAT_FIELDS,
  MERGED_FIELDS,
  PAIR_FIELDS,
} from "./fields.js";
import { flatColumns } from "./flat.js";
import { PAIR_COLUMNS, writeFlatJsonl, writePairs } from "./flat-writers.js";
import {
  annotatorsFeatures,
  comparisonsFeatures,
  type Field,
  flatFeatures,
  hasEmptyStruct,
  mergedFeatures,
  pairFeatures,
  yamlFields,
} from "./hf-features.js";
import { textIn } from "./localized.js";
import { describeRedactions, type RedactionCounts } from "./redact.js";

/**
 * A folder ready to publish as a Hugging Face dataset: data/ holds one JSON
 * Lines file per config (the three CA-1 files, the flat table and the
 * pairwise preferences); README.md is the dataset card. Every config has
 * files of the same format because `datasets` picks one builder for a
 * folder, from the first config's files, and reads every config with it;
 * the card's YAML declares each config's `data_files` and its `features`,
 * so each config loads with `load_dataset(folder, "annotators")`.
 */

export const HF_CONFIGS = {
  comparisons: `data/${CA1_FILES.comparisons}`,
  annotators: `data/${CA1_FILES.annotators}`,
  /** The config name CA-1 uses (its file keeps the plural, as in CA-1). */
  merged_comparison_annotators: `data/${CA1_FILES.merged}`,
  assessments: "data/assessments.jsonl",
  pairs: "data/pairs.jsonl",
} as const;
export type HfConfig = keyof typeof HF_CONFIGS;

interface HfOptions {
  license: string;
}

interface HfCounts {
  ca1: ExportCounts;
  flat: ExportCounts;
  pairs: ExportCounts;
}

export async function writeHf(context: ExportContext, folder: string, options: HfOptions): Promise<HfCounts> {
  ensureFolder(join(folder, "data"));
  const ca1 = await writeCa1(context, join(folder, "data"));
  const flat = await writeFlatJsonl(context, join(folder, HF_CONFIGS.assessments));
  const pairs = await writePairs(context, join(folder, HF_CONFIGS.pairs), "jsonl");
  const counts = { ca1, flat, pairs };
  writeFileSync(join(folder, "README.md"), datasetCard(context, counts, options));
  return counts;
}

/** Each config's fields as the card's `dataset_info` declares them. */
function hfFeatures(context: ExportContext): Record<HfConfig, Field[]> {
  return {
    comparisons: comparisonsFeatures(context.scope),
    annotators: annotatorsFeatures(context.scope),
    merged_comparison_annotators: mergedFeatures(context.scope),
    assessments: flatFeatures(flatColumns(context.scope)),
    pairs: pairFeatures(PAIR_COLUMNS),
  };
}

/** The field dictionary of each hf data file (the card and the codebook print them). */
export const HF_FIELD_DOCS: Record<HfConfig, readonly FieldDoc[]> = {
  comparisons: COMPARISON_FIELDS,
  annotators: ANNOTATOR_FIELDS,
  merged_comparison_annotators: MERGED_FIELDS,
  assessments: FLAT_FIELDS,
  pairs: PAIR_FIELDS,
};

function sizeCategory(n: number): string {
  if (n < 1_000) return "n<1K";
  if (n < 10_000) return "1K<n<10K";
  if (n < 100_000) return "10K<n<100K";
  if (n < 1_000_000) return "100K<n<1M";
  return "1M<n<10M";
}

function fieldTable(fields: readonly FieldDoc[]): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  return ["| Field | Description |", "|---|---|", ...fields.map(([n, d]) => `| \`${cell(n)}\` | ${cell(d)} |`)].join(
    "\n",
  );
}

function datasetCard(context: ExportContext, counts: HfCounts, options: HfOptions): string {
  const features = hfFeatures(context);
  const studies = context.scope.studies;
  const primary = studies[0];
  const title = primary ? textIn(primary.title, primary.language) : "Chorus collective-alignment survey";
  const rationaleLanguages = [...counts.ca1.rationaleLanguages].sort((a, b) => b[1] - a[1]);
  const languages = [
    ...new Set([
      ...studies.map((study) => study.language.split("-")[0] as string),
      ...rationaleLanguages.map(([language]) => language),
    ]),
  ];
  const header = {
    pretty_name: title,
    license: options.license,
    language: languages,
    size_categories: [sizeCategory(counts.ca1.assessments)],
    tags: ["human-feedback", "preference", "ranking", "collective-alignment", "pluralistic-alignment"],
    configs: (Object.entries(HF_CONFIGS) as [HfConfig, string][]).map(([name, path]) => ({
      config_name: name,
      data_files: [{ split: "train", path }],
      ...(name === "comparisons" ? { default: true } : {}),
    })),
    dataset_info: (Object.entries(features) as [HfConfig, Field[]][])
      .filter(([, fields]) => !hasEmptyStruct(fields))
      .map(([name, fields]) => ({ config_name: name, features: yamlFields(fields) })),
  };
  const screened = studies.some((study) => study.screening.length > 0);
  const quotas = studies.some((study) => study.quota !== undefined);
  const since = context.scope.since ? ` completed on or after ${context.scope.since}` : "";
  const languageLines = rationaleLanguages.map(([language, n]) => `| ${language} | ${n} |`);
  return `---
${toYaml(header).trimEnd()}
---

# ${title}

Human rankings of AI responses to value-sensitive prompts, with the participants' own rationales,
collected in chat apps with Chorus, an open-source survey system. The files follow the layout of OpenAI's
public collective-alignment dataset (CA-1): \`comparisons.jsonl\`, \`annotators.jsonl\`,
\`merged_comparisons_annotators.jsonl\`; a flat table (\`assessments.jsonl\`, one row per
assessment block) and the pairwise preferences each ranking implies (\`pairs.jsonl\`) come alongside.
Every file is JSON Lines, one config each (\`${Object.keys(HF_CONFIGS).join("`, `")}\`).
\`codebook.md\` and \`codebook.json\` hold the questionnaire: consent and screening texts, every
profile question with its options in every language, and the wording of each ranking question.

Studies: ${studies.map((study) => `\`${study.id}\` (version ${study.version})`).join(", ") || "none"}${since}.

## Counts

| | |
|---|---|
| Prompts (scenarios with at least one assessment) | ${counts.ca1.prompts} |
| Annotators | ${counts.ca1.annotators} |
| Assessments | ${counts.ca1.assessments} |
| Assessment blocks (rows of assessments.jsonl) | ${counts.flat.rows} |
| Pairwise preferences (rows of pairs.jsonl) | ${counts.pairs.rows} |
| Candidate responses per prompt | 4 (A–D) |

## Collection method

Participants met a survey bot on Telegram or Slack (or a terminal pilot) and gave informed consent
(declining keeps nothing but the refusal)${screened ? ", passed a short screening (e.g. a reading check)" : ""}, answered
profile questions (each with "prefer not to say")${quotas ? " and were admitted subject to demographic quotas" : ""}. Each then worked
through assigned scenarios, fewest-assessed first: the prompt, then the four candidate responses
on one card, together or one open at a time (\`layout\`, \`opens\`), in an order shuffled per
participant (\`shown_order\`), a ranking from best to worst
with ties allowed (\`world\`: how an AI should answer anyone; \`personal\`: what they would prefer,
in the long form), a rationale in whatever language they write best, ratings of the prompt itself
where the study asks them, and optionally which responses are unacceptable and why. Rankings are stored in canonical labels A–D whatever the display order.

Participants appear only under \`annotator_id\`, a keyed hash (HMAC-SHA256) of a random participant
id; chat-platform ids never leave the database. Participants who withdrew were deleted before this
export and do not appear. ${redactionNote(counts.flat.redactions)}

## Languages

Scenarios are in ${[...new Set(studies.map((study) => study.language))].join(", ") || "—"}. Interface languages used:
${[...counts.ca1.uiLocales].sort().join(", ") || "—"}. Rationale languages as detected automatically:

| Language | Rationales |
|---|---|
${languageLines.join("\n") || "| — | 0 |"}

## Fields

### comparisons.jsonl (one line per prompt)

${fieldTable(COMPARISON_FIELDS)}

### annotators.jsonl (one line per annotator)

${fieldTable(ANNOTATOR_FIELDS)}

### merged_comparisons_annotators.jsonl (config \`merged_comparison_annotators\`, one line per prompt × annotator)

${fieldTable(MERGED_FIELDS)}

### assessments.jsonl (one row per assessment block)

${fieldTable(FLAT_FIELDS)}

### pairs.jsonl (six rows per ranking)

${fieldTable(PAIR_FIELDS)}

## Loading

\`\`\`python
${LOADING_EXAMPLE}\`\`\`
`;
}

/** The card's loading example; the hf test runs it. */
const LOADING_EXAMPLE = `from datasets import load_dataset

folder = "path/to/this/folder"
comparisons = load_dataset(folder, "comparisons", split="train")
annotators = load_dataset(folder, "annotators", split="train")
merged = load_dataset(folder, "merged_comparison_annotators", split="train")
flat = load_dataset(folder, "assessments", split="train").to_pandas()
pairs = load_dataset(folder, "pairs", split="train").to_pandas()
`;

function redactionNote(redactions: RedactionCounts | null): string {
  if (!redactions) return "Rationales are verbatim and may contain anything a participant typed.";
  return `Rationales were redacted before publication: email addresses, phone numbers, URLs, @handles and chat mention ids are replaced by \`[email]\`, \`[phone]\`, \`[url]\`, \`[handle]\` and \`[mention]\` (${describeRedactions(redactions)}).`;
}
