import { fileWriter, parquetWriteRows, type SchemaElement } from "hyparquet-writer";
import { LABELS } from "../../core/labels.js";
import { fractionalRanks, parseRanking } from "../../core/ranking.js";
import { assessmentPages, assessmentRows, COL } from "./assessment-rows.js";
import { OPENS_COLUMNS } from "./card.js";
import { countLanguages, type ExportContext, type ExportCounts, emptyCounts } from "./context.js";
import { CSV_RECORD_END, csvFields, csvRecord } from "./csv-format.js";
import { flatBlocks, flatColumns, flatContext, flatHead, flatParticipant } from "./flat.js";
import { ratingOptions } from "./ratings.js";
import { textFilter } from "./redact.js";
import { openTextSink } from "./sink.js";

/**
 * Pairwise preferences (CSV or JSON Lines) and the flat table as Parquet or
 * JSON Lines. (The flat CSV has its own module, csv-export.ts.) Each page of assessments is formatted
 * into one string and handed to the sink, which makes the writer wait for
 * 'drain' when the disk is behind.
 */

export const PAIR_COLUMNS = [
  "study_id",
  "scenario_id",
  "assessment_id",
  "annotator_id",
  "block",
  "response_a",
  "response_b",
  "preferred",
] as const;

/**
 * The six pairs (AB, AC, AD, BC, BD, CD) each ranking implies: `preferred`
 * is the label ranked strictly higher, or "tie" when they share a tier.
 */
function rankingPairs(ranking: string): { a: string; b: string; preferred: string }[] {
  const parsed = parseRanking(ranking);
  if (!parsed.ok) throw new Error(`stored ranking "${ranking}" is not a complete ranking of A–D`);
  const ranks = fractionalRanks(parsed.ranking);
  const pairs: { a: string; b: string; preferred: string }[] = [];
  for (let i = 0; i < LABELS.length; i++) {
    for (let j = i + 1; j < LABELS.length; j++) {
      const a = LABELS[i] as (typeof LABELS)[number];
      const b = LABELS[j] as (typeof LABELS)[number];
      pairs.push({ a, b, preferred: ranks[a] < ranks[b] ? a : ranks[b] < ranks[a] ? b : "tie" });
    }
  }
  return pairs;
}

type PairFormat = "csv" | "jsonl";

/** The pairs as CSV (`--format pairs`) or JSON Lines (the hf folder's `pairs` config). */
export async function writePairs(
  context: ExportContext,
  path: string,
  format: PairFormat = "csv",
): Promise<ExportCounts> {
  const counts = emptyCounts();
  const sink = openTextSink(path);
  if (format === "csv") sink.write(csvRecord(PAIR_COLUMNS));
  for (const page of assessmentPages(context.reads, "assessment", context.pageSize)) {
    for (const row of page.rows) {
      const head = flatHead(row, context.annotatorId(row[COL.participant_id] as string));
      const csvHead = format === "csv" ? `${csvFields(head)},` : "";
      let lines = "";
      for (const block of ["world", "personal"] as const) {
        const ranking = row[COL[`${block}_ranking`]] as string | null;
        if (ranking === null) continue;
        for (const pair of rankingPairs(ranking)) {
          lines +=
            format === "csv"
              ? `${csvHead}${block},${pair.a},${pair.b},${pair.preferred}${CSV_RECORD_END}`
              : `${JSON.stringify(recordOf(PAIR_COLUMNS, [...head, block, pair.a, pair.b, pair.preferred]))}\n`;
          counts.rows++;
        }
      }
      countLanguages(row, counts);
      counts.assessments++;
      const wait = sink.write(lines);
      if (wait) await wait;
    }
    context.progress.tick(page.rows.length);
  }
  await sink.end();
  return counts;
}

function recordOf(columns: readonly string[], cells: readonly unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  columns.forEach((name, i) => {
    record[name] = cells[i] ?? null;
  });
  return record;
}

