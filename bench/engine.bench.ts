/**
 * Engine + store throughput: simulated participants complete the sample study
 * through the real engine (with the production language detector) on a real
 * SQLite file, beside raw better-sqlite3 transactions (one read, one insert,
 * one update each) on a file of the same kind. Three modes, measured in
 * alternating rounds of one run: raw, engine one input per transaction, and
 * engine with group commit (CONCURRENCY participants' inputs per transaction).
 *
 *   npm run bench            (PARTICIPANTS=2000 npm run bench for a quick look)
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createEngine } from "../src/core/engine.js";
import type { Engine } from "../src/core/engine-types.js";
import type { Input } from "../src/core/flow/inputs.js";
import type { Study } from "../src/core/study/schema.js";
import { createLanguageDetector } from "../src/i18n/detect-language.js";
import { openDatabase } from "../src/store/client.js";
import { createSurveyStore } from "../src/store/survey-store.js";
import { ensureSampleStudy } from "../src/studies/bootstrap.js";
import { nextInput } from "./simulated-participant.js";

const PARTICIPANTS = Number(process.env.PARTICIPANTS ?? 10_000);
const RAW_TRANSACTIONS = Number(process.env.RAW_TRANSACTIONS ?? 200_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
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

/** Totals of one mode over its rounds. */
class Tally {
  operations = 0;
  wallMs = 0;
  cpuMicros = 0;
  add(operations: number, run: () => void): void {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    run();
    this.wallMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    this.cpuMicros += cpu.user + cpu.system;
    this.operations += operations;
  }
  rate(): Rate {
    return { wall: this.operations / (this.wallMs / 1000), cpu: this.operations / (this.cpuMicros / 1e6) };
  }
}

function rawBaseline() {
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
  let next = 0;
  return {
    round(count: number) {
      for (let i = 0; i < count; i++) transaction.immediate(next++ % 1000);
      sampleRss();
    },
    close: () => sqlite.close(),
  };
}

function isCompletion(prompts: ReturnType<Engine["handle"]>["prompts"]): boolean {
  return prompts.some(
    (prompt) => prompt.kind === "message" && "key" in prompt.text && prompt.text.key.startsWith("completed."),
  );
}

async function engineSetup(file: string) {
  const database = openDatabase(freshFile(file));
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
    detectLanguage: await createLanguageDetector(),
  });
  return { database, engine, study };
}

/** Like Telegram's update_id: one increasing number across all chats. */
let updateId = 100_000_000;
let userId = 100_000;

/** `count` participants through the whole study, each input its own transaction. */
function oneAtATime(engine: Engine, study: Study, count: number) {
  let inputs = 0;
  let completed = 0;
  for (let p = 0; p < count; p++) {
    const ref = { platform: "telegram" as const, platformUserId: String(userId++) };
    let input: Input | undefined = { kind: "start", source: "bench", suggestedLocale: "en" };
    while (input) {
      const result = engine.handle(ref, input, { eventId: String(updateId++) });
      inputs++;
      input = isCompletion(result.prompts) ? undefined : nextInput(result.prompts, study);
      if (!input) completed++;
    }
  }
  return { inputs, completed };
}

/** `count` participants, CONCURRENCY at a time: each group holds one input of each, in one transaction. */
function grouped(engine: Engine, study: Study, count: number) {
  let inputs = 0;
  let completed = 0;
  let started = 0;
  type Active = { ref: { platform: "telegram"; platformUserId: string }; input: Input };
  const active: Active[] = [];
  const admit = () => {
    while (active.length < CONCURRENCY && started < count) {
      started++;
      active.push({
        ref: { platform: "telegram", platformUserId: String(userId++) },
        input: { kind: "start", source: "bench", suggestedLocale: "en" },
      });
    }
  };
  admit();
  while (active.length > 0) {
    const outcomes = engine.handleMany(
      active.map((item) => ({ ref: item.ref, input: item.input, options: { eventId: String(updateId++) } })),
    );
    inputs += active.length;
    for (let i = active.length - 1; i >= 0; i--) {
      const outcome = outcomes[i];
      const item = active[i];
      if (!outcome?.ok || !item) throw new Error("bench input failed");
      const next = isCompletion(outcome.result.prompts) ? undefined : nextInput(outcome.result.prompts, study);
      if (next) item.input = next;
      else {
        completed++;
        active.splice(i, 1);
      }
    }
    admit();
  }
  return { inputs, completed };
}

const raw = rawBaseline();
const single = await engineSetup("engine-single.db");
const group = await engineSetup("engine-grouped.db");
const tallies = { raw: new Tally(), single: new Tally(), grouped: new Tally() };
let completed = 0;
let participants = 0;
const perRound = Math.max(1, Math.floor(PARTICIPANTS / ROUNDS / 2));
for (let round = 0; round < ROUNDS; round++) {
  tallies.raw.add(RAW_TRANSACTIONS / ROUNDS, () => raw.round(RAW_TRANSACTIONS / ROUNDS));
  let result = { inputs: 0, completed: 0 };
  tallies.single.add(0, () => {
    result = oneAtATime(single.engine, single.study, perRound);
  });
  tallies.single.operations += result.inputs;
  completed += result.completed;
  tallies.grouped.add(0, () => {
    result = grouped(group.engine, group.study, perRound);
  });
  tallies.grouped.operations += result.inputs;
  completed += result.completed;
  participants += 2 * perRound;
  sampleRss();
  process.stderr.write(`\rround ${round + 1}/${ROUNDS}`);
}
process.stderr.write("\n");
raw.close();
single.database.close();
group.database.close();

const rates = { raw: tallies.raw.rate(), single: tallies.single.rate(), grouped: tallies.grouped.rate() };
const share = (mode: Rate, by: keyof Rate) => Number((mode[by] / rates.raw[by]).toFixed(3));
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(
  JSON.stringify(
    {
      machine: `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      participants,
      completed,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      inputsPerParticipant: Math.round((tallies.single.operations + tallies.grouped.operations) / participants),
      rawTransactionsPerSecond: Math.round(rates.raw.wall),
      singleInputsPerSecond: Math.round(rates.single.wall),
      groupedInputsPerSecond: Math.round(rates.grouped.wall),
      singleShareOfRaw: share(rates.single, "wall"),
      singleShareOfRawByCpu: share(rates.single, "cpu"),
      groupedShareOfRaw: share(rates.grouped, "wall"),
      groupedShareOfRawByCpu: share(rates.grouped, "cpu"),
      targets: "grouped ≥ 1.0, single ≥ 0.5",
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    },
    null,
    2,
  ),
);
