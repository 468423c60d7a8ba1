import { afterEach, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/slack/blocks.js";
import { textLength } from "../helpers/fake-slack-server.js";
import { processedEventIds } from "../helpers/processed-events.js";
import {
  expectCompletedSession,
  messageText,
  type SlackHarness,
  startSlackHarness,
  walkSlackSurvey,
} from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RATIONALE = "The second one is careful and honest, the others are not.";

/** Slack-level rules every conversation keeps, checked on the recorded calls. */
function expectSlackRulesKept(harness: SlackHarness): void {
  expect(harness.fake.calls.filter((call) => call.status !== 200 || call.error)).toEqual([]);
  for (const call of [...harness.fake.callsOf("chat.postMessage"), ...harness.fake.callsOf("chat.update")]) {
    expect(textLength(call.args.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
    expect(String(call.args.text).length).toBeGreaterThan(0);
  }
}

describe("a full session on Slack", () => {
  it("takes a participant from App Home to completion and stores every answer", async () => {
    h = await startSlackHarness();
    const alice = h.user("U0ALICE");
    await alice.openHome();
    const home = messageText(h.fake.homes.get("U0ALICE") ?? {});
    expect(home).toContain("Chorus is a research survey");
    expect(home).toContain("Start");
    // Opening App Home creates nobody.
    expect(h.database.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 0 });

    await walkSlackSurvey(alice, {
      ranking: ["B", "=A", "D", "C"],
      rationale: RATIONALE,
    });

    expect(messageText(alice.lastMessage)).toContain("Your completion code is MINI-2026");
    expectCompletedSession(h.database.sqlite, {
      platform: "slack",
      platformUserId: "U0ALICE",
      ranking: ["B", "=A", "D", "C"],
      rationale: RATIONALE,
      unacceptable: { display: ["C"], rationale: "It dismisses the question without any care." },
    });
    // The personal rationale was typed in the DM: its event id is a processed event.
    expect(processedEventIds(h.database.sqlite, "slack").length).toBeGreaterThanOrEqual(1);
    expectSlackRulesKept(h);

    // Each scenario is one card: its presses edit it in place; each typed reason posts it anew below,
    // the old card shrinking to one line. Only the last message may still offer buttons.
    const cards = alice.messages.filter((message) => messageText(message).includes("continued below ↓"));
    expect(cards).toHaveLength(4);
    for (const card of cards) expect(card.blocks.map((block) => block.type)).not.toContain("actions");
    const withButtons = alice.messages.filter((message) => message.blocks.some((block) => block.type === "actions"));
    expect(withButtons).toEqual([]);
    expect(messageText(alice.lastMessage)).toContain("✓ Scenario 2 of 2 saved");

    // App Home shows the new progress and Continue.
    await alice.openHome();
    const after = messageText(h.fake.homes.get("U0ALICE") ?? {});
    expect(after).toContain("Your completion code is MINI-2026");
    expect(after).toContain("Continue");
    // Nothing the participant wrote reaches the logs.
    expect(h.logLines.join("\n")).not.toContain("careful and honest");
    expect(h.logLines.join("\n")).not.toContain("dismisses the question");
  });

  it("suggests the language from the Slack locale, and the participant's choice wins", async () => {
    h = await startSlackHarness({ locales: { U0BETO: "es-ES" } });
    const beto = h.user("U0BETO");
    await beto.openHome();
    expect(messageText(h.fake.homes.get("U0BETO") ?? {})).toContain("Empezar");
    await beto.pressHome();
    expect(h.fake.callsOf("users.info")[0]?.args).toMatchObject({ user: "U0BETO", include_locale: "true" });
    const first = messageText(beto.messages[0] ?? {});
    expect(first).toContain("¿En qué idioma");
    const participant = () =>
      h?.database.sqlite.prepare("SELECT locale FROM participants WHERE platform_user_id = 'U0BETO'").get();
    expect(participant()).toEqual({ locale: "es" });
    await beto.press("en");
    expect(participant()).toEqual({ locale: "en" });
    expect(messageText(beto.lastMessage)).toContain("Do you agree to take part?");
  });

  it("answers a stranger's message with how to begin, creating nobody; /chorus start begins", async () => {
    h = await startSlackHarness();
    const carol = h.user("U0CAROL");
    await carol.type("hi there");
    expect(messageText(carol.messages[0] ?? {})).toBe("Hello! To take part in the survey, send /chorus start.");
    expect(h.database.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 0 });
    await carol.start();
    const welcome = messageText(carol.lastMessage);
    expect(welcome).toContain("Welcome");
    expect(welcome).toContain("/chorus language");
    expect(welcome).not.toMatch(/(^|\s)\/language/);
  });
});

describe("recruitment posts", () => {
  it("starts the DM flow from a channel post's 'Take part' button with the recruitment source", async () => {
    h = await startSlackHarness();
    const post = {
      channel: "C0GENERAL",
      ts: "1767000000.000001",
      text: "Take part in Chorus",
      updates: 0,
      blocks: [
        { type: "section", text: { type: "plain_text", text: "Help us study how AI should answer." } },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: "chorus.take_part",
              value: "slack_general",
              text: { type: "plain_text", text: "Take part" },
            },
          ],
        },
      ],
    };
    const quinn = h.user("U0QUINN");
    await quinn.pressButton((button) => button.action_id === "chorus.take_part", post);
    expect(messageText(quinn.messages[0] ?? { blocks: [] })).toContain("Which language");
    expect(
      h.database.sqlite.prepare("SELECT source FROM participants WHERE platform_user_id = 'U0QUINN'").get(),
    ).toEqual({
      source: "slack_general",
    });
    // The channel post is left as it is: it is everyone's.
    expect(h.fake.callsOf("chat.update")).toEqual([]);
    // Pressing it again later changes nothing about the source.
    await quinn.press("en");
    await quinn.pressButton((button) => button.action_id === "chorus.take_part", { ...post, channel: "C0OTHER" });
    expect(h.database.sqlite.prepare("SELECT source FROM participants").all()).toEqual([{ source: "slack_general" }]);
  });
});
