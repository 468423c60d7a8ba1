import type Database from "better-sqlite3";
import { stringify } from "csv-stringify/sync";
import {
  assessmentPages,
  COL,
  CONTEXT_SQL,
  FROM,
  type ParticipantInfo,
  type RawRow,
  seconds,
  TYPED_SELECT,
} from "./assessment-rows.js";
import { cardCells, opensCounts } from "./card.js";
import { type ExportContext, type ExportCounts, emptyCounts } from "./context.js";
import { CSV_RECORD_END, csvField, csvFields } from "./csv-format.js";
import { FLAT_CONTEXT_COLUMNS, flatBlocks, flatColumns, flatContext, flatHead, flatParticipant } from "./flat.js";
import { ratingOptions } from "./ratings.js";
import { type TextFilter, textFilter } from "./redact.js";
import { openTextSink } from "./sink.js";

/**
 * The flat table as CSV, the export a million-assessment study runs most.
 *
 * Most columns can never need CSV quoting: ids are slugs, rankings are
 * `B>A=C>D`, languages are codes, timestamps ISO 8601, forms and shown
 * orders fixed words. SQLite joins those runs of columns with commas itself
 * (one string crosses into JavaScript instead of seven), and JavaScript
 * quotes only the free text (rationales) and formats the numbers. Each
 * joined run is checked to have exactly its expected commas and no quote or
 * line break; a row that fails (a hand-edited database, say) is formatted
 * field by field from the typed columns instead, so the file is always
 * valid RFC 4180; that path formats with csv-stringify. Measured against
 * the sqlite3 shell in bench/README.md.
 */

/** Block prefix: "world,B>A=C>D," (block, ranking, and the empty unacceptable_labels before the rationale). */
function blockPrefix(alias: string, name: string): string {
  return `CASE WHEN ${alias}.ranking IS NULL THEN NULL ELSE '${name},' || ${alias}.ranking || ',' END`;
}

/** Seconds between two timestamps with three decimals ("40.000"), empty when either is missing. */
function secondsText(later: string, earlier: string): string {
  return `iif(${later} IS NULL OR ${earlier} IS NULL, '', printf('%.3f', ${seconds(later, earlier)}))`;
}

export function formatSeconds(value: unknown): string | null {
  return typeof value === "number" ? value.toFixed(3) : null;
}

function joined(columns: string[]): string {
  return columns.map((column) => `ifnull(${column}, '')`).join(" || ',' || ");
}

const CSV_SELECT = [
  "a.id",
  "a.participant_id",
  joined(["a.study_id", "a.scenario_id"]),
  ...["w", "pb"].flatMap((alias, i) => [
    blockPrefix(alias, i === 0 ? "world" : "personal"),
    `${alias}.rationale`,
    `ifnull(${alias}.rationale_language, '')`,
    `${alias}.rationale_confidence`,
    `${alias}.rationale_parts`,
    joined([`${alias}.ranked_at`, `${alias}.rationale_at`]),
  ]),
  "a.unacceptable_labels",
  "a.unacceptable_rationale",
  "ifnull(a.unacceptable_rationale_language, '')",
  "a.unacceptable_rationale_confidence",
  joined([
    ...CONTEXT_SQL,
    secondsText("a.reading_done_at", "a.started_at"),
    secondsText("a.completed_at", "a.started_at"),
  ]),
  "a.layout",
  "a.opens",
  "a.ratings",
].join(", ");

/** Indexes into a CSV_SELECT row. */
const C = {
  id: 0,
  participant: 1,
  head: 2,
  /** Each block: prefix, rationale, language, confidence, parts, times. */
  blocks: [3, 9],
  unacceptableLabels: 15,
  unacceptableRationale: 16,
  unacceptableLanguage: 17,
  unacceptableConfidence: 18,
  context: 19,
  layout: 20,
  opens: 21,
  ratings: 22,
} as const;

/** A joined run with exactly `commas` commas and nothing that would need quoting. */
function safeRun(commas: number): RegExp {
  return new RegExp(`^[^",\\r\\n]*(?:,[^",\\r\\n]*){${commas}}$`);
}
const SAFE = {
  head: safeRun(1),
  prefix: safeRun(2),
  language: safeRun(0),
  times: safeRun(1),
  context: safeRun(8),
};

