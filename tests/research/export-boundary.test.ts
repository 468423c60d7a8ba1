import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The exports format; the store reads (src/store/export-reads.ts). No file
 * under src/research/export imports the SQLite driver or the ORM, or
 * prepares or runs a statement itself.
 */
const EXPORT = path.resolve(import.meta.dirname, "../../src/research/export");
const DATABASE_PACKAGES = /^(?:better-sqlite3|drizzle-orm)(?:\/|$)/;
/** Statement calls on a database handle (`exec` with SQL text: a RegExp's exec takes no literal). */
const STATEMENTS = /\.(?:prepare|pragma|transaction)\s*(?:<[^>]*>)?\s*\(|\.exec\s*\(\s*[`"']/;
/** scope.ts still reads the stored study definitions until the store's study loader replaces it. */
const PENDING = new Set(["scope.ts"]);

function importedSpecifiers(source: string): string[] {
  const pattern = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? "");
}

function offences(name: string, source: string): string[] {
  const found = importedSpecifiers(source)
    .filter((specifier) => DATABASE_PACKAGES.test(specifier))
    .map((specifier) => `${name} imports ${specifier}`);
  if (STATEMENTS.test(source)) found.push(`${name} runs SQL`);
  return found;
}

describe("src/research/export boundary", () => {
  const files = readdirSync(EXPORT).filter((name) => name.endsWith(".ts") && !PENDING.has(name));

  it("finds the export's files", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("imports no database driver or ORM and runs no statement: the reads are in src/store", () => {
    expect(files.flatMap((name) => offences(name, readFileSync(path.join(EXPORT, name), "utf8")))).toEqual([]);
  });

  it("catches a file that would (the check can fail)", () => {
    expect(offences("x.ts", 'import type Database from "better-sqlite3";')).toEqual(["x.ts imports better-sqlite3"]);
    expect(offences("x.ts", 'import { sql } from "drizzle-orm/sqlite-core";')).toEqual([
      "x.ts imports drizzle-orm/sqlite-core",
    ]);
    expect(offences("x.ts", "db.prepare<[string]>(`SELECT 1`).all();")).toEqual(["x.ts runs SQL"]);
    expect(offences("x.ts", 'sqlite.exec("BEGIN");')).toEqual(["x.ts runs SQL"]);
    expect(offences("x.ts", "const m = PATTERN.exec(text);")).toEqual([]);
  });
});
