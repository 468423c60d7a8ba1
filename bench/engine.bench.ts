/**
 * Engine + store throughput: 10,000 simulated participants complete the
 * sample study through the real engine on a real SQLite file, beside raw
 * better-sqlite3 transactions (one read, one insert, one update each) on a
 * file of the same kind, measured in the same run.
 *
 *   npm run bench            (PARTICIPANTS=2000 npm run bench for a quick look)
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createEngine } from "../src/core/engine.js";
import type { Input } from "../src/core/flow/inputs.js";
import { openDatabase } from "../src/store/client.js";
import { createSurveyStore } from "../src/store/survey-store.js";
import { ensureSampleStudy } from "../src/studies/bootstrap.js";
import { nextInput } from "./simulated-participant.js";

const PARTICIPANTS = Number(process.env.PARTICIPANTS ?? 10_000);
const RAW_TRANSACTIONS = Number(process.env.RAW_TRANSACTIONS ?? 200_000);
const outDir = path.resolve(import.meta.dirname, "out");
mkdirSync(outDir, { recursive: true });

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

function freshFile(name: string): string {
  const file = path.join(outDir, name);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  return file;
}

interface Rate {
  /** Operations per wall-clock second. */
  wall: number;
  /** Operations per second of this process's CPU time: steadier when other work shares the two cores. */
  cpu: number;
}

function measure(operations: number, run: () => void): Rate {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  run();
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: operations / wallSeconds, cpu: operations / ((cpu.user + cpu.system) / 1e6) };
}

function rawBaseline(): Rate {
  const sqlite = new Database(freshFile("raw.db"));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.exec(`CREATE TABLE state (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, doc TEXT NOT NULL);
               CREATE TABLE answer (id INTEGER PRIMARY KEY, state_id INTEGER NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL)`);
  const seed = sqlite.prepare("INSERT INTO state (id, step, doc) VALUES (?, 0, ?)");
  const doc = JSON.stringify({ phase: "task", step: 0, padding: "x".repeat(600) });
  sqlite.transaction(() => {
    for (let id = 0; id < 1000; id++) seed.run(id, doc);
  })();
  const read = sqlite.prepare("SELECT step, doc FROM state WHERE id = ?");
  const insert = sqlite.prepare("INSERT INTO answer (state_id, value, at) VALUES (?, ?, ?)");
  const update = sqlite.prepare("UPDATE state SET step = ?, doc = ? WHERE id = ?");
  const transaction = sqlite.transaction((id: number) => {
    const row = read.get(id) as { step: number; doc: string };
    insert.run(id, "B>A=C>D", new Date().toISOString());
    update.run(row.step + 1, row.doc, id);
  });
  const rate = measure(RAW_TRANSACTIONS, () => {
    for (let i = 0; i < RAW_TRANSACTIONS; i++) {
      transaction.immediate(i % 1000);
      if (i % 10_000 === 0) sampleRss();
    }
  });
  sqlite.close();
  return rate;
}

function engineRun(): { rate: Rate; inputs: number; seconds: number; completed: number } {
  const database = openDatabase(freshFile("engine.db"));
  const studyFile = path.resolve(import.meta.dirname, "../studies/sample.yaml");
  ensureSampleStudy(database, studyFile);
  const store = createSurveyStore(database);
  const study = store.openStudy();
  if (!study) throw new Error("sample study not open");
  const engine = createEngine({
    store,
    clock: { now: () => new Date() },
    random: Math.random,
    newParticipantId: randomUUID,
    locales: ["en", "es"],
  });
  let inputs = 0;
  let completed = 0;
  let updateId = 100_000_000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let p = 0; p < PARTICIPANTS; p++) {
    const ref = { platform: "telegram" as const, platformUserId: String(100_000 + p) };
    let input: Input | undefined = { kind: "start", source: "bench", suggestedLocale: "en" };
    while (input) {
      // Like Telegram's update_id: one increasing number across all chats.
      const result = engine.handle(ref, input, { eventId: String(updateId++) });
      inputs++;
      input = nextInput(result.prompts, study);
      if (
        result.prompts.some(
          (prompt) => prompt.kind === "message" && "key" in prompt.text && prompt.text.key.startsWith("completed."),
        )
      ) {
        completed++;
        input = undefined;
      }
    }
    if (p % 500 === 0) {
      sampleRss();
      process.stderr.write(`\r${p}/${PARTICIPANTS} participants`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stderr.write("\n");
  database.close();
  return {
    rate: { wall: inputs / seconds, cpu: inputs / ((cpu.user + cpu.system) / 1e6) },
    inputs,
    seconds,
    completed,
  };
}

const raw = rawBaseline();
const engine = engineRun();
sampleRss();
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(
  JSON.stringify(
    {
      machine: `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      participants: PARTICIPANTS,
      completed: engine.completed,
      inputs: engine.inputs,
      engineSeconds: Number(engine.seconds.toFixed(1)),
      engineInputsPerSecond: Math.round(engine.rate.wall),
      rawTransactionsPerSecond: Math.round(raw.wall),
      engineShareOfRaw: Number((engine.rate.wall / raw.wall).toFixed(3)),
      engineInputsPerCpuSecond: Math.round(engine.rate.cpu),
      rawTransactionsPerCpuSecond: Math.round(raw.cpu),
      engineShareOfRawByCpu: Number((engine.rate.cpu / raw.cpu).toFixed(3)),
      target: "≥ 0.333",
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    },
    null,
    2,
  ),
);
