/**
 * Telegram adapter throughput: updates per second handled end to end (the
 * grammY runner, the engine on a SQLite file, replies over HTTP to the fake
 * Bot API in a worker thread), beside a bare grammY echo bot on the same
 * fake server, in the same run, alternating rounds.
 *
 * The workload is the sample study taken whole by PARTICIPANTS people at
 * once: every person's inputs (the same script the engine benchmark uses)
 * become Telegram updates (/start, button presses with real callback data,
 * typed rationales), interleaved across people and queued up front. The
 * echo bot gets the very same updates: it answers a message with one
 * sendMessage, and a button press with answerCallbackQuery plus one
 * sendMessage, the least any bot must do for them.
 *
 *   npm run bench:telegram          (PARTICIPANTS=50 ROUNDS=1 for a quick look)
 */
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { createEngine } from "../src/core/engine.js";
import type { Engine } from "../src/core/engine-types.js";
import type { Input } from "../src/core/flow/inputs.js";
import { key, verbatim } from "../src/core/flow/prompts.js";
import { createI18n } from "../src/i18n/index.js";
import { createLogger } from "../src/logger.js";
import { LOCALES_DIR } from "../src/paths.js";
import { type OpenedDatabase, openDatabase } from "../src/store/client.js";
import { createSurveyStore } from "../src/store/survey-store.js";
import { ensureSampleStudy } from "../src/studies/bootstrap.js";
import { createTelegramBot } from "../src/telegram/bot.js";
import { cardKey, packChoice } from "../src/telegram/callback-data.js";
import { TELEGRAM_SURFACE } from "../src/telegram/card.js";
import { InFlight } from "../src/telegram/in-flight.js";
import { createTelegramStore } from "../src/telegram/store.js";
import { nextInput } from "./simulated-participant.js";

const PARTICIPANTS = Number(process.env.PARTICIPANTS ?? 200);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 25);
const LATENCY_PARTICIPANTS = Number(process.env.LATENCY_PARTICIPANTS ?? 20);
/** For profiling: ONLY=chorus or ONLY=echo; REGIME=instant or REGIME=latency. */
const ONLY = process.env.ONLY;
const REGIME = process.env.REGIME;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const outDir = path.resolve(import.meta.dirname, "out");
const studyFile = path.resolve(import.meta.dirname, "../studies/sample.yaml");
mkdirSync(outDir, { recursive: true });

const BOT_INFO: UserFromGetMe = {
  id: 7_000_000_001,
  is_bot: true,
  first_name: "Chorus",
  username: "chorus_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

function freshDatabase(name: string) {
  const file = path.join(outDir, name);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  return openDatabase(file);
}

/** The real engine over a database holding the sample study. */
function sampleEngine(database: OpenedDatabase, locales: readonly string[]) {
  ensureSampleStudy(database, studyFile);
  const store = createSurveyStore(database);
  const study = store.openStudy();
  if (!study) throw new Error("sample study not open");
  const clock = { now: () => new Date() };
  return { study, engine: createEngine({ store, clock, random: Math.random, newParticipantId: randomUUID, locales }) };
}

/** One step of a person's way: the input, and for a press on a card, that card's key. */
interface ScriptStep {
  input: Input;
  card?: string;
}

/** One person's way through the sample study, as engine inputs. */
function recordScript(): ScriptStep[] {
  const database = openDatabase(":memory:");
  const { study, engine } = sampleEngine(database, ["en"]);
  const script: ScriptStep[] = [];
  let input: Input | undefined = { kind: "start", source: "bench", suggestedLocale: "en" };
  let card: string | undefined;
  while (input) {
    script.push({ input, ...(card !== undefined && input.kind === "choice" ? { card } : {}) });
    const result = engine.handle({ platform: "telegram", platformUserId: "1" }, input, { surface: TELEGRAM_SURFACE });
    if (result.prompts.some((p) => p.kind === "message" && "key" in p.text && p.text.key.startsWith("completed."))) {
      break;
    }
    input = nextInput(result.prompts, study);
    const shown = result.prompts.find((prompt) => prompt.kind === "card");
    card = shown ? cardKey(shown.cardId) : undefined;
  }
  database.close();
  return script;
}

/** The script as Telegram updates for users firstUser … firstUser+count-1, interleaved. */
function updatesFor(script: ScriptStep[], firstUser: number, count: number): Update[] {
  const updates: Update[] = [];
  let updateId = 1;
  let queryId = 1;
  const now = Math.floor(Date.now() / 1000);
  for (let step = 0; step < script.length; step++) {
    const { input, card } = script[step] as ScriptStep;
    for (let u = 0; u < count; u++) {
      const id = firstUser + u;
      const from = { id, is_bot: false, first_name: `P${id}`, language_code: "en" };
      const chat = { id, type: "private" as const, first_name: `P${id}` };
      if (input.kind === "choice") {
        updates.push({
          update_id: updateId++,
          callback_query: {
            id: String(queryId++),
            from,
            chat_instance: `c${id}`,
            data: packChoice(input.step, input.choice, 0, card !== undefined ? { card } : {}).data,
            message: { message_id: 1_000 + step, date: now, chat, text: "…" },
          },
        } as Update);
      } else {
        const text =
          input.kind === "start"
            ? "/start bench"
            : input.kind === "text"
              ? input.text
              : input.kind === "command"
                ? `/${input.name}`
                : "";
        updates.push({
          update_id: updateId++,
          message: {
            message_id: 1_000 + step,
            date: now,
            chat,
            from,
            text,
            ...(text.startsWith("/")
              ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] }
              : {}),
          },
        } as Update);
      }
    }
  }
  return updates;
}

