import { readFileSync } from "node:fs";

const BYTE_ORDER_MARK = "\uFEFF";

/**
 * Drops a leading UTF-8 byte-order mark. Editors on Windows (and Excel's
 * "CSV UTF-8") write one; JSON.parse refuses it, so every file Chorus reads
 * goes through here.
 */
export function stripBom(text: string): string {
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

/** Reads a UTF-8 file (a byte-order mark dropped), or says in one problem line why it could not. */
export function readText(
  file: string,
  displayName = file,
): { ok: true; text: string } | { ok: false; problem: string } {
  try {
    return { ok: true, text: stripBom(readFileSync(file, "utf8")) };
  } catch (error) {
    return { ok: false, problem: `${displayName}: cannot read: ${(error as Error).message}` };
  }
}
