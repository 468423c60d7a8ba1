import { writeFileSync } from "node:fs";
import type { LocalizedText, Study } from "../../core/study/schema.js";
import { loadLocaleResources } from "../../i18n/index.js";
import { LOCALES_DIR } from "../../paths.js";
import { PREFER_NOT_TO_SAY } from "./assessment-rows.js";
import type { ExportContext } from "./context.js";
import type { FieldDoc } from "./fields.js";
import { type RatingField, ratingFields } from "./ratings.js";
import { REDACTION_KINDS, type RedactionCounts } from "./redact.js";

/**
 * The codebook written beside every export (codebook.json for programs,
 * codebook.md for people): what each study asked and how, so a published
 * dataset can be understood without the database. Per study: version,
 * consent and screening texts, every profile question and prompt rating
 * with its option ids and labels in every locale, the wording of the ranking, rationale and
 * unacceptable questions as participants saw them (from locales/), the
 * design (forms, blocks, rationale limits, quotas) and the scenarios; then
 * the conventions (ranking notation, special values) and the field
 * dictionary of the files written.
 */

const CODEBOOK_VERSION = 1;

/** The interface texts that are part of the questionnaire, by their locale key. */
const QUESTION_KEYS = {
  world_ranking: "ranking.ask_world",
  personal_ranking: "ranking.ask_personal",
  world_rationale: "rationale.ask_world",
  personal_rationale: "rationale.ask_personal",
  unacceptable: "unacceptable.ask",
  unacceptable_rationale: "unacceptable.why",
  prefer_not_to_say: "profile.prefer_not_to_say",
} as const;

export interface CodebookFile {
  file: string;
  fields: readonly FieldDoc[];
}

interface CodebookInput {
  format: string;
  files: readonly CodebookFile[];
  redactions: RedactionCounts | null;
}

type Translations = Record<string, string>;

function lookup(tree: unknown, key: string): string | undefined {
  let node = tree;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** Each questionnaire text in every locale, with {{max}} filled in as the study set it. */
function questionWording(study: Study): Record<keyof typeof QUESTION_KEYS, Translations> {
  const resources = loadLocaleResources(LOCALES_DIR);
  const wording = {} as Record<keyof typeof QUESTION_KEYS, Translations>;
  for (const [name, key] of Object.entries(QUESTION_KEYS) as [keyof typeof QUESTION_KEYS, string][]) {
    const texts: Translations = {};
    for (const [locale, { translation }] of Object.entries(resources)) {
      const text = lookup(translation, key);
      if (text !== undefined) texts[locale] = text.replaceAll("{{max}}", String(study.rationale.maxChars));
    }
    wording[name] = texts;
  }
  return wording;
}

/** A study author's text as a locale map; a plain string is shown in every locale ("*"). */
function localized(text: LocalizedText): Translations {
  return typeof text === "string" ? { "*": text } : { ...text };
}

function option(o: { id: string; text: LocalizedText }) {
  return { id: o.id, label: localized(o.text) };
}

function studyEntry(study: Study, ratingExports: Map<string, RatingField>) {
  const wording = questionWording(study);
  const { prefer_not_to_say: preferNotToSay, ...questions } = wording;
  return {
    id: study.id,
    version: study.version,
    title: localized(study.title),
    scenario_language: study.language,
    consent: { version: study.consent.version, text: localized(study.consent.text) },
    screening: study.screening.map((question) => ({
      id: question.id,
      text: localized(question.text),
      options: question.options.map(option),
      correct: question.correct,
    })),
    profile: study.profile.map((question) => ({
      id: question.id,
      kind: question.kind,
      text: localized(question.text),
      options: question.options.map(option),
      accepts:
        question.kind === "choice"
          ? "one of the option ids"
          : `any ${question.kind === "country" ? "ISO 3166-1 alpha-2 country" : "ISO 639-1 language"} code (the options are shortcuts)`,
      special_values: {
        [PREFER_NOT_TO_SAY]: { meaning: "the participant chose not to answer", label: preferNotToSay },
        null: "never answered (e.g. the participant stopped before this question)",
      },
    })),
    prompt_ratings: study.promptRatings.map((rating) => {
      const exported = ratingExports.get(rating.id) as RatingField;
      return {
        id: rating.id,
        label: localized(rating.label ?? rating.id),
        text: localized(rating.text),
        options: rating.options.map(option),
        forms: rating.forms,
        exported_as: { key: exported.key, label_key: exported.labelKey, flat_column: exported.column },
        special_values: { null: "not asked (a form that does not ask it, or an assessment from before ratings)" },
      };
    }),
    briefing: localized(study.briefing),
    questions,
    design: {
      scenarios_per_participant: study.assignment.scenariosPerParticipant,
      long_form_tasks: study.assignment.longFormTasks,
      blocks: study.blocks,
      rationale: { min_letters: study.rationale.minLetters, max_chars: study.rationale.maxChars },
      quality: { min_seconds_per_response: study.quality.minSecondsPerResponse },
      quota: study.quota ?? null,
      completion_code: study.completionCode !== undefined,
    },
    scenarios: study.scenarios.map((scenario) => ({
      id: scenario.id,
      tags: scenario.tags,
      reference_ranking: scenario.referenceRanking ?? null,
      attention_check: scenario.attentionCheck ?? null,
      messages: scenario.messages,
      responses: scenario.responses,
    })),
  };
}

const CONVENTIONS = {
  labels: "Candidate responses are A–D (canonical labels); shown_order gives the order a participant saw them in.",
  ranking: "Best first: `>` separates tiers, `=` joins ties, e.g. B>A=C>D.",
  timestamps: "ISO 8601, UTC.",
  annotator_id: "HMAC-SHA256 of a random participant id keyed with the export secret, first 32 hex characters.",
  localized_text: 'A map of locale → text; "*" means the same text was shown in every locale.',
  [PREFER_NOT_TO_SAY]: "A profile question the participant chose not to answer.",
};

function buildCodebook(context: ExportContext, input: CodebookInput) {
  const ratingExports = new Map(ratingFields(context.scope).map((field) => [field.id, field]));
  return {
    codebook_version: CODEBOOK_VERSION,
    generated_at: context.now().toISOString(),
    export: {
      format: input.format,
      studies: context.scope.studies.map((study) => study.id),
      since: context.scope.since,
      redaction: input.redactions
        ? {
            applied: true,
            placeholders: REDACTION_KINDS.map((kind) => `[${kind}]`),
            replacements: input.redactions,
          }
        : { applied: false },
    },
    conventions: CONVENTIONS,
    studies: context.scope.studies.map((study) => studyEntry(study, ratingExports)),
    fields: Object.fromEntries(
      input.files.map(({ file, fields }) => [file, fields.map(([name, description]) => ({ name, description }))]),
    ),
  };
}

type Codebook = ReturnType<typeof buildCodebook>;

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll(/\r?\n/g, " ");
}

