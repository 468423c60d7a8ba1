import { afterEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../helpers/fake-slack-server.js";
import { processedEventIds } from "../helpers/processed-events.js";
import {
  expectCompletedSession,
  messageText,
  type SlackHarness,
  type SlackTestUser,
  startSlackHarness,
  walkSlackSurvey,
} from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The message as a client that has not refreshed still shows it. */
function snapshot(message: StoredMessage): StoredMessage {
  return structuredClone(message);
}

async function toConsent(user: SlackTestUser): Promise<void> {
  await user.start();
  await user.press("en");
}

describe("Slack reliability", () => {
  it("treats a retried event (same event_id, X-Slack-Retry-Num) as a no-op", async () => {
    h = await startSlackHarness();
    const dana = h.user("U0DANA");
    await toConsent(dana);
    // Text where a button is expected: answered once (the question again, below).
    await dana.type("hello", { eventId: "Ev0FIRST" });
    const posted = h.fake.callsOf("chat.postMessage").length;
    const step = (h.database.sqlite.prepare("SELECT step FROM flow_states").get() as { step: number }).step;

    for (const retryNum of [1, 2]) {
      const retried = await dana.type("hello", { eventId: "Ev0FIRST", retryNum });
      expect(retried.status).toBe(200);
    }
    expect(h.fake.callsOf("chat.postMessage")).toHaveLength(posted);
    expect(h.database.sqlite.prepare("SELECT step FROM flow_states").get()).toEqual({ step });
    expect(processedEventIds(h.database.sqlite)).toEqual(["Ev0FIRST"]);
    const retryLines = h.logLines.filter((line) => line.includes("event redelivered"));
    expect(retryLines).toHaveLength(2);
    expect(JSON.parse(retryLines[1] ?? "{}")).toMatchObject({ eventId: "Ev0FIRST", retryNum: 2 });
    expect(h.logLines.join("")).not.toContain("U0DANA");
  });

  it("does not record a typed rationale twice when Slack redelivers its event", async () => {
    const harness = await startSlackHarness();
    h = harness;
    const erin = harness.user("U0ERIN");
    const reason = "All four answers were useful in different careful ways.";
    let redelivered = false;
    await walkSlackSurvey(erin, {
      rationale: reason,
      beforeEach: async (step) => {
        // Step 19 presses Done after the personal reason was typed: first Slack delivers that event again.
        if (step !== 19) return;
        redelivered = true;
        const calls = harness.fake.calls.length;
        await erin.type(reason, { eventId: erin.lastEventId ?? "", retryNum: 1 });
        expect(harness.fake.calls.length).toBe(calls);
      },
    });
    expect(redelivered).toBe(true);
    const parts = harness.database.sqlite
      .prepare("SELECT block, rationale_parts FROM ranking_blocks ORDER BY assessment_id, block DESC")
      .all();
    expect(parts).toEqual([
      { block: "world", rationale_parts: 1 },
      { block: "personal", rationale_parts: 1 },
      { block: "world", rationale_parts: 1 },
    ]);
    expectCompletedSession(h.database.sqlite, {
      platform: "slack",
      platformUserId: "U0ERIN",
      ranking: ["B", "=A", "D", "C"],
      rationale: reason,
      unacceptable: { display: ["C"], rationale: "It dismisses the question without any care." },
    });
  });

  it("answers a stale button with an ephemeral 'out of date' and changes nothing", async () => {
    h = await startSlackHarness();
    const finn = h.user("U0FINN");
    await toConsent(finn);
    const consent = snapshot(finn.lastMessage);
    await finn.press("yes");
    const step = () =>
      (h?.database.sqlite.prepare("SELECT step FROM flow_states").get() as { step: number } | undefined)?.step;
    const before = { step: step(), posted: h.fake.callsOf("chat.postMessage").length };

    // The consent message as an unrefreshed client still shows it: "No, thanks" pressed late.
    await finn.press("no", consent);
    expect(finn.notices).toEqual([h.i18n.render("en", { key: "errors.stale" })]);
    expect(step()).toBe(before.step);
    expect(h.fake.callsOf("chat.postMessage")).toHaveLength(before.posted);
    expect(h.database.sqlite.prepare("SELECT status, consent_version FROM participants").get()).toMatchObject({
      status: "active",
      consent_version: "2026-01",
    });
    // The screening question is still the one to answer.
    expect(messageText(finn.lastMessage)).toContain("opposite of 'cold'");
  });

  it("waits out a 429 (Retry-After) in the middle of a session and loses nothing", async () => {
    h = await startSlackHarness();
    const gail = h.user("U0GAIL");
    const started = Date.now();
    await walkSlackSurvey(gail, {
      beforeEach: (step) => {
        // Step 9: a tie pressed on the card (chat.update); step 12: a typed reason (the card posted below it).
        if (step === 9) h?.fake.failNext("chat.update", { status: 429, retryAfter: 1 });
        if (step === 12) h?.fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
      },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const limited = h.fake.calls.filter((call) => call.status === 429);
    expect(limited.map((call) => call.method)).toEqual(["chat.update", "chat.postMessage"]);
    for (const call of limited) {
      const retry = h.fake.calls.find(
        (later) => later.method === call.method && later.at > call.at && later.status === 200,
      );
      expect(retry).toBeDefined();
      expect((retry?.at ?? 0) - call.at).toBeGreaterThanOrEqual(1000);
    }
    expectCompletedSession(h.database.sqlite, {
      platform: "slack",
      platformUserId: "U0GAIL",
      ranking: ["B", "=A", "D", "C"],
      rationale: "The second one is careful and honest, the others are not.",
      unacceptable: { display: ["C"], rationale: "It dismisses the question without any care." },
    });
    // Every message arrived once: one "Saved" per scenario, one card moved below each of the four reasons.
    const texts = gail.messages.map((message) => messageText(message));
    expect(texts.filter((text) => text.includes("Saved. 1 of 2"))).toHaveLength(1);
    expect(texts.filter((text) => text.includes("Saved. 2 of 2"))).toHaveLength(1);
    expect(texts.filter((text) => text.includes("continued below"))).toHaveLength(4);
  });

  it("keeps one participant's messages in order while an earlier delivery is slow", async () => {
    const harness = await startSlackHarness();
    h = harness;
    const rosa = harness.user("U0ROSA");
    await toConsent(rosa);
    harness.fake.failNext("chat.update", { status: 200, delayMs: 800 });
    const updates = harness.fake.callsOf("chat.update").length;
    const seen = harness.fake.arrived.length;
    const press = rosa.press("yes");
    await harness.fake.waitForArrival("chat.update", seen);
    expect(harness.fake.callsOf("chat.update")).toHaveLength(updates);
    // While the press's delivery waits for Slack, the participant asks for their progress.
    await Promise.all([press, rosa.command("progress")]);
    const texts = rosa.messages.map((message) => messageText(message));
    const screening = texts.findIndex((text) => text.includes("opposite of 'cold'"));
    const progress = texts.findIndex((text) =>
      text.startsWith(harness.i18n.render("en", { key: "progress.not_started" })),
    );
    expect(screening).toBeGreaterThan(0);
    expect(progress).toBe(screening + 1);
  });

  it("retries a 5xx from the Web API", async () => {
    h = await startSlackHarness();
    const hana = h.user("U0HANA");
    h.fake.failNext("chat.postMessage", { status: 500 });
    await hana.start();
    expect(h.fake.callsOf("chat.postMessage").map((call) => call.status)).toEqual([500, 200]);
    expect(messageText(hana.lastMessage)).toContain("Which language");
  });

  it("tells the participant, translated, when a handler fails, logs ids only, and the survey goes on", async () => {
    h = await startSlackHarness({ locales: { U0IVAN: "es-MX" } });
    const ivan = h.user("U0IVAN");
    await ivan.start();
    h.fake.failNext("chat.update", { status: 200, error: "fatal_error" });
    await ivan.press("es");
    // The error handler runs after the listener; the app counts it as in flight, so the press waited for it.
    const apology = ivan.messages.find((message) => message.text.startsWith("Lo sentimos"));
    expect(apology?.text).toBe(h.i18n.render("es", { key: "errors.internal" }));
    const failure = h.logLines.map((line) => JSON.parse(line)).find((line) => line.msg === "slack: handler failed");
    expect(failure).toMatchObject({ type: "block_actions", err: { slackError: "fatal_error" } });
    expect(JSON.stringify(failure)).not.toContain("Español");
    // Logs carry no Slack user id (README: participant ids only).
    expect(h.logLines.join("")).not.toContain("U0IVAN");
    // The choice itself was recorded; "/chorus help" shows where things stand, and the survey continues.
    await ivan.command("help");
    expect(messageText(ivan.lastMessage)).toContain("¿Acepta participar?");
    await ivan.press("yes");
    expect(messageText(ivan.lastMessage)).toContain("'cold'");
  });
});
