/**
 * Research exports and analyses at scale: ASSESSMENTS generated assessments
 * (default 1,000,000; see export-data.ts), then, in alternating rounds of
 * the same run:
 *
 * - `chorus export --format csv` as a user runs it (a child process:
 *   node --import tsx src/cli/index.ts), timed and its peak RSS read by
 *   /usr/bin/time -v;
 * - the sqlite3 command-line shell writing the same join as CSV
 *   (`sqlite3 -csv -header`, the SQL from assessmentRowsSql: one row per
 *   assessment with the profile pivoted by joins), the same way;
 * - `chorus analyze --json` (default 200 bootstrap replicates), the same way,
 *   plus the analysis timed inside one process (load + statistics), which
 *   leaves out the CLI's start-up.
 *
 *   npm run bench:export          (ASSESSMENTS=100000 ROUNDS=1 npm run bench:export for a quick look)
 *
 * The bench database is kept in bench/out/ and reused when it already holds
 * ASSESSMENTS assessments (REGENERATE=1 rebuilds it).
 *
 * BEFORE=DIR adds rounds of `chorus analyze --json` from another checkout
 * (e.g. the previous commit), alternating with this one; ONLY=analyze skips
 * the export rounds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { analyze } from "../src/research/analysis/analyze.js";
import { loadAnalysis } from "../src/research/analysis-data.js";
import { resolveScope } from "../src/research/export/scope.js";
import { assessmentRowsSql } from "../src/store/export-reads.js";
import { generateBenchDatabase } from "./export-data.js";
import { type Run, timed } from "./timed.js";

const ASSESSMENTS = Number(process.env.ASSESSMENTS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "bench", "out");
mkdirSync(outDir, { recursive: true });
const dbFile = path.join(outDir, `export-bench-${ASSESSMENTS}.db`);
const secret = "bench-export-secret-0123456789";

function assessmentsIn(file: string): number {
  if (!existsSync(file)) return -1;
  try {
    const db = new Database(file, { readonly: true });
    const n = (db.prepare("SELECT count(*) AS n FROM assessments").get() as { n: number }).n;
    db.close();
    return n;
  } catch {
    return -1;
  }
}

if (process.env.REGENERATE || assessmentsIn(dbFile) !== ASSESSMENTS) {
  const started = performance.now();
  console.error(`generating ${ASSESSMENTS} assessments into ${dbFile} …`);
  const generated = generateBenchDatabase({ file: dbFile, assessments: ASSESSMENTS });
  console.error(`generated ${JSON.stringify(generated)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const sqlFile = path.join(outDir, "export-bench.sql");
{
  const db = new Database(dbFile, { readonly: true });
  writeFileSync(sqlFile, `${assessmentRowsSql(resolveScope(db, {}))};\n`);
  db.close();
}

const cli = [process.execPath, "--import", "tsx", "src/cli/index.ts"];
const env = { DATABASE_PATH: dbFile, EXPORT_SECRET: secret };
const csvOut = path.join(outDir, "export-bench-chorus.csv");

function chorusExport(): Run {
  const run = timed(
    [...cli, "export", "--format", "csv", "--out", csvOut],
    path.join(outDir, "export-bench-chorus.log"),
    env,
  );
  return { ...run, outputBytes: statSync(csvOut).size };
}
const sqlite3Export = () =>
  timed(["sh", "-c", `sqlite3 -csv -header "${dbFile}" < "${sqlFile}"`], path.join(outDir, "export-bench-sqlite3.csv"));
const chorusAnalyze = () => timed([...cli, "analyze", "--json"], path.join(outDir, "export-bench-analyze.json"), env);
const BEFORE = process.env.BEFORE ? path.resolve(process.env.BEFORE) : null;
const analyzeBefore = (dir: string) =>
  timed(
    [process.execPath, "--import", "tsx", path.join(dir, "src/cli/index.ts"), "analyze", "--json"],
    path.join(outDir, "export-bench-analyze-before.json"),
    env,
  );
const exportRounds = process.env.ONLY !== "analyze";

const runs: { chorus: Run[]; sqlite3: Run[]; analyze: Run[]; analyzeBefore: Run[]; loadAverage: number[] } = {
  chorus: [],
  sqlite3: [],
  analyze: [],
  analyzeBefore: [],
  loadAverage: [],
};
for (let round = 0; round < ROUNDS; round++) {
  runs.loadAverage.push(Math.round((os.loadavg()[0] as number) * 10) / 10);
  // Alternate which goes first, so neither always meets a warmer or cooler page cache.
  if (exportRounds && round % 2 === 0) {
    runs.sqlite3.push(sqlite3Export());
    runs.chorus.push(chorusExport());
  } else if (exportRounds) {
    runs.chorus.push(chorusExport());
    runs.sqlite3.push(sqlite3Export());
  }
  if (BEFORE && round % 2 === 0) runs.analyzeBefore.push(analyzeBefore(BEFORE));
  runs.analyze.push(chorusAnalyze());
  if (BEFORE && round % 2 === 1) runs.analyzeBefore.push(analyzeBefore(BEFORE));
  console.error(
    `round ${round + 1}: chorus ${runs.chorus.at(-1)?.wallSeconds} s, sqlite3 ${runs.sqlite3.at(-1)?.wallSeconds} s, analyze ${runs.analyze.at(-1)?.cpuSeconds} s CPU${BEFORE ? ` (before: ${runs.analyzeBefore.at(-1)?.cpuSeconds} s CPU)` : ""}, load average ${runs.loadAverage.at(-1)}`,
  );
}

// The analysis inside one process: what `chorus analyze` spends after start-up.
const inProcess: { loadSeconds: number; analyzeSeconds: number }[] = [];
{
  const db = new Database(dbFile, { readonly: true });
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const loaded = loadAnalysis(db, { excludeFlagged: false });
    const t1 = performance.now();
    analyze(loaded.input, { replicates: 200, seed: 1, confidence: 0.95 });
    inProcess.push({ loadSeconds: (t1 - t0) / 1000, analyzeSeconds: (performance.now() - t1) / 1000 });
  }
  db.close();
}

const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const summary = (list: Run[]) => ({
  wallSeconds: median(list.map((r) => r.wallSeconds)),
  cpuSeconds: median(list.map((r) => r.cpuSeconds)),
  maxRssMb: Math.max(...list.map((r) => r.maxRssMb)),
  outputMb: Math.round((list[0]?.outputBytes ?? 0) / 1e5) / 10,
});
const chorus = summary(runs.chorus);
const sqlite3 = summary(runs.sqlite3);
const analyzeCli = summary(runs.analyze);
const exported = exportRounds ? readFileSync(path.join(outDir, "export-bench-chorus.log"), "utf8") : "";
const csvRecords = Number(exported.match(/\((\d+) rows\)/)?.[1] ?? Number.NaN);
const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
  sqlite3Version: execFileSync("sqlite3", ["--version"]).toString().split(" ")[0],
  assessments: ASSESSMENTS,
  rounds: ROUNDS,
  export: {
    chorus: { ...chorus, csvRecords },
    sqlite3,
    wallRatio: Math.round((chorus.wallSeconds / sqlite3.wallSeconds) * 100) / 100,
    cpuRatio: Math.round((chorus.cpuSeconds / sqlite3.cpuSeconds) * 100) / 100,
  },
  analyze: {
    cli: analyzeCli,
    ...(BEFORE ? { before: { checkout: BEFORE, ...summary(runs.analyzeBefore) } } : {}),
    inProcess: {
      loadSeconds: median(inProcess.map((r) => r.loadSeconds)),
      analyzeSeconds: median(inProcess.map((r) => r.analyzeSeconds)),
    },
  },
  runs,
};
writeFileSync(path.join(outDir, "export-bench.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ ...result, runs: undefined }, null, 2));
console.error(exported.trim());
