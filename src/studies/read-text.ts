import { readFileSync } from "node:fs";

/** Reads a UTF-8 file, or says in one problem line why it could not. */
export function readText(
  file: string,
  displayName = file,
): { ok: true; text: string } | { ok: false; problem: string } {
  try {
    return { ok: true, text: readFileSync(file, "utf8") };
  } catch (error) {
    return { ok: false, problem: `${displayName}: cannot read: ${(error as Error).message}` };
  }
}
