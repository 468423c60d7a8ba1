import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const RESEARCH = path.resolve(import.meta.dirname, "../../src/research");
/** The analysis and the reference import: their SQL lives in src/store (analysis-reads.ts, reference-rankings.ts). */
const FILES = [
  "analysis-data.ts",
  "run-analysis.ts",
  "reference-import.ts",
  ...readdirSync(path.join(RESEARCH, "analysis")).map((name) => `analysis/${name}`),
];
const DATABASE_PACKAGE = /from\s+["'](better-sqlite3|drizzle-orm[^"']*)["']/;
const SQL_CALL = /\.(prepare|exec|pragma|transaction)\s*\(|\b(SELECT|INSERT|UPDATE|DELETE)\s+[\w*(]/;

function offenders(files: readonly string[], read: (file: string) => string): string[] {
  return files.filter((file) => {
    const source = read(file);
    return DATABASE_PACKAGE.test(source) || SQL_CALL.test(source);
  });
}

describe("the analysis reaches the database only through src/store", () => {
  it("imports no database package and holds no SQL", () => {
    expect(FILES.length).toBeGreaterThan(5);
    expect(offenders(FILES, (file) => readFileSync(path.join(RESEARCH, file), "utf8"))).toEqual([]);
  });

  it("would name a file that does (the check can fail)", () => {
    const sources: Record<string, string> = {
      "a.ts": 'import Database from "better-sqlite3";',
      "b.ts": 'sqlite.prepare("SELECT id FROM studies").all();',
      "c.ts": "export const clean = 1;",
    };
    expect(offenders(Object.keys(sources), (file) => sources[file] as string)).toEqual(["a.ts", "b.ts"]);
  });
});
