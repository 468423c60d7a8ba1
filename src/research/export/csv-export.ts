import { stringify } from "csv-stringify/sync";
import { LRUCache } from "lru-cache";
import { CSV_COLUMN as C } from "../../store/export-reads.js";
import { assessmentPages, COL, type ParticipantInfo, type RawRow } from "./assessment-rows.js";
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
 * The store reads it in its "csv" shape: SQLite joins the runs of columns
 * that can never need quoting (ids, rankings, codes, timestamps), and
 * JavaScript quotes only the free text (rationales) and formats the
 * numbers. Each joined run is checked to have exactly its expected commas
 * and no quote or line break; a row that fails (a hand-edited database,
 * say) is formatted field by field from its typed row instead, so the file
 * is always valid RFC 4180; that path formats with csv-stringify. Measured
 * against the sqlite3 shell in bench/README.md.
 */

export function formatSeconds(value: unknown): string | null {
  return typeof value === "number" ? value.toFixed(3) : null;
}

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

type CardText = (layout: unknown, opens: unknown, ratings: unknown) => string;

/**
 * The card and rating cells (layout, opens_a … opens_d, the ranked-without-
 * opening flag, the ratings) as CSV text, from the stored layout, opens and
 * ratings. Few combinations recur across a study, so the text is kept per
 * combination: parsing two JSON objects per row cost ~0.6 s of a million.
 */
function cardTexts(ratings: (stored: string | null) => unknown[]): CardText {
  const known = new LRUCache<string, string>({ max: 2048 });
  // \u0001 stands for a missing value; the stored texts are JSON or a layout word, which never hold it.
  const part = (value: unknown) => (typeof value === "string" ? value : "\u0001");
  return (layout, opens, stored) => {
    const key = `${part(layout)}\u0000${part(opens)}\u0000${part(stored)}`;
    let text = known.get(key);
    if (text === undefined) {
      text = csvFields([...cardCells(layout, opensCounts(opens)), ...ratings(stored as string | null)]);
      known.set(key, text);
    }
    return text;
  };
}

/** The row's lines through the fast path, or null when a joined run is not safe. */
function fastLines(
  row: RawRow,
  annotatorId: string,
  participantText: string,
  text: TextFilter,
  card: CardText,
): Lines | null {
  if (!fastPathSafe(row)) return null;
  const start = `${row[C.head]},${row[C.id]},${annotatorId},`;
  const cardText = card(row[C.layout], row[C.opens], row[C.ratings]);
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
  const ratings = ratingOptions(context.scope);
  const card = cardTexts(ratings);
  sink.write(stringify([flatColumns(context.scope)], STRINGIFY));
  const shape = fastPath ? "csv" : "typed";
  for (const page of assessmentPages(context.reads, "assessment", context.pageSize, shape)) {
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
        (fastPath ? fastLines(row, annotatorId, textOf(participantId), text, card) : null) ??
        typedLines(
          fastPath ? context.reads.typedRow(row[COL.assessment_id] as number) : row,
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
