import { afterEach, describe, expect, it } from "vitest";
import { readChoiceId } from "../../src/core/flow/prompts.js";
import type { Study } from "../../src/core/study/schema.js";
import { slackSay } from "../../src/slack/text.js";
import { loadMiniStudy } from "../helpers/db.js";
import type { StoredMessage } from "../helpers/fake-slack-server.js";
import { messageText, type SlackHarness, startSlackHarness, toFirstCard } from "../helpers/slack-harness.js";
import { choicesOn, liveMessage } from "../helpers/slack-participant.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const REASON = "The careful answer respects the person and says what it cannot know.";
const text = (key: string, params?: Record<string, string | number>) =>
  h?.i18n.render("en", params ? { key, params } : { key }) ?? "";

/** Calls made since `from`, by method. */
function callsSince(harness: SlackHarness, from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of harness.fake.calls.slice(from)) counts[call.method] = (counts[call.method] ?? 0) + 1;
  return counts;
}

/** The weather scenario with four responses of about 3,000 characters: too long for all at once on a card. */
function pagedStudy(): Study {
  const study = loadMiniStudy();
  const weather = study.scenarios[0];
  if (!weather) throw new Error("mini study changed");
  weather.responses = weather.responses.map((response) => ({
    ...response,
    text: `${response.label}: ${"Forecasts give a chance of rain; carry what keeps you dry. ".repeat(50)}`.trim(),
  }));
  study.scenarios = [weather];
  study.assignment.scenariosPerParticipant = 1;
  return study;
}

function state(harness: SlackHarness): { step: number; task?: { stage: string; opens: number[]; draft?: unknown } } {
  const row = harness.database.sqlite.prepare<[], { state: string }>("SELECT state FROM flow_states").get();
  return JSON.parse(String(row?.state));
}

