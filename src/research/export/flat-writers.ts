import { stringify } from "csv-stringify/sync";
import { fileWriter, parquetWriteRows, type SchemaElement } from "hyparquet-writer";
import { LABELS } from "../../core/labels.js";
import { fractionalRanks, parseRanking } from "../../core/ranking.js";
import { COL, iterateAssessmentRows, type RawRow } from "./assessment-rows.js";
import { annotatorOf, countLanguages, type ExportContext, type ExportCounts, emptyCounts } from "./context.js";
import { appendFlatRows, FLAT_FIXED_COLUMNS, flatColumns } from "./flat.js";
import { openTextSink } from "./sink.js";

/**
 * CSV (RFC 4180: comma, double quotes doubled, CRLF records, UTF-8 without
 * BOM), pairwise preferences, and Parquet, all from the flat rows. Rows are
 * formatted in batches; each batch goes through the sink, awaiting 'drain'
 * when the disk is behind.
 */

const CSV_OPTIONS = { record_delimiter: "\r\n", cast: { number: (value: number) => String(value) } } as const;
const BATCH = 2000;

function toCsv(rows: unknown[][]): string {
  return stringify(rows, CSV_OPTIONS);
}

export async function writeCsv(context: ExportContext, path: string): Promise<ExportCounts> {
  const counts = emptyCounts();
  const sink = openTextSink(path);
  const profileCount = context.scope.profile.length;
  sink.write(toCsv([flatColumns(context.scope)]));
  let batch: unknown[][] = [];
  let assessmentsInBatch = 0;
  for (const row of iterateAssessmentRows(context.sqlite, context.scope, "assessment")) {
    counts.rows += appendFlatRows(row, annotatorOf(context, row), profileCount, batch);
    countLanguages(row, counts);
    counts.assessments++;
    if (++assessmentsInBatch >= BATCH) {
      const wait = sink.write(toCsv(batch));
      context.progress.tick(assessmentsInBatch);
      batch = [];
      assessmentsInBatch = 0;
      if (wait) await wait;
    }
  }
  if (batch.length > 0) sink.write(toCsv(batch));
  context.progress.tick(assessmentsInBatch);
  await sink.end();
  return counts;
}

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
export function rankingPairs(ranking: string): { a: string; b: string; preferred: string }[] {
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

export async function writePairs(context: ExportContext, path: string): Promise<ExportCounts> {
  const counts = emptyCounts();
  const sink = openTextSink(path);
  sink.write(toCsv([[...PAIR_COLUMNS]]));
  let batch: unknown[][] = [];
  for (const row of iterateAssessmentRows(context.sqlite, context.scope, "assessment")) {
    const annotator = annotatorOf(context, row);
    for (const [block, column] of [
      ["world", COL.world_ranking],
      ["personal", COL.personal_ranking],
    ] as const) {
      const ranking = row[column] as string | null;
      if (ranking === null) continue;
      for (const pair of rankingPairs(ranking)) {
        batch.push([
          row[COL.study_id],
          row[COL.scenario_id],
          row[COL.assessment_id],
          annotator,
          block,
          pair.a,
          pair.b,
          pair.preferred,
        ]);
        counts.rows++;
      }
    }
    countLanguages(row, counts);
    counts.assessments++;
    if (batch.length >= BATCH * 6) {
      const wait = sink.write(toCsv(batch));
      context.progress.tick(batch.length / 6);
      batch = [];
      if (wait) await wait;
    }
  }
  if (batch.length > 0) sink.write(toCsv(batch));
  context.progress.tick(batch.length / 6);
  await sink.end();
  return counts;
}

const INTEGER_COLUMNS = new Set(["assessment_id", "position"]);
const DOUBLE_COLUMNS = new Set(["rationale_language_confidence", "reading_seconds", "total_seconds"]);
const TIMESTAMP_COLUMNS = new Set(["started_at", "reading_done_at", "ranked_at", "rationale_at", "completed_at"]);
const PARQUET_ROW_GROUP = 50_000;

function parquetSchema(columns: string[]): SchemaElement[] {
  return [
    { name: "root", num_children: columns.length },
    ...columns.map((name): SchemaElement => {
      if (INTEGER_COLUMNS.has(name)) return { name, type: "INT32", repetition_type: "OPTIONAL" };
      if (DOUBLE_COLUMNS.has(name)) return { name, type: "DOUBLE", repetition_type: "OPTIONAL" };
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
 * seconds and confidences as DOUBLE, ids and positions as INT32, the rest
 * UTF-8 strings; Snappy-compressed row groups of 50,000 rows. Row groups are
 * pulled from the database one at a time and written synchronously, so at
 * most one row group is in memory.
 */
export function writeParquet(context: ExportContext, path: string): ExportCounts {
  const counts = emptyCounts();
  const columns = flatColumns(context.scope);
  const profileCount = context.scope.profile.length;
  const timestampIndexes = FLAT_FIXED_COLUMNS.flatMap((name, i) => (TIMESTAMP_COLUMNS.has(name) ? [i] : []));
  function* records(): Generator<Record<string, unknown>> {
    const flat: unknown[][] = [];
    let sinceTick = 0;
    for (const row of iterateAssessmentRows(context.sqlite, context.scope, "assessment")) {
      flat.length = 0;
      counts.rows += appendFlatRows(row, annotatorOf(context, row), profileCount, flat);
      countLanguages(row, counts);
      counts.assessments++;
      for (const cells of flat) {
        for (const i of timestampIndexes) {
          const value = cells[i] as string | null;
          cells[i] = value === null ? null : new Date(value);
        }
        const record: Record<string, unknown> = {};
        columns.forEach((name, i) => {
          record[name] = cells[i];
        });
        yield record;
      }
      if (++sinceTick >= BATCH) {
        context.progress.tick(sinceTick);
        sinceTick = 0;
      }
    }
    context.progress.tick(sinceTick);
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

export type { RawRow };
