import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { broadcastSummary, createBroadcast } from "../../src/broadcast/outbox.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { cliActor } from "../../src/staff/audit.js";
import { runChorus } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { type FakeTelegramServer, startFakeTelegramServer } from "../helpers/fake-telegram-server.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { collectOutput } from "../helpers/output.js";
import { seedParticipants } from "../helpers/participants.js";

/**
 * `kill -9` in the middle of `chorus broadcast send`, then a resume: every
 * recipient gets the message, and the only possible duplicates are the
 * deliveries that were in flight (the platform had confirmed them, the
 * database had not recorded it yet: the documented ambiguity window), each
 * recorded and reported by `broadcast status`.
 *
 * Every kill is an explicit hand-off in the proxy between the CLI and the
 * fake Bot API: the proxy holds the KILL_AT-th message, kills the sender and
 * waits for it to be gone, then drops the exchange (never forwarded, or its
 * answer never relayed). Nothing depends on timing.
 */

const RECIPIENTS = 40;
const KILL_AT = 15;
const CLI = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const i18n = createI18n({ localesDir: LOCALES_DIR });

let db: TestDatabase;
let server: FakeTelegramServer;
let proxy: FaultProxy | undefined;
let child: ChildProcess | undefined;

beforeEach(async () => {
  db = createTestDatabase();
  seedMiniStudy(db);
  seedParticipants(
    db.sqlite,
    "mini",
    Array.from({ length: RECIPIENTS }, (_, i) => ({ platform: "telegram" as const, userId: String(5000 + i) })),
  );
  server = await startFakeTelegramServer();
});

afterEach(async () => {
  child?.kill("SIGKILL");
  await proxy?.close();
  proxy = undefined;
  await server.close();
  db.cleanup();
});

function env(apiRoot: string): Record<string, string> {
  return {
    DATABASE_PATH: db.path,
    TELEGRAM_BOT_TOKEN: server.token,
    TELEGRAM_API_ROOT: apiRoot,
    BROADCAST_TELEGRAM_RATE: "20",
    LOG_LEVEL: "silent",
  };
}

/** Starts `chorus ARGS…` in a child process; resolves with its exit code when it exits (killed or not). */
function startCli(args: string[], apiRoot: string): Promise<number | null> {
  const started = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env(apiRoot) },
    stdio: "ignore",
  });
  child = started;
  return new Promise((resolve) => started.on("exit", (code) => resolve(code)));
}

async function killChild(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once("exit", resolve));
  running.kill("SIGKILL");
  await exited;
}

function perChat(): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < RECIPIENTS; i++) {
    counts.set(5000 + i, server.chat(5000 + i).filter((message) => message.from === "bot").length);
  }
  return counts;
}

const chatOf = (participantId: string) => Number(participantId.replace("p-telegram-", ""));

function deliveryRows(broadcastId: number) {
  return db.sqlite
    .prepare<[number], { participant_id: string; status: string; last_error: string | null }>(
      "SELECT participant_id, status, last_error FROM deliveries WHERE broadcast_id = ?",
    )
    .all(broadcastId);
}

function create(): number {
  return createBroadcast(
    { sqlite: db.sqlite, i18n },
    { filter: { studyId: "mini" }, messages: { en: "New scenarios are ready" } },
    cliActor(),
  ).id;
}

/**
 * Runs `chorus ARGS…` in a child through a proxy that SIGKILLs it at the
 * `killAt`-th sendMessage of this run: before forwarding it (`request`:
 * Telegram never got it) or after Telegram accepted it but before the child
 * heard back (`answer`).
 */
async function runAndKill(args: string[], stage: "request" | "answer", killAt: number): Promise<void> {
  let seen = 0;
  await proxy?.close();
  proxy = await startFaultProxy({
    target: server.apiRoot,
    style: "telegram",
    hook: async (path, at) => {
      if (!path.endsWith("/sendMessage") || at !== stage || ++seen !== killAt) return undefined;
      await killChild();
      return "drop";
    },
  });
  const exit = await startCli(args, proxy.url);
  expect(exit).toBeNull(); // killed by the signal, not exited
}

function inFlight(broadcastId: number): string[] {
  return deliveryRows(broadcastId)
    .filter((row) => row.status === "pending" && row.last_error === "in_flight")
    .map((row) => row.participant_id);
}

