/**
 * How long a study import holds the write lock (every participant's input
 * waits for it): the longest write transaction of an import of a large study
 * (BENCH_SCENARIOS, default 20,000 scenarios with four responses of about
 * BENCH_RESPONSE_CHARS, default 150, characters: a 14 MB study), of a version
 * bump, of a live version rewriting every scenario, and of a re-import of
 * identical content.
 *
 *   npm run bench:import
 *   BENCH_SCENARIOS=5000 BENCH_RESPONSE_CHARS=600 npm run bench:import
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Study, StudySchema } from "../src/core/study/schema.js";
import { openDatabase } from "../src/store/client.js";
import { importStudy, publishStudy } from "../src/store/study-repository.js";
import { loadStudyFile } from "../src/studies/load.js";

const SCENARIOS = Number(process.env.BENCH_SCENARIOS ?? 20_000);
const RESPONSE_CHARS = Number(process.env.BENCH_RESPONSE_CHARS ?? 150);
const loaded = loadStudyFile(path.resolve(import.meta.dirname, "../tests/fixtures/mini-study.yaml"));
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
const base = loaded;

function studyVersion(version: number, text: string): Study {
  return StudySchema.parse({
    ...base.study,
    version,
    scenarios: Array.from({ length: SCENARIOS }, (_, i) => ({
      id: `s${i}`,
      tags: ["bench"],
      messages: [{ role: "user", content: `${"A prompt someone gave an AI. ".repeat(6)}${i}` }],
      responses: (["A", "B", "C", "D"] as const).map((label) => ({
        label,
        text: `${`Response ${label} ${text}. `.repeat(Math.ceil(RESPONSE_CHARS / 20))}${i}`,
      })),
    })),
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), "chorus-import-bench-"));
const database = openDatabase(path.join(dir, "bench.db"));
// Times every write transaction (BEGIN IMMEDIATE … COMMIT): the time the lock is held.
const locks: number[] = [];
const transaction = database.sqlite.transaction.bind(database.sqlite);
database.sqlite.transaction = ((fn: (...args: unknown[]) => unknown) => {
  const run = transaction(fn);
  const timed = Object.assign((...args: unknown[]) => run(...args), {
    deferred: run.deferred,
    exclusive: run.exclusive,
    default: run.default,
    immediate: (...args: unknown[]) => {
      const started = performance.now();
      try {
        return run.immediate(...args);
      } finally {
        locks.push(performance.now() - started);
      }
    },
  });
  return timed;
}) as typeof database.sqlite.transaction;

const rows: Record<string, unknown>[] = [];
function measure(label: string, study: Study): void {
  locks.length = 0;
  const started = performance.now();
  const result = importStudy(database.db, study);
  rows.push({
    case: label,
    action: result.action,
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    transactions: locks.length,
    longestLockMs: Math.round(Math.max(0, ...locks)),
    definitionMB: Number((JSON.stringify(study).length / 1e6).toFixed(1)),
  });
}

const v1 = studyVersion(1, "first");
measure("new study (draft)", v1);
measure("version bump, same texts", { ...v1, version: 2 });
publishStudy(database.db, v1.id);
measure("live version rewriting every scenario", studyVersion(3, "rewritten"));
measure("identical re-import", studyVersion(3, "rewritten"));
database.close();
rmSync(dir, { recursive: true, force: true });

console.table(rows);
const out = path.resolve(import.meta.dirname, "out");
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, "study-import.json"),
  JSON.stringify({ scenarios: SCENARIOS, responseChars: RESPONSE_CHARS, rows }, null, 2),
);