class FakeServerProcess {
  private readonly child = fork(fileURLToPath(new URL("./fake-telegram-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
  });

  private ask<T>(message: object): Promise<T> {
    const answer = new Promise<T>((resolve) => this.child.once("message", (reply) => resolve(reply as T)));
    this.child.send(message);
    return answer;
  }

  reset(latencyMs: number): Promise<{ apiRoot: string; token: string }> {
    return this.ask({ reset: { latencyMs } });
  }

  push(updates: Update[]): void {
    this.child.send({ push: updates });
  }

  stats(): Promise<{ calls: number; failed: number }> {
    return this.ask({ stats: true });
  }

  async close(): Promise<void> {
    await this.ask({ close: true });
  }
}

interface RoundResult {
  perSecond: number;
  perCpuSecond: number;
  callsPerUpdate: number;
  failedCalls: number;
  completed?: number;
}

/** Feeds the updates through a bot with the runner: updates per second (wall clock and per CPU second of this process). */
async function measure<C extends Context>(
  bot: Bot<C>,
  server: FakeServerProcess,
  updates: Update[],
): Promise<RoundResult> {
  let handled = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const original = bot.handleUpdate.bind(bot);
  bot.handleUpdate = async (update, envelope) => {
    try {
      return await original(update, envelope);
    } finally {
      if (++handled === updates.length) finish();
    }
  };
  const runner = run(bot, { runner: { fetch: { timeout: 1 }, silent: true } });
  // Wait for the first long poll, so the clock starts with the bot ready.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  server.push(updates);
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await runner.stop();
  const stats = await server.stats();
  return {
    perSecond: updates.length / seconds,
    perCpuSecond: updates.length / ((cpu.user + cpu.system) / 1e6),
    callsPerUpdate: stats.calls / updates.length,
    failedCalls: stats.failed,
  };
}

async function echoRound(server: FakeServerProcess, updates: Update[], latencyMs: number): Promise<RoundResult> {
  const { apiRoot, token } = await server.reset(latencyMs);
  const bot = new Bot(token, { client: { apiRoot }, botInfo: BOT_INFO });
  // The same runner set-up as Chorus: one user's updates in order.
  bot.use(sequentialize((ctx) => (ctx.from ? String(ctx.from.id) : undefined)));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  bot.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.callbackQuery.data);
  });
  return measure(bot, server, updates);
}

/**
 * The adapter alone: an engine that answers every input with the same
 * ranking question (no database work), to tell the adapter's cost from the
 * engine's transaction.
 */
const cannedEngine: Engine = {
  handleMany: (calls) =>
    calls.map((call) => ({ ok: true as const, result: cannedEngine.handle(call.ref, call.input, call.options) })),
  handle: (_ref, input) => ({
    prompts: [
      {
        kind: "question",
        step: input.kind === "choice" ? input.step + 1 : 1,
        text: key("ranking.ask_next_world", { so_far: verbatim("B > A") }),
        choices: [
          ...(["C", "D"] as const).map((label) => ({ id: `p:${label}`, label: verbatim(label) })),
          ...(["C", "D"] as const).map((label) => ({ id: `t:${label}`, label: key("ranking.tie_with", { label }) })),
          { id: "undo", label: key("ranking.undo") },
        ],
      },
    ],
    locale: "en",
    participantId: "canned",
    duplicate: false,
  }),
};