/**
 * Every row of the flat table as cells in flatColumns order (rationales
 * through the context's text filter), tallying into `counts`.
 */
function* flatCells(context: ExportContext, counts: ExportCounts): Generator<unknown[]> {
  const text = textFilter(context.redact);
  counts.redactions = text.counts;
  const ratings = ratingOptions(context.scope);
  for (const { row, participant } of assessmentRows(context, "assessment")) {
    const head = flatHead(row, context.annotatorId(row[COL.participant_id] as string));
    const tail = [...flatContext(row, ratings), ...flatParticipant(participant)];
    for (const block of flatBlocks(row, text)) {
      counts.rows++;
      yield [...head, ...block, ...tail];
    }
    countLanguages(row, counts);
    counts.assessments++;
  }
}

/** The flat table as JSON Lines, one object per block row (the hf folder's `assessments` config). */
export async function writeFlatJsonl(context: ExportContext, path: string): Promise<ExportCounts> {
  const counts = emptyCounts();
  const columns = flatColumns(context.scope);
  const sink = openTextSink(path);
  for (const cells of flatCells(context, counts)) {
    const wait = sink.write(`${JSON.stringify(recordOf(columns, cells))}\n`);
    if (wait) await wait;
  }
  await sink.end();
  return counts;
}

const INTEGER_COLUMNS = new Set(["assessment_id", "position", "rationale_parts", ...OPENS_COLUMNS]);
const BOOLEAN_COLUMNS = new Set(["ranked_without_opening_all"]);
const DOUBLE_COLUMNS = new Set(["rationale_language_confidence", "reading_seconds", "total_seconds"]);
const TIMESTAMP_COLUMNS = new Set(["started_at", "reading_done_at", "ranked_at", "rationale_at", "completed_at"]);
const PARQUET_ROW_GROUP = 50_000;

function parquetSchema(columns: string[]): SchemaElement[] {
  return [
    { name: "root", num_children: columns.length },
    ...columns.map((name): SchemaElement => {
      if (INTEGER_COLUMNS.has(name)) return { name, type: "INT32", repetition_type: "OPTIONAL" };
      if (DOUBLE_COLUMNS.has(name)) return { name, type: "DOUBLE", repetition_type: "OPTIONAL" };
      if (BOOLEAN_COLUMNS.has(name)) return { name, type: "BOOLEAN", repetition_type: "OPTIONAL" };
      if (TIMESTAMP_COLUMNS.has(name)) {
        return {
          name,
          type: "INT64",
          repetition_type: "OPTIONAL",
          logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
        };
      }
      return { name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" };
    }),
  ];
}

/**
 * The flat table as Parquet: timestamps as UTC millisecond TIMESTAMPs,
 * seconds and confidences as DOUBLE, ids, positions and counts as INT32,
 * the flag as BOOLEAN, the rest UTF-8 strings; Snappy-compressed row groups of 50,000 rows. Row groups are
 * pulled from the database one at a time and written synchronously, so at
 * most one row group is in memory.
 */
export function writeParquet(context: ExportContext, path: string): ExportCounts {
  const counts = emptyCounts();
  const columns = flatColumns(context.scope);
  // Profile columns never take these names (a clash is prefixed `profile_`).
  const timestampIndexes = columns.flatMap((name, i) => (TIMESTAMP_COLUMNS.has(name) ? [i] : []));
  function* records(): Generator<Record<string, unknown>> {
    for (const cells of flatCells(context, counts)) {
      for (const i of timestampIndexes) {
        const value = cells[i] as string | null;
        cells[i] = value === null ? null : new Date(value);
      }
      yield recordOf(columns, cells);
    }
  }
  const result = parquetWriteRows({
    writer: fileWriter(path),
    rows: records(),
    columns: columns.map((name) => ({ name })),
    schema: parquetSchema(columns),
    rowGroupSize: PARQUET_ROW_GROUP,
    createdBy: "chorus",
  });
  if (result instanceof Promise) throw new Error("unexpected asynchronous parquet writer");
  return counts;
}
