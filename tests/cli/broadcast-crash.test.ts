import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBroadcast } from "../../src/broadcast/outbox.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { cliActor } from "../../src/staff/audit.js";
import { runChorus } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { type FakeTelegramServer, startFakeTelegramServer } from "../helpers/fake-telegram-server.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { seedParticipants } from "../helpers/participants.js";

/**
 * `kill -9` in the middle of `chorus broadcast send`, then a resume: every
 * recipient gets the message, and the only possible duplicate is the one
 * delivery that was in flight (the platform had confirmed it, the database
 * had not recorded it yet: the documented ambiguity window).
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

/** Starts `chorus broadcast send ID` in a child process; resolves when it exits (killed or not). */
function startSend(broadcastId: number, apiRoot: string): Promise<number | null> {
  const started = spawn(process.execPath, ["--import", "tsx", CLI, "broadcast", "send", String(broadcastId)], {
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
 * Runs `send` in a child and SIGKILLs it when the KILL_AT-th message reaches
 * the proxy: before forwarding it (`request`: Telegram never got it) or
 * after Telegram accepted it but before the child heard back (`answer`).
 */
async function sendAndKill(stage: "request" | "answer"): Promise<{ broadcastId: number; inFlight: string[] }> {
  const broadcastId = create();
  let seen = 0;
  proxy = await startFaultProxy({
    target: server.apiRoot,
    style: "telegram",
    hook: async (path, at) => {
      if (!path.endsWith("/sendMessage") || at !== stage) return;
      if (++seen === KILL_AT) await killChild();
    },
  });
  const exit = await startSend(broadcastId, proxy.url);
  expect(exit).toBeNull(); // killed by the signal, not exited
  const rows = deliveryRows(broadcastId);
  const inFlight = rows.filter((row) => row.status === "pending" && row.last_error === "in_flight");
  expect(inFlight).toHaveLength(1);
  expect(rows.filter((row) => row.status === "sent")).toHaveLength(KILL_AT - 1);
  return { broadcastId, inFlight: inFlight.map((row) => row.participant_id) };
}

function expectExactlyOnceExcept(inFlightParticipant: string, duplicateExpected: boolean) {
  const counts = perChat();
  const inFlightChat = Number(inFlightParticipant.replace("p-telegram-", ""));
  for (const [chat, count] of counts) {
    if (chat === inFlightChat) expect(count).toBe(duplicateExpected ? 2 : 1);
    else expect(count, `chat ${chat}`).toBe(1);
  }
}

describe("a broadcast killed with SIGKILL mid-way", () => {
  it("resumed with `chorus broadcast resume`: everyone once; the in-flight one twice at most", async () => {
    const { broadcastId, inFlight } = await sendAndKill("answer");
    // Telegram had accepted the in-flight message; the child died before recording it.
    expect(server.chat(Number(inFlight[0]?.replace("p-telegram-", ""))).length).toBe(1);

    const resumed = await runChorus(["broadcast", "resume", String(broadcastId)], env(server.apiRoot));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/1 delivery\(ies\) were in flight/);
    expectExactlyOnceExcept(inFlight[0] as string, true);
    const rows = deliveryRows(broadcastId);
    expect(rows.every((row) => row.status === "sent")).toBe(true);
    const status = db.sqlite.prepare("SELECT status FROM broadcasts WHERE id = ?").get(broadcastId) as {
      status: string;
    };
    expect(status.status).toBe("sent");

    // A second send or resume sends nothing more.
    const again = await runChorus(["broadcast", "send", String(broadcastId)], env(server.apiRoot));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already sent/);
    const total = [...perChat().values()].reduce((sum, n) => sum + n, 0);
    expect(total).toBe(RECIPIENTS + 1);
  }, 60_000);

  it("killed before Telegram got the message: resumed by `npm start`, nobody twice", async () => {
    const { broadcastId, inFlight } = await sendAndKill("request");
    expect(server.chat(Number(inFlight[0]?.replace("p-telegram-", ""))).length).toBe(0);

    // `npm start` (src/main.ts) with the bot's credentials resumes pending broadcasts at once.
    const main = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env(server.apiRoot), LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = main;
    let output = "";
    main.stdout?.on("data", (chunk) => {
      output += String(chunk);
    });
    main.stderr?.on("data", (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => main.once("exit", (code) => resolve(code)));
    const status = () =>
      (db.sqlite.prepare("SELECT status FROM broadcasts WHERE id = ?").get(broadcastId) as { status: string }).status;
    for (let waited = 0; waited < 30_000 && status() !== "sent"; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status()).toBe("sent");
    main.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("deliveries in flight at an earlier interruption were sent again");
    expectExactlyOnceExcept(inFlight[0] as string, false);
    expect(deliveryRows(broadcastId).every((row) => row.status === "sent")).toBe(true);
  }, 60_000);
});
