import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importedSpecifiers, sourceFiles } from "../helpers/source-files.js";

/**
 * Every SQL statement lives in src/store: no other file imports the driver
 * or the ORM (not even for a type: src/store/client.ts exports
 * `SqliteConnection` and `OpenedDatabase`), prepares or runs a statement,
 * builds a drizzle query, or holds SQL text. Transactions
 * (`sqlite.transaction(...)`) stay with the domain code that decides what
 * belongs together.
 */

const SRC = path.resolve(import.meta.dirname, "../../src");
const STORE = path.join(SRC, "store");
const DATABASE_PACKAGES = /^(?:better-sqlite3|drizzle-orm)(?:\/|$)/;

/** SQL as it starts a statement, upper case as the project writes it. */
const SQL_TEXT =
  /\b(?:SELECT\s+[\w*(]|INSERT\s+(?:OR\s+\w+\s+)?INTO\s|DELETE\s+FROM\s|UPDATE\s+\w+\s+SET\s|CREATE\s+(?:TABLE|INDEX|TRIGGER)\s|PRAGMA\s)/g;

/** A query built on the drizzle handle (`database.db.select()…`): its table objects come from store/schema.ts. */
const DRIZZLE_QUERY = /\bdb\s*\.\s*(?:select|selectDistinct|insert|update|delete|query|run|all|get|\$client)\b/g;

interface Offence {
  line: number;
  what: string;
}

/** Imports of the driver or the ORM, statement calls, and SQL text in `source`. */
function sqlOffences(source: string): Offence[] {
  const code = withoutComments(source);
  const lineOf = (index: number) => code.slice(0, index).split("\n").length;
  const offences: Offence[] = [];
  for (const specifier of importedSpecifiers(code)) {
    if (DATABASE_PACKAGES.test(specifier)) offences.push({ line: 0, what: `imports ${specifier}` });
  }
  for (const call of code.matchAll(/\.(prepare|exec|pragma)\s*(?=[<(])/g)) {
    const argument = firstArgument(code, (call.index ?? 0) + call[0].length);
    // `.exec(text)` on a RegExp is not a statement; `.exec("…")` with SQL text is.
    if (call[1] === "exec" && argument === undefined) continue;
    offences.push({ line: lineOf(call.index ?? 0), what: `.${call[1]}(${argument ?? "…"})` });
  }
  for (const query of code.matchAll(DRIZZLE_QUERY)) {
    offences.push({ line: lineOf(query.index ?? 0), what: `drizzle query: ${query[0]}` });
  }
  for (const text of code.matchAll(SQL_TEXT)) {
    const at = text.index ?? 0;
    const lineEnd = code.indexOf("\n", at);
    offences.push({ line: lineOf(at), what: `SQL text: ${code.slice(at, lineEnd < 0 ? undefined : lineEnd).trim()}` });
  }
  return offences;
}

/** Block comments and whole-line `//` comments blanked out, keeping line numbers. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " ")).replace(/^\s*\/\/.*$/gm, "");
}

/**
 * The string literal a call starts with (after optional type arguments), or
 * undefined when its first argument is not a literal.
 */
function firstArgument(code: string, from: number): string | undefined {
  let at = from;
  if (code[at] === "<") {
    let depth = 0;
    for (; at < code.length; at++) {
      if (code[at] === "<") depth++;
      else if (code[at] === ">" && code[at - 1] !== "=" && --depth === 0) break;
    }
    at++;
  }
  const open = /^\s*\(\s*(["'`])/.exec(code.slice(at, at + 200));
  if (!open) return undefined;
  const quote = open[1] as string;
  const start = at + open[0].length;
  let end = start;
  while (end < code.length && !(code[end] === quote && code[end - 1] !== "\\")) end++;
  return code.slice(start, end).replace(/\s+/g, " ");
}

describe("src/store boundary", () => {
  const files = sourceFiles(SRC).filter((file) => !file.startsWith(`${STORE}${path.sep}`));
  const relative = (file: string) => path.relative(SRC, file).split(path.sep).join("/");

  it("finds the files outside src/store", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it("no file outside src/store imports better-sqlite3 or drizzle-orm, prepares or runs SQL, builds a query or holds SQL text", () => {
    const offenders: string[] = [];
    for (const file of files) {
      const name = relative(file);
      for (const offence of sqlOffences(readFileSync(file, "utf8"))) {
        offenders.push(`${name}${offence.line > 0 ? `:${offence.line}` : ""} ${offence.what}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("detects each kind of offence (the check can fail)", () => {
    const source = [
      'import type Database from "better-sqlite3";',
      'import { eq } from "drizzle-orm";',
      "const row = sqlite",
      '  .prepare<[string], { n: Record<string, number> }>("SELECT count(*) AS n FROM participants WHERE id = ?")',
      "  .get(id);",
      "sqlite.exec(`DELETE FROM staff WHERE 1`);",
      'sqlite.pragma("foreign_keys = ON");',
      "const where = `UPDATE broadcasts SET status = 'sent'`;",
      "const rows = runtime.database.db.select().from(studies).all();",
    ].join("\n");
    expect(sqlOffences(source).map((offence) => offence.what)).toEqual([
      "imports better-sqlite3",
      "imports drizzle-orm",
      ".prepare(SELECT count(*) AS n FROM participants WHERE id = ?)",
      ".exec(DELETE FROM staff WHERE 1)",
      ".pragma(foreign_keys = ON)",
      "drizzle query: db.select",
      'SQL text: SELECT count(*) AS n FROM participants WHERE id = ?")',
      "SQL text: DELETE FROM staff WHERE 1`);",
      "SQL text: UPDATE broadcasts SET status = 'sent'`;",
    ]);
  });

  it("leaves a RegExp's exec, a method named like a statement's and comments about SQL alone", () => {
    const source = [
      "const match = /^(\\d+)$/.exec(text);",
      "const command = COMMAND.exec(line.trim());",
      "const ready = steps.readyToSend(item);",
      "// SELECT id FROM studies: the engine's open study",
      "/** Rows as INSERT INTO deliveries wrote them. */",
    ].join("\n");
    expect(sqlOffences(source)).toEqual([]);
  });
});
