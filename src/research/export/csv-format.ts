/**
 * RFC 4180 CSV, the hot path of the CSV exports: fields joined by commas,
 * records ended by CRLF, a field quoted when it holds a comma, a double
 * quote, CR or LF, its quotes doubled; null is an empty field. Numbers are
 * written as JavaScript prints them (0.97, 40). No BOM, no formula escaping:
 * the file is data and must read back exactly (tests round-trip it through
 * csv-parse and compare it with csv-stringify's output). csv-stringify does
 * the same but allocates several objects per field, which made a
 * million-assessment export ~4× slower, so it formats only the rare rows
 * the fast path cannot vouch for; see bench/README.md.
 */

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
}

/** Fields joined by commas, without the record terminator. */
export function csvFields(fields: readonly unknown[]): string {
  let out = fields.length > 0 ? csvField(fields[0]) : "";
  for (let i = 1; i < fields.length; i++) out += `,${csvField(fields[i])}`;
  return out;
}

export const CSV_RECORD_END = "\r\n";

export function csvRecord(fields: readonly unknown[]): string {
  return csvFields(fields) + CSV_RECORD_END;
}