describe("the scenario card in the DM", () => {
  it("opens each response in place on a paged card, at the rationale stage too, and ranks after re-reading", async () => {
    h = await startSlackHarness({ study: pagedStudy() });
    const una = h.user("U0UNA");
    await toFirstCard(una);
    const card = una.card;
    const responses = pagedStudy().scenarios[0]?.responses ?? [];
    expect(messageText(card)).toContain("Tap a letter to read that response.");
    // Only the open response is on a paged card.
    const shown = () => responses.filter((response) => messageText(una.card).includes(response.text));
    expect(shown()).toHaveLength(1);

    const before = h.fake.calls.length;
    for (const index of [1, 2, 3]) await una.press(readChoiceId(0, index));
    for (const choice of ["p:B", "p:A", "p:C", "ok"]) await una.press(choice);
    expect(state(h).task?.stage).toBe("rationale");
    // At the rationale stage every response is still one press away: read them all again, in place.
    const order = (h.database.sqlite.prepare("SELECT shown_order FROM assignments").get() as { shown_order: string })
      .shown_order;
    for (const index of [0, 1, 2, 3]) {
      const updates = una.card.updates;
      await una.press(readChoiceId(0, index));
      expect(una.card.updates).toBe(updates + 1);
      expect(shown().map((response) => response.label)).toEqual([order[index]]);
    }
    expect(callsSince(h, before)).toEqual({ "chat.update": 11 });
    expect(una.card.ts).toBe(card.ts);
    // The step did not move: the reason still answers this card, and the ranking is kept.
    await una.type(REASON);
    await una.press("done");
    expect(state(h).task?.stage).toBe("ranking");
    const assessment = () =>
      h?.database.sqlite.prepare("SELECT layout, opens FROM assessments").get() as { layout: string; opens: string };
    // The personal block is ranked after re-reading each response once more.
    for (const index of [0, 1, 2, 3]) await una.press(readChoiceId(0, index));
    for (const choice of ["p:D", "p:C", "p:B", "ok"]) await una.press(choice);
    await una.type(REASON);
    await una.press("done");
    await una.press("none");
    // Read before the first ranking: each response once (A on the card, B, C and D opened).
    const { layout, opens } = assessment();
    expect(layout).toBe("paged");
    expect(JSON.parse(opens)).toEqual({ A: 1, B: 1, C: 1, D: 1 });
  });

  it("places ties and takes them back in place: one chat.update per click, no new message", async () => {
    h = await startSlackHarness();
    const vic = h.user("U0VIC");
    await toFirstCard(vic);
    const card = vic.card;
    const before = h.fake.calls.length;
    const presses = ["p:B", "t:A", "undo", "t:D", "undo", "t:A", "p:D", "tie_last", "untie_last", "undo", "p:C"];
    for (const choice of presses) await vic.press(choice);
    expect(callsSince(h, before)).toEqual({ "chat.update": presses.length });
    expect(vic.card.ts).toBe(card.ts);
    expect(vic.card.updates).toBe(presses.length);
    expect(messageText(vic.card)).toContain(text("ranking.confirm", { ranking: "B = A > C > D" }));
    expect(vic.notices).toEqual([]);
  });

  it("keeps a 9,000-character reason sent as three messages whole, and the same message sent twice once", async () => {
    const study = loadMiniStudy();
    study.rationale = { ...study.rationale, maxChars: 10_000 };
    let now = Date.parse("2026-03-01T10:00:00Z");
    h = await startSlackHarness({ study, now: () => new Date(now) });
    const wes = h.user("U0WES");
    await toFirstCard(wes);
    for (const choice of ["p:B", "p:A", "p:C", "ok"]) await wes.press(choice);
    const parts = ["first", "second", "third"].map((word) =>
      `${word}: ${"a considered point. ".repeat(150)}`.slice(0, 2999).concat("!"),
    );
    for (const part of parts) {
      now += 2000;
      const posted = h.fake.callsOf("chat.postMessage").length;
      await wes.type(part);
      // Each part moves the card below it, showing the length so far.
      expect(h.fake.callsOf("chat.postMessage")).toHaveLength(posted + 1);
    }
    expect(messageText(wes.card)).toContain(text("card.draft", { chars: 9002, max: 10_000 }));
    // The last part again, a second later: one message sent twice, nothing happens.
    now += 1000;
    const calls = h.fake.calls.length;
    await wes.type(parts[2] ?? "");
    expect(h.fake.calls.length).toBe(calls);
    await wes.press("done");
    for (const choice of ["p:B", "p:A", "p:C", "ok"]) await wes.press(choice);
    await wes.type(REASON);
    await wes.press("done");
    await wes.press("none");
    expect(
      h.database.sqlite
        .prepare("SELECT block, rationale, rationale_parts FROM ranking_blocks ORDER BY block DESC")
        .all(),
    ).toEqual([
      { block: "world", rationale: parts.join("\n"), rationale_parts: 3 },
      { block: "personal", rationale: REASON, rationale_parts: 1 },
    ]);
  });

  it("answers a shared file and an edited message in one line, losing nothing", async () => {
    h = await startSlackHarness();
    const xia = h.user("U0XIA");
    await toFirstCard(xia);
    // A file where a button is expected.
    await xia.shareFile();
    expect(messageText(xia.card).split("\n")[0]).toBe(text("errors.use_buttons"));
    for (const choice of ["p:B", "p:A", "p:C", "ok"]) await xia.press(choice);
    // A photo without words at the reason: asked to type it.
    await xia.shareFile();
    expect(messageText(xia.card).split("\n")[0]).toBe(text("rationale.type_it"));
    expect(state(h).task?.draft).toBeUndefined();
    // A photo with a caption: kept as a part, flagged until Done.
    await xia.shareFile(REASON);
    expect(messageText(xia.card)).toContain(text("card.draft_caption"));
    // An edit: a one-line answer, the survey unchanged.
    const step = state(h).step;
    await xia.edit(REASON, `${REASON} Edited.`);
    expect(xia.notices).toEqual([h.i18n.render("en", { key: "slack.edited" })]);
    expect(state(h).step).toBe(step);
    // The app's own edits of its messages (also message_changed) are not answered.
    const notices = xia.notices.length;
    await xia.event({
      type: "message",
      subtype: "message_changed",
      channel: xia.dm,
      channel_type: "im",
      message: { type: "message", user: h.fake.botUserId, bot_id: h.fake.botId, text: "card", ts: "2.1" },
      previous_message: { type: "message", user: h.fake.botUserId, bot_id: h.fake.botId, text: "old", ts: "2.1" },
      ts: "2.2",
    });
    expect(xia.notices).toHaveLength(notices);
    await xia.press("done");
    const row = h.database.sqlite.prepare<[], { state: string }>("SELECT state FROM flow_states").get();
    expect(JSON.parse(String(row?.state)).task.answers.world.rationale).toBe(REASON);
  });

  it("answers progress, my data and help mid-question and leaves the current buttons below the answer", async () => {
    h = await startSlackHarness();
    const yan = h.user("U0YAN");
    await yan.start();
    await yan.press("en");
    // On a question: the answer, then the question again with its buttons; the old one points below.
    const consent = yan.lastMessage;
    await yan.command("progress");
    expect(messageText(yan.lastMessage)).toContain(text("progress.not_started"));
    expect(choicesOn(yan.lastMessage)).toEqual(["yes", "no"]);
    const old = yan.messages.find((message) => message.ts === consent.ts);
    expect(old?.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(messageText(old ?? { blocks: [] })).toContain(h.i18n.render("en", { key: "slack.moved_below" }));
    for (const choice of ["yes", "hot", "18-29", "US", "go"]) await yan.press(choice);
    await yan.press("p:A");
    // On the card: the answer heads the card, posted anew with its buttons; the old card is one line.
    for (const command of ["progress", "mydata", "help"]) {
      const card = yan.card;
      await yan.command(command);
      const moved = yan.messages.find((message) => message.ts === card.ts) as StoredMessage;
      expect(moved.blocks.some((block) => block.type === "actions")).toBe(false);
      expect(messageText(moved)).toContain("Scenario 1 of 2: continued below ↓");
      expect(yan.card.ts).not.toBe(card.ts);
      expect(choicesOn(yan.card)).toContain("p:B");
    }
    expect(messageText(yan.card)).toContain("Commands:");
    // One message offers buttons: the newest card.
    expect(yan.messages.filter((message) => message.blocks.some((block) => block.type === "actions"))).toEqual([
      liveMessage(yan),
    ]);
    await yan.press("p:B");
    expect(messageText(yan.card)).toContain("So far: A > B");
    expect(h.fake.responses).toEqual([]);
  });

  it("tells a paused participant who presses an old button how to resume, and resumes on the card", async () => {
    h = await startSlackHarness();
    const zed = h.user("U0ZED");
    await toFirstCard(zed);
    const card = structuredClone(zed.card);
    await zed.command("pause");
    expect(messageText(zed.lastMessage)).toContain("/chorus resume");
    expect(choicesOn(zed.lastMessage)).toEqual(["resume"]);
    const posted = h.fake.callsOf("chat.postMessage").length;
    // The card as an unrefreshed client still shows it.
    await zed.press("p:A", card);
    expect(zed.notices).toEqual([slackSay(h.i18n, "en")({ key: "pause.still_paused" })]);
    expect(h.fake.callsOf("chat.postMessage")).toHaveLength(posted);
    await zed.press("resume");
    expect(messageText(zed.lastMessage)).toContain(text("pause.resumed"));
    expect(choicesOn(zed.card)).toContain("p:A");
  });

  it("works from a process that never saw the card (a restart): the press edits it in place, the form opens", async () => {
    h = await startSlackHarness();
    const bo = h.user("U0BO");
    await toFirstCard(bo);
    await bo.press("p:A");
    const card = bo.card;
    const restarted = await startSlackHarness({
      databasePath: h.database.sqlite.name,
      seedStudy: false,
      fake: h.fake,
      idPrefix: "r-",
    });
    try {
      const again = restarted.user("U0BO");
      const before = h.fake.calls.length;
      await again.press("p:B");
      // (auth.test: the new app checks its token on its first request.)
      expect(callsSince(h, before)).toEqual({ "auth.test": 1, "chat.update": 1 });
      expect(again.card.ts).toBe(card.ts);
      expect(messageText(again.card)).toContain("So far: A > B.");
      const view = await again.openForm();
      expect(view.callback_id).toBe("chorus.card");
      // Typed: the card moves below the reason, the old one shrinks to its summary.
      for (const choice of ["p:C", "ok"]) await again.press(choice);
      await again.type(REASON);
      expect(again.card.ts).not.toBe(card.ts);
      expect(messageText(again.messages.find((message) => message.ts === card.ts) ?? { blocks: [] })).toBe(
        "Scenario 1 of 2: continued below ↓",
      );
    } finally {
      await restarted.close();
    }
  });
});
