/**
 * Research exports and analyses at scale: ASSESSMENTS generated assessments
 * (default 1,000,000; see export-data.ts), then, in alternating rounds of
 * the same run:
 *
 * - `chorus export --format csv` as a user runs it, both ways: from the
 *   TypeScript (a child process: node --import tsx src/cli/index.ts) and from
 *   the build (`npm run build` once before the rounds, then node bin/chorus.js,
 *   which runs dist/ in its own process), each timed and its peak RSS read by
 *   /usr/bin/time -v;
 * - the sqlite3 command-line shell writing the same join as CSV
 *   (`sqlite3 -csv -header`, the SQL from assessmentRowsSql: one row per
 *   assessment with the profile pivoted by joins), the same way;
 * - `chorus analyze --json` (default 200 bootstrap replicates), the same two
 *   ways, plus the analysis timed inside one process (load + statistics), which
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
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
// @ts-expect-error: a plain JavaScript module of the launcher (no types).
import { distIsCurrent } from "../bin/dist-state.js";
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
// The built CLI as a user runs it after `npm run build`; bin/chorus.js would quietly fall back to tsx
// if dist/ were older than src/, so the bench checks that the build is current.
execFileSync(process.execPath, [path.join(root, "bin", "build.js")], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
});
if (!distIsCurrent()) throw new Error("dist/ is not current after npm run build");
const builtCli = [process.execPath, path.join(root, "bin", "chorus.js")];
const env = { DATABASE_PATH: dbFile, EXPORT_SECRET: secret };
const csvOut = path.join(outDir, "export-bench-chorus.csv");
const builtCsvOut = path.join(outDir, "export-bench-chorus-built.csv");

function chorusExport(command = cli, out = csvOut, log = "export-bench-chorus.log"): Run {
  const run = timed([...command, "export", "--format", "csv", "--out", out], path.join(outDir, log), env);
  return { ...run, outputBytes: statSync(out).size };
}
const builtExport = () => chorusExport(builtCli, builtCsvOut, "export-bench-chorus-built.log");
const sqlite3Export = () =>
  timed(["sh", "-c", `sqlite3 -csv -header "${dbFile}" < "${sqlFile}"`], path.join(outDir, "export-bench-sqlite3.csv"));
const chorusAnalyze = () => timed([...cli, "analyze", "--json"], path.join(outDir, "export-bench-analyze.json"), env);
const builtAnalyze = () =>
  timed([...builtCli, "analyze", "--json"], path.join(outDir, "export-bench-analyze-built.json"), env);
const BEFORE = process.env.BEFORE ? path.resolve(process.env.BEFORE) : null;
const analyzeBefore = (dir: string) =>
  timed(
    [process.execPath, "--import", "tsx", path.join(dir, "src/cli/index.ts"), "analyze", "--json"],
    path.join(outDir, "export-bench-analyze-before.json"),
    env,
  );
const exportRounds = process.env.ONLY !== "analyze";

const runs: {
  chorus: Run[];
  chorusBuilt: Run[];
  sqlite3: Run[];
  analyze: Run[];
  analyzeBuilt: Run[];
  analyzeBefore: Run[];
  loadAverage: number[];
} = { chorus: [], chorusBuilt: [], sqlite3: [], analyze: [], analyzeBuilt: [], analyzeBefore: [], loadAverage: [] };
// Rotated each round, so none always meets a warmer or cooler page cache or a quieter machine.
const rotated = <T>(items: T[], round: number) => items.map((_, i) => items[(i + round) % items.length] as T);
for (let round = 0; round < ROUNDS; round++) {
  runs.loadAverage.push(Math.round((os.loadavg()[0] as number) * 10) / 10);
  if (exportRounds) {
    for (const run of rotated(
      [
        () => runs.sqlite3.push(sqlite3Export()),
        () => runs.chorus.push(chorusExport()),
        () => runs.chorusBuilt.push(builtExport()),
      ],
      round,
    ))
      run();
  }
  const analyses = [() => runs.analyze.push(chorusAnalyze()), () => runs.analyzeBuilt.push(builtAnalyze())];
  if (BEFORE) analyses.push(() => runs.analyzeBefore.push(analyzeBefore(BEFORE)));
  for (const run of rotated(analyses, round)) run();
  console.error(
    `round ${round + 1}: export CPU chorus ${runs.chorus.at(-1)?.cpuSeconds} s, built ${runs.chorusBuilt.at(-1)?.cpuSeconds} s, sqlite3 ${runs.sqlite3.at(-1)?.cpuSeconds} s; analyze CPU ${runs.analyze.at(-1)?.cpuSeconds} s, built ${runs.analyzeBuilt.at(-1)?.cpuSeconds} s${BEFORE ? ` (before: ${runs.analyzeBefore.at(-1)?.cpuSeconds} s)` : ""}; load average ${runs.loadAverage.at(-1)}`,
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
const chorusBuilt = summary(runs.chorusBuilt);
const sqlite3 = summary(runs.sqlite3);
const analyzeCli = summary(runs.analyze);
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
// Both ways of running the CLI must write the same file.
if (exportRounds && spawnSync("cmp", ["-s", csvOut, builtCsvOut]).status !== 0)
  throw new Error(`${csvOut} and ${builtCsvOut} differ`);
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
    built: chorusBuilt,
    sqlite3,
    wallRatio: ratio(chorus.wallSeconds, sqlite3.wallSeconds),
    cpuRatio: ratio(chorus.cpuSeconds, sqlite3.cpuSeconds),
    builtWallRatio: ratio(chorusBuilt.wallSeconds, sqlite3.wallSeconds),
    builtCpuRatio: ratio(chorusBuilt.cpuSeconds, sqlite3.cpuSeconds),
  },
  analyze: {
    cli: analyzeCli,
    built: summary(runs.analyzeBuilt),
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