async function chorusRound(
  server: FakeServerProcess,
  updates: Update[],
  latencyMs: number,
  canned = false,
): Promise<RoundResult> {
  const { apiRoot, token } = await server.reset(latencyMs);
  const database = freshDatabase("telegram.db");
  const i18n = createI18n({ localesDir: LOCALES_DIR });
  const engine = canned ? cannedEngine : sampleEngine(database, i18n.locales).engine;
  const bot = createTelegramBot({
    token,
    apiRoot,
    engine,
    i18n,
    logger: createLogger("warn"),
    store: createTelegramStore(database),
    inFlight: new InFlight(),
    botInfo: BOT_INFO,
  });
  const result = await measure(bot, server, updates);
  const completed = (
    database.sqlite.prepare("SELECT count(*) AS n FROM participants WHERE status = 'completed'").get() as { n: number }
  ).n;
  database.close();
  return { ...result, completed };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round1 = (value: number, digits = 0) => Number(value.toFixed(digits));
/** A median rounded, or nothing when the bot was not measured (ONLY=echo or ONLY=chorus). */
const figure = (value: number | undefined, digits = 0) => (value === undefined ? undefined : round1(value, digits));
const share = (part: number | undefined, whole: number | undefined) =>
  part === undefined || whole === undefined ? undefined : round1(part / whole, 3);

/**
 * Two regimes: an instant fake (the bots' CPU is the only limit: the worst
 * case for any bot doing real work per update), and a fake answering after
 * LATENCY_MS like a Bot API across the internet, with fewer people at once.
 */
const REGIMES = [
  { name: "instant", latencyMs: 0, participants: PARTICIPANTS },
  { name: "latency", latencyMs: LATENCY_MS, participants: LATENCY_PARTICIPANTS },
].filter((regime) => !REGIME || regime.name === REGIME);

const script = recordScript();
const server = new FakeServerProcess();
const regimes: Record<string, unknown>[] = [];
let incomplete = false;
try {
  for (const regime of REGIMES) {
    const updates = updatesFor(script, 500_000, regime.participants);
    const echo: RoundResult[] = [];
    const chorus: RoundResult[] = [];
    const adapter: RoundResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (ONLY !== "chorus") echo.push(await echoRound(server, updates, regime.latencyMs));
      if (ONLY !== "echo") chorus.push(await chorusRound(server, updates, regime.latencyMs));
      if (!ONLY && regime.latencyMs === 0) adapter.push(await chorusRound(server, updates, 0, true));
      const e = echo.at(-1);
      const c = chorus.at(-1);
      process.stderr.write(
        `${regime.name} round ${round + 1}/${ROUNDS}: echo ${Math.round(e?.perSecond ?? 0)}/s (${Math.round(e?.perCpuSecond ?? 0)}/CPU-s), ` +
          `chorus ${Math.round(c?.perSecond ?? 0)}/s (${Math.round(c?.perCpuSecond ?? 0)}/CPU-s), ${c?.completed ?? "-"} completed` +
          (adapter.length > round ? `, adapter only ${Math.round(adapter[round]?.perSecond ?? 0)}/s\n` : "\n"),
      );
      if (c && c.completed !== regime.participants) incomplete = true;
    }
    const pick = (results: RoundResult[], field: keyof RoundResult) => median(results.map((r) => Number(r[field])));
    regimes.push({
      regime: regime.name,
      latencyMs: regime.latencyMs,
      participants: regime.participants,
      updates: updates.length,
      echoUpdatesPerSecond: figure(pick(echo, "perSecond")),
      chorusUpdatesPerSecond: figure(pick(chorus, "perSecond")),
      chorusShareOfEcho: share(pick(chorus, "perSecond"), pick(echo, "perSecond")),
      echoUpdatesPerCpuSecond: figure(pick(echo, "perCpuSecond")),
      chorusUpdatesPerCpuSecond: figure(pick(chorus, "perCpuSecond")),
      chorusShareOfEchoPerCpuSecond: share(pick(chorus, "perCpuSecond"), pick(echo, "perCpuSecond")),
      ...(adapter.length > 0
        ? {
            adapterOnlyUpdatesPerSecond: figure(pick(adapter, "perSecond")),
            adapterOnlyShareOfEcho: share(pick(adapter, "perSecond"), pick(echo, "perSecond")),
            adapterOnlyUpdatesPerCpuSecond: figure(pick(adapter, "perCpuSecond")),
            adapterOnlyShareOfEchoPerCpuSecond: share(pick(adapter, "perCpuSecond"), pick(echo, "perCpuSecond")),
          }
        : {}),
      echoCallsPerUpdate: figure(pick(echo, "callsPerUpdate"), 2),
      chorusCallsPerUpdate: figure(pick(chorus, "callsPerUpdate"), 2),
      failedCalls: [...echo, ...chorus].reduce((sum, r) => sum + r.failedCalls, 0),
      roundsEcho: echo.map((r) => Math.round(r.perSecond)),
      roundsChorus: chorus.map((r) => Math.round(r.perSecond)),
    });
  }
} finally {
  // Also after a failure: the fake server is a child process that would outlive the bench.
  await server.close();
}
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const result = {
  machine: `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  loadAverageAfter: os.loadavg().map((value) => round1(value, 1)),
  updatesPerParticipant: script.length,
  rounds: ROUNDS,
  target: "chorus ≥ 0.8 × echo updates/s",
  regimes,
};
writeFileSync(path.join(outDir, "telegram.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
if (incomplete) {
  console.error("some participants did not complete: the replay went wrong");
  process.exitCode = 1;
}
