import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import { createI18n } from "../../src/i18n/index.js";
import { createLogger } from "../../src/logger.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTelegramBot } from "../../src/telegram/bot.js";
import { InFlight } from "../../src/telegram/in-flight.js";
import { runTelegram } from "../../src/telegram/run.js";
import { createTelegramStore } from "../../src/telegram/store.js";
import { createTestDatabase, seedMiniStudy } from "../helpers/db.js";
import { startFakeTelegramServer } from "../helpers/fake-telegram-server.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { useTelegramHarness, walkThroughSurvey } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

describe("running the Telegram bot", () => {
  it("polls through the runner with only the update kinds it handles, after removing any webhook", async () => {
    const harness = await startHarness();
    await harness.user(7000).start();
    const methods = harness.server.received;
    expect(methods.indexOf("deleteWebhook")).toBeGreaterThan(-1);
    expect(methods.indexOf("deleteWebhook")).toBeLessThan(methods.indexOf("getUpdates"));
    expect(harness.server.callsOf("getUpdates")[0]?.payload.allowed_updates).toEqual([
      "message",
      "edited_message",
      "callback_query",
      "my_chat_member",
    ]);
  });

  it("publishes the command menu in every supported language, translated", async () => {
    const harness = await startHarness();
    const commands = harness.server.commands;
    expect(commands.get("")?.map((command) => command.command)).toEqual([
      "start",
      "help",
      "progress",
      "language",
      "pause",
      "resume",
      "mydata",
      "withdraw",
    ]);
    expect(commands.get("en")?.find((command) => command.command === "withdraw")?.description).toBe(
      "Leave the study and delete your answers",
    );
    const spanish = commands.get("es")?.find((command) => command.command === "withdraw")?.description;
    expect(spanish).toBe(harness.i18n.fixedT("es")("commands.withdraw"));
    expect(spanish).not.toBe("Leave the study and delete your answers");
    for (const locale of harness.i18n.locales) expect(commands.has(locale.split("-")[0]!)).toBe(true);
  });

  it("stops gracefully: no new updates are taken, the one in flight finishes", async () => {
    const harness = await startHarness();
    const jo = harness.user(7001);
    harness.server.latencyMs = 150;
    const update = harness.server.userMessage(jo.profile, "/start slow");
    // Stop while the bot is in the middle of answering (its first send is on the wire).
    while (!harness.server.received.includes("sendMessage")) await new Promise((resolve) => setTimeout(resolve, 5));
    await harness.running.stop();
    await harness.handled(update.update_id);
    expect(jo.lastBotMessage.keyboard?.flat().map((button) => button.text)).toContain("English");
    const polls = harness.server.received.filter((method) => method === "getUpdates").length;
    const late = harness.server.userMessage(jo.profile, "/help");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(harness.server.received.filter((method) => method === "getUpdates").length).toBe(polls);
    expect(jo.chat.at(-1)?.text).toBe("/help");
    expect(late.update_id).toBeGreaterThan(update.update_id);
  });
});

describe("starting while the Bot API is unreachable", () => {
  it("logs every failed attempt, retries, and starts polling once Telegram answers", async () => {
    const db = createTestDatabase();
    seedMiniStudy(db);
    const server = await startFakeTelegramServer();
    const proxy = await startFaultProxy({ target: server.apiRoot, style: "telegram" });
    // Two attempts of getMe (each tried twice by the bot's own network retry) never arrive.
    proxy.resetNext(/\/getMe$/, 4);
    const i18n = createI18n({ localesDir: LOCALES_DIR });
    const lines: string[] = [];
    const logger = createLogger(
      "info",
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const inFlight = new InFlight();
    const bot = createTelegramBot({
      token: server.token,
      apiRoot: proxy.url,
      engine: createEngine({
        store: createSurveyStore(db),
        clock: { now: () => new Date() },
        random: () => 0.5,
        newParticipantId: () => "p-retry",
        locales: i18n.locales,
      }),
      i18n,
      logger,
      store: createTelegramStore(db),
      inFlight,
      retry: { networkRetries: 1 },
    });
    try {
      const running = await runTelegram(bot, {
        inFlight,
        i18n,
        logger,
        mode: { kind: "polling", timeoutSeconds: 1 },
        retryDelaysMs: [0],
      });
      const retries = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg.includes("unreachable"));
      expect(retries.map((entry) => [entry.msg, entry.attempt])).toEqual([
        ["Telegram API unreachable (getMe); retrying", 1],
        ["Telegram API unreachable (getMe); retrying", 2],
      ]);
      expect(proxy.resets).toBe(4);
      expect(lines.some((line) => line.includes('"msg":"telegram bot started"'))).toBe(true);
      expect(bot.botInfo.username).toBe(server.botUsername);
      await running.stop();
    } finally {
      await proxy.close();
      await server.close();
      db.cleanup();
    }
  });
});

describe("/stats", () => {
  it("shows staff participants by status and assessments; others are not allowed", async () => {
    const harness = await startHarness();
    const kim = harness.user(8001);
    await walkThroughSurvey(kim);
    const lee = harness.user(8002);
    await lee.start();

    const staff = harness.user(8003);
    harness.db.sqlite
      .prepare(
        "INSERT INTO staff (platform, platform_user_id, role, added_at, added_by) VALUES ('telegram', ?, 'researcher', ?, 'cli')",
      )
      .run(String(staff.id), "2026-01-01T00:00:00.000Z");
    await staff.send("/stats");
    const text = staff.lastBotMessage.text;
    expect(text).toContain("Participants by status");
    expect(text).toContain("Study mini");
    expect(text).toContain("active: 1");
    expect(text).toContain("completed: 1");
    expect(text).toContain("Assessments: 2");
    // Staff asking for stats does not become a participant.
    expect(harness.db.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 2 });

    await lee.send("/stats");
    // The wording depends on whether the staff chat service is wired; either way: no figures.
    expect(lee.lastBotMessage.text).toMatch(/^Sorry, this .*only for the study's/);
    expect(lee.lastBotMessage.text).not.toContain("Participants by status");
  });
});
