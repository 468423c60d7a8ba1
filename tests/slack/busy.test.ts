import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type SlackHarness, startSlackHarness } from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("Slack: a database locked by another writer", () => {
  it("retries, then tells the participant in their language that the answer was not saved", async () => {
    h = await startSlackHarness();
    const harness = h;
    const eva = harness.user("U0EVA");
    await eva.start();
    await eva.press("es");
    const consent = eva.lastMessage;
    const step = harness.database.sqlite.prepare("SELECT step FROM flow_states").get();

    harness.database.sqlite.pragma("busy_timeout = 5");
    const locker = new Database(harness.database.sqlite.name);
    locker.exec("BEGIN IMMEDIATE");
    try {
      await eva.press("yes", consent);
      expect(eva.lastMessage.text).toBe(harness.i18n.fixedT("es")("errors.busy"));
      expect(harness.database.sqlite.prepare("SELECT step FROM flow_states").get()).toEqual(step);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    const logged = harness.logLines.filter((line) => line.includes("database locked"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain("U0EVA");
    await eva.press("yes", consent);
    expect(harness.database.sqlite.prepare("SELECT consent_version FROM participants").get()).toEqual({
      consent_version: "2026-01",
    });
  });
});
