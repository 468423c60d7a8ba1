import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTelegramHarness } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

describe("Telegram: a database locked by another writer", () => {
  it("retries, then tells the participant in their language that the answer was not saved; it works again after", async () => {
    const harness = await startHarness();
    const ana = harness.user(7301, { languageCode: "es" });
    await ana.start();
    const before = ana.botMessages.length;
    const step = harness.db.sqlite.prepare("SELECT step FROM flow_states").get();

    // Another process holds the write lock for longer than every attempt waits (5 ms each here).
    harness.db.sqlite.pragma("busy_timeout = 5");
    const locker = new Database(harness.db.path);
    locker.exec("BEGIN IMMEDIATE");
    try {
      await ana.press("Español");
      // A press is answered on the button itself (the callback answer), nothing new in the chat.
      const answer = harness.server.callsOf("answerCallbackQuery").at(-1);
      expect(answer?.payload.text).toBe(harness.i18n.fixedT("es")("errors.busy"));
      expect(ana.botMessages).toHaveLength(before);
      expect(harness.db.sqlite.prepare("SELECT step FROM flow_states").get()).toEqual(step);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    // The press was not saved, so the same button still works.
    await ana.press("Español");
    expect(ana.lastBotMessage.text).toContain(harness.i18n.fixedT("es")("consent.ask"));

    // A typed message gets the notice as a message of its own.
    harness.db.sqlite.pragma("busy_timeout = 5");
    const again = new Database(harness.db.path);
    again.exec("BEGIN IMMEDIATE");
    try {
      await ana.send("/help");
      expect(ana.lastBotMessage.text).toBe(harness.i18n.fixedT("es")("errors.busy"));
    } finally {
      again.exec("ROLLBACK");
      again.close();
    }
  });
});
