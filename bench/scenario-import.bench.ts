/**
 * Importing large scenario files while a bot writes: `chorus scenario add`
 * of a comparisons.jsonl of SIZE_MB (default 50) into the sample study, run
 * as a user runs it (a child process under /usr/bin/time -v: wall, CPU,
 * peak RSS), with bench/lock-probe.ts writing beside it in another process
 * and recording the longest time one of its writes waited for the lock
 * (what a participant's input would wait). Then the same for `chorus study
 * import` of a study whose scenarioFiles hold STUDY_SCENARIOS (default
 * 20,000) small scenarios, for comparison. `scenario add` runs twice: through
 * tsx (npm run chorus), and through bin/chorus.js after `npm run build` (the
 * built CLI in dist/, plain node).
 *
 *   npm run bench:import          (SIZE_MB=10 STUDY_SCENARIOS=5000 for a quick look)
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPrng } from "../src/research/analysis/prng.js";
import { openDatabase } from "../src/store/client.js";
import { type Run, timed } from "./timed.js";

const SIZE_MB = Number(process.env.SIZE_MB ?? 50);
const STUDY_SCENARIOS = Number(process.env.STUDY_SCENARIOS ?? 20_000);
const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "bench", "out");
mkdirSync(outDir, { recursive: true });
const cli = [process.execPath, "--import", "tsx", "src/cli/index.ts"];
const builtCli = [process.execPath, "bin/chorus.js"];

const WORDS = ["safety", "honest", "answer", "people", "values", "helpful", "careful", "respect", "context", "culture"];
const SCRIPTS = [" 日本語で説明すると、", " بالعربية أيضا،", " हिन्दी में भी,"];

/** Seeded text of about `words` words, a tenth of it with a non-Latin sentence. */
function text(prng: ReturnType<typeof createPrng>, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(WORDS[prng.int(WORDS.length)] as string);
  if (prng.next() < 0.1) parts.push(SCRIPTS[prng.int(SCRIPTS.length)] as string);
  return `${parts.join(" ")}.`;
}

/** A comparisons.jsonl of at least `bytes` bytes (or `count` scenarios); returns how many it holds. */
async function writeComparisons(file: string, options: { bytes?: number; count?: number; words: number }) {
  const prng = createPrng(7);
  const out = createWriteStream(file);
  let bytes = 0;
  let count = 0;
  while (
    (options.bytes !== undefined && bytes < options.bytes) ||
    (options.count !== undefined && count < options.count)
  ) {
    const line = `${JSON.stringify({
      prompt_id: `bench-${count}`,
      prompt: { messages: [{ role: "user", content: text(prng, options.words) }] },
      responses: ["A", "B", "C", "D"].map((label) => ({
        response_index: label,
        messages: [{ role: "assistant", content: text(prng, options.words * 2) }],
      })),
    })}\n`;
    if (!out.write(line)) await once(out, "drain");
    bytes += Buffer.byteLength(line);
    count++;
  }
  out.end();
  await once(out, "finish");
  return { scenarios: count, bytes };
}

interface Probe {
  writes: number;
  maxWaitMs: number;
  p99WaitMs: number;
  failed: number;
}

/** Runs `command` under time -v while the lock probe writes to `dbFile`. */
async function withProbe(dbFile: string, command: string[], log: string): Promise<{ run: Run; probe: Probe }> {
  const probe = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/lock-probe.ts"), dbFile], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  probe.stdout.setEncoding("utf8");
  const ready = new Promise<void>((resolve) =>
    probe.stdout.on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("ready\n")) resolve();
    }),
  );
  await ready;
  const run = await new Promise<Run>((resolve, reject) => {
    // timed() blocks this process; the probe runs in its own.
    setImmediate(() => {
      try {
        resolve(timed(command, log, { DATABASE_PATH: dbFile }));
      } catch (error) {
        reject(error);
      }
    });
  });
  probe.kill("SIGTERM");
  await once(probe, "close");
  const last = output.trim().split("\n").at(-1) ?? "{}";
  return { run, probe: JSON.parse(last) as Probe };
}

function freshDatabase(name: string): string {
  const file = path.join(outDir, name);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  timed([...cli, "study", "import", "studies/sample.yaml"], path.join(outDir, `${name}.log`), { DATABASE_PATH: file });
  return file;
}

const bigFile = path.join(outDir, `scenario-import-${SIZE_MB}mb.jsonl`);
// Reused when present (the same seed writes the same file); its scenarios are its lines.
const big = existsSync(bigFile)
  ? { scenarios: readFileSync(bigFile, "utf8").split("\n").length - 1, bytes: statSync(bigFile).size }
  : await writeComparisons(bigFile, { bytes: SIZE_MB * 1024 * 1024, words: 140 });
const addDb = freshDatabase("scenario-import-add.db");
const add = await withProbe(
  addDb,
  [...cli, "scenario", "add", bigFile, "--study", "sample-2026"],
  path.join(outDir, "scenario-import-add.log"),
);
timed([process.execPath, "bin/build.js"], path.join(outDir, "scenario-import-build.log"));
const builtAddDb = freshDatabase("scenario-import-add-built.db");
const builtAdd = await withProbe(
  builtAddDb,
  [...builtCli, "scenario", "add", bigFile, "--study", "sample-2026"],
  path.join(outDir, "scenario-import-add-built.log"),
);

const studyDir = path.join(outDir, "scenario-import-study");
mkdirSync(studyDir, { recursive: true });
const studyJsonl = path.join(studyDir, "comparisons.jsonl");
const small = await writeComparisons(studyJsonl, { count: STUDY_SCENARIOS, words: 12 });
const studyFile = path.join(studyDir, "study.yaml");
copyFileSync(path.join(root, "studies/sample.yaml"), studyFile);
writeFileSync(
  studyFile,
  `${readFileSync(studyFile, "utf8").replace(/^id: .*$/m, "id: bench-large")}\nscenarioFiles: [./comparisons.jsonl]\n`,
);
const importDb = path.join(outDir, "scenario-import-study.db");
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${importDb}${suffix}`, { force: true });
// Created and migrated here: the probe writes to it from the start (read-only commands no longer create a file).
openDatabase(importDb).close();
const studyImport = await withProbe(
  importDb,
  [...cli, "study", "import", studyFile],
  path.join(outDir, "scenario-import-study.log"),
);

const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memoryGb: os.totalmem() / 2 ** 30,
    load: os.loadavg(),
  },
  scenarioAdd: { file: { megabytes: big.bytes / 2 ** 20, scenarios: big.scenarios }, ...add },
  scenarioAddBuilt: builtAdd,
  studyImport: { file: { megabytes: small.bytes / 2 ** 20, scenarios: small.scenarios }, ...studyImport },
};
writeFileSync(path.join(outDir, "scenario-import.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