function number(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

interface Lines {
  text: string;
  count: number;
}

/** Whether every joined run of the row holds what it should, so the fast path may format it. */
function fastPathSafe(row: RawRow): boolean {
  if (!SAFE.head.test(row[C.head] as string) || !SAFE.context.test(row[C.context] as string)) return false;
  for (const at of C.blocks) {
    const prefix = row[at] as string | null;
    if (prefix === null) continue;
    if (!SAFE.prefix.test(prefix) || !SAFE.language.test(row[at + 2] as string)) return false;
    if (!SAFE.times.test(row[at + 5] as string)) return false;
  }
  return row[C.unacceptableLabels] === null || SAFE.language.test(row[C.unacceptableLanguage] as string);
}

/** The row's lines through the fast path, or null when a joined run is not safe. */
function fastLines(
  row: RawRow,
  annotatorId: string,
  participantText: string,
  text: TextFilter,
  ratings: (stored: string | null) => unknown[],
): Lines | null {
  if (!fastPathSafe(row)) return null;
  const start = `${row[C.head]},${row[C.id]},${annotatorId},`;
  const card = cardCells(row[C.layout], opensCounts(row[C.opens]));
  const cardText = csvFields([...card, ...ratings(row[C.ratings] as string | null)]);
  const end = `,${row[C.context]},${cardText}${participantText}${CSV_RECORD_END}`;
  let lines = "";
  let count = 0;
  for (const at of C.blocks) {
    const prefix = row[at] as string | null;
    if (prefix === null) continue;
    lines += `${start}${prefix},${csvField(text(row[at + 1]))},${row[at + 2]},${number(row[at + 3])},${csvField(row[at + 4])},${row[at + 5]}${end}`;
    count++;
  }
  const labels = row[C.unacceptableLabels] as string | null;
  if (labels !== null) {
    lines +=
      `${start}unacceptable,,${csvField((JSON.parse(labels) as string[]).join(","))},` +
      `${csvField(text(row[C.unacceptableRationale]))},${row[C.unacceptableLanguage]},${number(row[C.unacceptableConfidence])},,,${end}`;
    count++;
  }
  return { text: lines, count };
}

/**
 * RFC 4180 with CRLF records. csv-stringify 6.9 quotes a field holding the
 * record delimiter ("\r\n") but not one holding a lone "\n" or "\r", which
 * csv-parse then reads as a record break; `quoted_match` makes it quote those.
 */
const STRINGIFY = { record_delimiter: "\r\n", quoted_match: /[\r\n]/ };

const SECONDS_AT = [FLAT_CONTEXT_COLUMNS.indexOf("reading_seconds"), FLAT_CONTEXT_COLUMNS.indexOf("total_seconds")];

/**
 * The typed path: the row's fields formatted by csv-stringify, the reference
 * implementation. Rows the fast path cannot vouch for go through it, and the
 * tests check that both paths write the same bytes.
 */
function typedLines(
  row: RawRow,
  annotatorId: string,
  participant: ParticipantInfo,
  text: TextFilter,
  ratings: (stored: string | null) => unknown[],
): Lines {
  const head = flatHead(row, annotatorId);
  // csv-stringify would write a boolean as 1 or empty; the flat table writes true / false.
  const context = flatContext(row, ratings).map((cell) => (typeof cell === "boolean" ? String(cell) : cell));
  // Seconds are written with three decimals, as the fast path's SQL prints them.
  for (const at of SECONDS_AT) context[at] = formatSeconds(context[at]);
  const tail = [...context, ...flatParticipant(participant)];
  const blocks = flatBlocks(row, text);
  return {
    text: stringify(
      blocks.map((block) => [...head, ...block, ...tail]),
      STRINGIFY,
    ),
    count: blocks.length,
  };
}

function typedRowReader(sqlite: Database.Database) {
  const statement = sqlite.prepare(`SELECT ${TYPED_SELECT} ${FROM} WHERE a.id = ?`).raw(true);
  return (id: number) => statement.get(id) as RawRow;
}

export interface CsvOptions {
  /** false formats every row field by field (tests compare the two paths). */
  fastPath?: boolean;
}

export async function writeCsv(context: ExportContext, path: string, options: CsvOptions = {}): Promise<ExportCounts> {
  const fastPath = options.fastPath ?? true;
  const counts = emptyCounts();
  const text = textFilter(context.redact);
  counts.redactions = text.counts;
  const sink = openTextSink(path);
  const typedRow = typedRowReader(context.sqlite);
  const ratings = ratingOptions(context.scope);
  sink.write(stringify([flatColumns(context.scope)], STRINGIFY));
  const select = fastPath ? CSV_SELECT : TYPED_SELECT;
  for (const page of assessmentPages(context.sqlite, context.scope, "assessment", context.pageSize, select)) {
    const participantText = new Map<string, string>();
    const textOf = (id: string) => {
      let text = participantText.get(id);
      if (text === undefined) {
        text = `,${csvFields(flatParticipant(page.participants.get(id) as ParticipantInfo))}`;
        participantText.set(id, text);
      }
      return text;
    };
    for (const row of page.rows) {
      const participantId = row[COL.participant_id] as string;
      const annotatorId = context.annotatorId(participantId);
      const lines =
        (fastPath ? fastLines(row, annotatorId, textOf(participantId), text, ratings) : null) ??
        typedLines(
          fastPath ? typedRow(row[COL.assessment_id] as number) : row,
          annotatorId,
          page.participants.get(participantId) as ParticipantInfo,
          text,
          ratings,
        );
      counts.rows += lines.count;
      counts.assessments++;
      const wait = sink.write(lines.text);
      if (wait) await wait;
    }
    context.progress.tick(page.rows.length);
  }
  await sink.end();
  return counts;
}