async function sendAndKill(stage: "request" | "answer"): Promise<{ broadcastId: number; inFlight: string[] }> {
  const broadcastId = create();
  await runAndKill(["broadcast", "send", String(broadcastId)], stage, KILL_AT);
  const rows = deliveryRows(broadcastId);
  expect(inFlight(broadcastId)).toHaveLength(1);
  expect(rows.filter((row) => row.status === "sent")).toHaveLength(KILL_AT - 1);
  return { broadcastId, inFlight: inFlight(broadcastId) };
}

function expectExactlyOnceExcept(twice: string[]) {
  const doubled = new Set(twice.map(chatOf));
  for (const [chat, count] of perChat()) expect(count, `chat ${chat}`).toBe(doubled.has(chat) ? 2 : 1);
}

describe("a broadcast killed with SIGKILL mid-way", () => {
  it("resumed with `chorus broadcast resume`: everyone once; the in-flight one twice, recorded", async () => {
    const { broadcastId, inFlight } = await sendAndKill("answer");
    // Telegram had accepted the in-flight message; the child died before recording it.
    expect(server.chat(chatOf(inFlight[0] as string)).length).toBe(1);

    const resumed = await runChorus(["broadcast", "resume", String(broadcastId)], env(server.apiRoot));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/1 delivery\(ies\) were in flight/);
    expectExactlyOnceExcept(inFlight);
    expect(deliveryRows(broadcastId).every((row) => row.status === "sent")).toBe(true);
    expect(broadcastSummary(db.sqlite, broadcastId)).toMatchObject({
      status: "sent",
      possibleDuplicates: 1,
      possibleDuplicateParticipants: inFlight,
    });
    const status = await runChorus(["broadcast", "status", String(broadcastId)], env(server.apiRoot));
    expect(status.stdout).toContain("1 may have arrived twice (sent again after an interruption)");

    // A second send or resume sends nothing more.
    const again = await runChorus(["broadcast", "send", String(broadcastId)], env(server.apiRoot));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already sent/);
    const total = [...perChat().values()].reduce((sum, n) => sum + n, 0);
    expect(total).toBe(RECIPIENTS + 1);
  }, 60_000);

  it("interrupted twice: both deliveries that may have gone twice are recorded and reported", async () => {
    const { broadcastId, inFlight: first } = await sendAndKill("answer");
    // The resume sends the in-flight delivery again first; it is killed at its second message's answer.
    await runAndKill(["broadcast", "resume", String(broadcastId)], "answer", 2);
    const second = inFlight(broadcastId);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);

    const finished = await runChorus(["broadcast", "resume", String(broadcastId)], env(server.apiRoot));
    expect(finished.code, finished.stderr).toBe(0);
    const twice = [...first, ...second].sort();
    expectExactlyOnceExcept(twice);
    expect(broadcastSummary(db.sqlite, broadcastId)).toMatchObject({
      status: "sent",
      possibleDuplicates: 2,
      possibleDuplicateParticipants: twice,
    });
    const status = await runChorus(["broadcast", "status", String(broadcastId), "--json"], env(server.apiRoot));
    expect(JSON.parse(status.stdout)).toMatchObject({ possibleDuplicates: 2, possibleDuplicateParticipants: twice });
  }, 90_000);

  it("killed before Telegram got the message: resumed by `npm start`, nobody twice; the one it cannot be sure of is recorded", async () => {
    const { broadcastId, inFlight } = await sendAndKill("request");
    expect(server.chat(chatOf(inFlight[0] as string)).length).toBe(0);

    // `npm start` (src/main.ts) with the bot's credentials resumes pending broadcasts at once.
    const main = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env(server.apiRoot), LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = main;
    const output = collectOutput();
    main.stdout?.on("data", output.append);
    main.stderr?.on("data", output.append);
    const exited = new Promise<number | null>((resolve) => main.once("exit", (code) => resolve(code)));
    // The worker says so once the last pending delivery is recorded.
    await output.printed('"msg":"broadcast sent"');
    main.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output.text()).toContain("deliveries in flight at an earlier interruption were sent again");
    expectExactlyOnceExcept([]);
    expect(deliveryRows(broadcastId).every((row) => row.status === "sent")).toBe(true);
    // Cut short once (here before it reached Telegram, which no sender can tell): recorded as possibly twice.
    expect(broadcastSummary(db.sqlite, broadcastId)).toMatchObject({ status: "sent", possibleDuplicates: 1 });
  }, 60_000);
});
