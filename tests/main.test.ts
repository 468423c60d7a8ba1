import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "./helpers/db.js";
import { startFakeSlackServer } from "./helpers/fake-slack-server.js";
import { type FakeTelegramServer, startFakeTelegramServer } from "./helpers/fake-telegram-server.js";
import { type FaultProxy, startFaultProxy } from "./helpers/fault-proxy.js";
import { collectOutput, freePort } from "./helpers/output.js";
import { SIGNING_SECRET, signSlackRequest } from "./helpers/slack-harness.js";

/**
 * `npm start` in production: one process that handles the signals. A
 * supervisor (systemd, Docker) signals only the process it started, which is
 * npm; the bot must stop with it, not go on polling behind its back.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));

let db: TestDatabase | undefined;
let server: FakeTelegramServer | undefined;
let child: ChildProcess | undefined;
let proxy: FaultProxy | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await proxy?.close();
  proxy = undefined;
  await server?.close();
  db?.cleanup();
  db = undefined;
  server = undefined;
  child = undefined;
});

/** Starts a command with only the given environment plus PATH and HOME; collects stdout and stderr together. */
function start(command: string, args: string[], env: Record<string, string>) {
  const started = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", npm_config_update_notifier: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = started;
  const output = collectOutput();
  started.stdout?.on("data", output.append);
  started.stderr?.on("data", output.append);
  // 'close': every process holding the pipes (npm and whatever it started) has exited.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    started.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    process: started,
    closed,
    output: output.text,
    printed: output.printed,
  };
}

async function telegramSetup() {
  db = createTestDatabase();
  seedMiniStudy(db);
  db.close();
  server = await startFakeTelegramServer();
  return {
    DATABASE_PATH: db.path,
    TELEGRAM_BOT_TOKEN: server.token,
    TELEGRAM_API_ROOT: server.apiRoot,
    LOG_LEVEL: "info",
  };
}

describe("npm start", () => {
  it("stops the bot when SIGTERM is sent to exactly the process npm start created", async () => {
    const env = await telegramSetup();
    const fake = server as FakeTelegramServer;
    const npm = start("npm", ["start"], env);
    await npm.printed('"msg":"telegram bot started"');
    const user = { id: 9101, firstName: "Ana", languageCode: "en" };
    fake.userMessage(user, "/start");
    await fake.whenCalled("sendMessage", (call) => call.payload.chat_id === user.id);

    expect(npm.process.pid).toBeDefined();
    process.kill(npm.process.pid as number, "SIGTERM");
    const { code } = await npm.closed;
    // Every process npm started has exited (they held the pipes), after a graceful stop.
    expect(npm.output()).toContain("shutting down: finishing updates in flight");
    expect(code).toBe(0);
    const polls = fake.received.filter((method) => method === "getUpdates").length;
    const late = { id: 9102, firstName: "Ben", languageCode: "en" };
    fake.userMessage(late, "/start");
    // Nothing is left to poll: a round trip of our own to the server finds no new getUpdates.
    await fetch(`${fake.apiRoot}/bot${fake.token}/getWebhookInfo`);
    expect(fake.received.filter((method) => method === "getUpdates").length).toBe(polls);
    expect(fake.chat(late.id).filter((message) => message.from === "bot")).toHaveLength(0);
  }, 60_000);
});

/** Lines of output that are not pino's JSON log lines. */
function plainLines(output: string): string[] {
  return output.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("{"));
}

describe("start-up that says what happened", () => {
  it("a setWebhook Telegram refuses stops start-up with one line and exit 1", async () => {
    const env = await telegramSetup();
    const fake = server as FakeTelegramServer;
    fake.failNext("setWebhook", {
      code: 400,
      description: "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    });
    const main = start(process.execPath, ["--import", "tsx", "src/main.ts"], {
      ...env,
      TELEGRAM_WEBHOOK_URL: "https://bot.example.org/telegram",
      TELEGRAM_WEBHOOK_SECRET: "a-webhook-secret-of-enough-length",
      TELEGRAM_WEBHOOK_HOST: "127.0.0.1",
      TELEGRAM_WEBHOOK_PORT: String(await freePort()),
    });
    const { code } = await main.closed;
    expect(code).toBe(1);
    expect(plainLines(main.output())).toEqual([
      "Telegram refused setWebhook: 400 Bad Request: bad webhook: An HTTPS URL must be provided for webhook (check TELEGRAM_WEBHOOK_URL)",
    ]);
  }, 60_000);

  it("a token Telegram refuses stops start-up with one line and exit 1", async () => {
    const env = await telegramSetup();
    const main = start(process.execPath, ["--import", "tsx", "src/main.ts"], {
      ...env,
      TELEGRAM_BOT_TOKEN: "123456:this-is-not-the-token-of-the-fake",
    });
    const { code } = await main.closed;
    expect(code).toBe(1);
    expect(plainLines(main.output())).toEqual(["Telegram refused getMe: 401 Unauthorized (check TELEGRAM_BOT_TOKEN)"]);
  }, 60_000);

  it("an unreachable Telegram API is logged and retried while Slack already answers; SIGTERM still stops", async () => {
    const env = await telegramSetup();
    const fake = server as FakeTelegramServer;
    // Every connection to the Bot API is cut before it arrives: Telegram is unreachable.
    proxy = await startFaultProxy({ target: fake.apiRoot, style: "telegram" });
    proxy.resetNext(undefined, Number.MAX_SAFE_INTEGER);
    const slack = await startFakeSlackServer();
    const port = await freePort();
    try {
      const main = start(process.execPath, ["--import", "tsx", "src/main.ts"], {
        ...env,
        TELEGRAM_API_ROOT: proxy.url,
        SLACK_BOT_TOKEN: "xoxb-main-test",
        SLACK_MODE: "http",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_PORT: String(port),
        SLACK_HOST: "127.0.0.1",
        SLACK_API_URL: slack.apiUrl,
      });
      await main.printed('"msg":"slack app running"');
      const body = JSON.stringify({
        type: "event_callback",
        team_id: "T0CHORUS",
        api_app_id: "A0CHORUS",
        event_id: "Ev0RETRY",
        event_time: 1,
        event: { type: "message", channel: "D0RETRY", channel_type: "im", user: "U0RETRY", text: "hello", ts: "1.1" },
      });
      const answered = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signSlackRequest(SIGNING_SECRET, body) },
        body,
      });
      expect(answered.status).toBe(200);
      await main.printed("Telegram API unreachable (getMe); retrying");
      await slack.whenPosted("D0RETRY");
      // Slack answered while Telegram was still unreachable (typing is not a start: it says how to begin).
      expect(JSON.stringify(slack.messagesIn("D0RETRY")[0]?.blocks)).toContain("/chorus start");
      expect(main.output()).not.toContain("telegram bot started");

      main.process.kill("SIGTERM");
      const { code } = await main.closed;
      expect(code).toBe(0);
      expect(main.output()).toContain("shutting down");
      expect(fake.received).toEqual([]);
    } finally {
      await slack.close();
    }
  }, 60_000);
});
