import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ChorusError } from "./core/errors.js";

/**
 * mkdir -p, one level at a time. Node 20's `mkdirSync(…, { recursive: true })`
 * never returns for a path under /proc (it retries ENOENT forever), and an
 * unwritable path must fail with a clear message instead.
 */
export function ensureFolder(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) ensureFolder(parent);
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** An output problem as one line: `Cannot write to PATH: ENOENT: no such file or directory, mkdir '/proc/x'`. */
export class OutputPathError extends ChorusError {
  override readonly name = "OutputPathError";
  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause);
    super(`Cannot write to ${path}: ${reason}`, { cause });
  }
}

/**
 * Makes sure a command can write `path` before it does the long work: the
 * folder is created (or the file's folder, for `kind: "file"`) and tried for
 * writing, so a bad --out fails at once with one line instead of after
 * minutes, or never (Node 20 hangs creating folders under /proc).
 */
export function prepareOutput(path: string, kind: "file" | "folder"): void {
  try {
    if (kind === "folder") {
      ensureFolder(path);
      if (!statSync(path).isDirectory()) throw new Error("not a folder");
      accessSync(path, constants.W_OK);
      return;
    }
    const folder = dirname(path);
    ensureFolder(folder);
    if (!statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder`);
    if (!existsSync(path)) accessSync(folder, constants.W_OK);
    else if (statSync(path).isDirectory()) throw new Error("it is a folder, not a file");
    else accessSync(path, constants.W_OK);
  } catch (error) {
    throw new OutputPathError(path, error);
  }
}

/** Why `file` cannot be read, as `FILE: cannot read: ENOENT: …` (the same words as a failed read), or undefined. */
export function unreadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    if (statSync(file).isDirectory()) return `${file}: cannot read: it is a folder`;
    return undefined;
  } catch (error) {
    return `${file}: cannot read: ${(error as Error).message}`;
  }
}