function translationsTable(texts: Translations): string[] {
  return ["| Locale | Text |", "|---|---|", ...Object.entries(texts).map(([l, t]) => `| ${l} | ${cell(t)} |`)];
}

/** The same codebook for people: one section per study, then the conventions and fields. */
function codebookMarkdown(codebook: Codebook): string {
  const lines: string[] = [
    "# Codebook",
    "",
    `Export \`${codebook.export.format}\` of ${codebook.export.studies.map((id) => `\`${id}\``).join(", ") || "no study"}, generated ${codebook.generated_at}${codebook.export.since ? `, assessments completed since ${codebook.export.since}` : ""}.`,
    codebook.export.redaction.applied
      ? `Rationales were redacted: ${REDACTION_KINDS.map((kind) => `[${kind}] ×${codebook.export.redaction.replacements?.[kind] ?? 0}`).join(", ")}.`
      : "Rationales are verbatim (not redacted).",
    "",
  ];
  for (const study of codebook.studies) {
    lines.push(`## Study \`${study.id}\`, version ${study.version}`, "", ...translationsTable(study.title), "");
    lines.push(`Scenarios are written in \`${study.scenario_language}\`.`, "");
    lines.push(`### Consent (version ${study.consent.version})`, "", ...translationsTable(study.consent.text), "");
    for (const question of study.screening) {
      lines.push(`### Screening \`${question.id}\` (correct: \`${question.correct}\`)`, "");
      lines.push(...translationsTable(question.text), "", "| Option id | Labels |", "|---|---|");
      for (const o of question.options) lines.push(`| \`${o.id}\` | ${cell(Object.values(o.label).join(" / "))} |`);
      lines.push("");
    }
    for (const question of study.profile) {
      lines.push(`### Profile \`${question.id}\` (${question.kind}; ${question.accepts})`, "");
      lines.push(...translationsTable(question.text), "", "| Value | Labels |", "|---|---|");
      for (const o of question.options) lines.push(`| \`${o.id}\` | ${cell(Object.values(o.label).join(" / "))} |`);
      lines.push(`| \`${PREFER_NOT_TO_SAY}\` | the participant chose not to answer |`);
      lines.push("| (empty / null) | never answered |", "");
    }
    for (const rating of study.prompt_ratings) {
      const { key, label_key: labelKey, flat_column: column } = rating.exported_as;
      lines.push(
        `### Prompt rating \`${rating.id}\` (${Object.values(rating.label).join(" / ")}; asked on ${rating.forms.join(" and ")} tasks)`,
        "",
        `Exported as \`${key}\` and \`${labelKey}\` in the assessment records, as \`${column}\` in the flat table.`,
        "",
      );
      lines.push(...translationsTable(rating.text), "", "| Option id | Labels |", "|---|---|");
      for (const o of rating.options) lines.push(`| \`${o.id}\` | ${cell(Object.values(o.label).join(" / "))} |`);
      lines.push("| (empty / null) | not asked |", "");
    }
    for (const [name, texts] of Object.entries(study.questions)) {
      lines.push(`### Question: ${name.replaceAll("_", " ")}`, "", ...translationsTable(texts), "");
    }
    lines.push("### Design", "", "```json", JSON.stringify(study.design, null, 2), "```", "");
    lines.push(
      `### Scenarios (${study.scenarios.length})`,
      "",
      "Prompts and responses are in codebook.json and comparisons.jsonl.",
      "",
      "| Scenario | Tags | Reference ranking |",
      "|---|---|---|",
      ...study.scenarios.map((s) => `| \`${s.id}\` | ${cell(s.tags.join(", "))} | ${s.reference_ranking ?? ""} |`),
      "",
    );
  }
  lines.push("## Conventions", "", ...Object.entries(codebook.conventions).map(([k, v]) => `- **${k}**: ${v}`), "");
  for (const [file, fields] of Object.entries(codebook.fields)) {
    lines.push(`## Fields of \`${file}\``, "", "| Field | Description |", "|---|---|");
    lines.push(...fields.map(({ name, description }) => `| \`${cell(name)}\` | ${cell(description)} |`), "");
  }
  return `${lines.join("\n")}\n`;
}

/** Writes `<base>.json` and `<base>.md`; returns their paths. */
export function writeCodebook(context: ExportContext, base: string, input: CodebookInput): string[] {
  const codebook = buildCodebook(context, input);
  writeFileSync(`${base}.json`, `${JSON.stringify(codebook, null, 2)}\n`);
  writeFileSync(`${base}.md`, codebookMarkdown(codebook));
  return [`${base}.json`, `${base}.md`];
}
