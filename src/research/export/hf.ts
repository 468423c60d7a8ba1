import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import type { LocalizedText } from "../../core/study/schema.js";
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
import { writePairs, writeParquet } from "./flat-writers.js";

/**
 * A folder ready to publish as a Hugging Face dataset: data/ holds the CA-1
 * files, the flat table as Parquet and the pairwise preferences as CSV;
 * README.md is the dataset card, its YAML header declaring one `config` per
 * file so `load_dataset(path, "annotators")` works.
 */

export const HF_DATA_FILES = {
  comparisons: `data/${CA1_FILES.comparisons}`,
  annotators: `data/${CA1_FILES.annotators}`,
  merged: `data/${CA1_FILES.merged}`,
  assessments: "data/assessments.parquet",
  pairs: "data/pairs.csv",
} as const;

export interface HfOptions {
  license: string;
}

export interface HfCounts {
  ca1: ExportCounts;
  flat: ExportCounts;
  pairs: ExportCounts;
}

export async function writeHf(context: ExportContext, folder: string, options: HfOptions): Promise<HfCounts> {
  ensureFolder(join(folder, "data"));
  const ca1 = await writeCa1(context, join(folder, "data"));
  const flat = writeParquet(context, join(folder, HF_DATA_FILES.assessments));
  const pairs = await writePairs(context, join(folder, HF_DATA_FILES.pairs));
  const counts = { ca1, flat, pairs };
  writeFileSync(join(folder, "README.md"), datasetCard(context, counts, options));
  return counts;
}

function sizeCategory(n: number): string {
  if (n < 1_000) return "n<1K";
  if (n < 10_000) return "1K<n<10K";
  if (n < 100_000) return "10K<n<100K";
  if (n < 1_000_000) return "100K<n<1M";
  return "1M<n<10M";
}

function textOf(text: LocalizedText, language: string): string {
  return typeof text === "string" ? text : (text[language] ?? Object.values(text)[0] ?? "");
}

function fieldTable(fields: readonly FieldDoc[]): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  return ["| Field | Description |", "|---|---|", ...fields.map(([n, d]) => `| \`${cell(n)}\` | ${cell(d)} |`)].join(
    "\n",
  );
}

export function datasetCard(context: ExportContext, counts: HfCounts, options: HfOptions): string {
  const studies = context.scope.studies;
  const primary = studies[0];
  const title = primary ? textOf(primary.title, primary.language) : "Chorus collective-alignment survey";
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
    configs: [
      { config_name: "comparisons", data_files: [{ split: "train", path: HF_DATA_FILES.comparisons }], default: true },
      { config_name: "annotators", data_files: [{ split: "train", path: HF_DATA_FILES.annotators }] },
      { config_name: "merged_comparisons_annotators", data_files: [{ split: "train", path: HF_DATA_FILES.merged }] },
      { config_name: "assessments", data_files: [{ split: "train", path: HF_DATA_FILES.assessments }] },
      { config_name: "pairs", data_files: [{ split: "train", path: HF_DATA_FILES.pairs }] },
    ],
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
\`merged_comparisons_annotators.jsonl\`; a flat table (\`assessments.parquet\`, one row per
assessment block) and the pairwise preferences each ranking implies (\`pairs.csv\`) come alongside.

Studies: ${studies.map((study) => `\`${study.id}\` (version ${study.version})`).join(", ") || "none"}${since}.

## Counts

| | |
|---|---|
| Prompts (scenarios with at least one assessment) | ${counts.ca1.prompts} |
| Annotators | ${counts.ca1.annotators} |
| Assessments | ${counts.ca1.assessments} |
| Assessment blocks (rows of assessments.parquet) | ${counts.flat.rows} |
| Pairwise preferences (rows of pairs.csv) | ${counts.pairs.rows} |
| Candidate responses per prompt | 4 (A–D) |

## Collection method

Participants met a survey bot on Telegram or Slack (or a terminal pilot) and gave informed consent
(declining keeps nothing but the refusal)${screened ? ", passed a short screening (e.g. a reading check)" : ""}, answered
profile questions (each with "prefer not to say")${quotas ? " and were admitted subject to demographic quotas" : ""}. Each then worked
through assigned scenarios, fewest-assessed first: the prompt, then the four candidate responses
one at a time in an order shuffled per participant (\`shown_order\`), a ranking from best to worst
with ties allowed (\`world\`: how an AI should answer anyone; \`personal\`: what they would prefer,
in the long form), a rationale in whatever language they write best, and optionally which responses
are unacceptable and why. Rankings are stored in canonical labels A–D whatever the display order.

Participants appear only under \`annotator_id\`, a keyed hash (HMAC-SHA256) of a random participant
id; chat-platform ids never leave the database. Participants who withdrew were deleted before this
export and do not appear. Rationales are verbatim and may contain anything a participant typed.

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

### merged_comparisons_annotators.jsonl (one line per prompt × annotator)

${fieldTable(MERGED_FIELDS)}

### assessments.parquet (one row per assessment block)

${fieldTable(FLAT_FIELDS)}

### pairs.csv (six rows per ranking)

${fieldTable(PAIR_FIELDS)}

## Loading

\`\`\`python
from datasets import load_dataset
comparisons = load_dataset("path/to/this/folder", "comparisons", split="train")
flat = load_dataset("path/to/this/folder", "assessments", split="train").to_pandas()
\`\`\`
`;
}
