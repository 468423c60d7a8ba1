import { describe, expect, it } from "vitest";
import type { Study } from "../../src/core/study/schema.js";
import { loadMiniStudy } from "../helpers/db.js";
import { type TelegramHarness, type TestUser, useTelegramHarness } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

const ONBOARDING = ["English", "I agree", "hot", "18–29", "United States", "Start"];

/** The mini study with every scenario in the short form (so Done on a reason saves the assessment). */
function shortStudy(overrides: Partial<Study> = {}): Study {
  const study = loadMiniStudy();
  return { ...study, assignment: { ...study.assignment, longFormTasks: 0 }, ...overrides };
}

async function reachCard(user: TestUser) {
  await user.start();
  for (const label of ONBOARDING) await user.press(label);
  return user.lastBotMessage;
}

/** Ranks B > A > D > C (C placed by itself) and confirms: the card then asks for the reason. */
async function rankAndConfirm(user: TestUser) {
  for (const label of ["B", "A", "D", "✓ Confirm"]) await user.press(label);
  expect(user.lastBotMessage.text).toContain("Why did you rank them this way?");
}

/** A harness and a participant whose card asks for the reason of their first ranking. */
async function atReason(userId: number, study = shortStudy(), now?: () => Date) {
  const harness = await startHarness({ study, ...(now ? { now } : {}) });
  const user = harness.user(userId);
  await reachCard(user);
  await rankAndConfirm(user);
  return { harness, user };
}

function flowState(harness: TelegramHarness, user: TestUser): { step: number; task?: { draft?: { parts: string[] } } } {
  const row = harness.db.sqlite
    .prepare<[string], { state: string }>(
      "SELECT f.state FROM flow_states f JOIN participants p ON p.id = f.participant_id WHERE p.platform_user_id = ?",
    )
    .get(String(user.id));
  return JSON.parse(row?.state ?? "{}");
}

function worldRationale(harness: TelegramHarness): { rationale: string; rationale_parts: number }[] {
  return harness.db.sqlite
    .prepare<[], { rationale: string; rationale_parts: number }>(
      "SELECT rationale, rationale_parts FROM ranking_blocks WHERE block = 'world'",
    )
    .all();
}

const sent = (harness: TelegramHarness) => harness.server.callsOf("sendMessage").length;
const t = (harness: TelegramHarness, key: string, params?: Record<string, string | number>) =>
  harness.i18n.render("en", params ? { key, params } : { key });

describe("a card whose responses are too long to show at once", () => {
  /** Responses of 1,600+ characters, each saying which (canonical) response it is. */
  function longStudy(): Study {
    const study = shortStudy();
    return {
      ...study,
      scenarios: study.scenarios.map((scenario) => ({
        ...scenario,
        responses: scenario.responses.map((response) => ({
          ...response,
          text: `This is response ${response.label} of ${scenario.id}. ${"It says a great deal at length. ".repeat(50)}`,
        })),
      })),
    };
  }

  it("opens each response in place with the read buttons, also after ranking, and records the opens", async () => {
    const harness = await startHarness({ study: longStudy() });
    const ivy = harness.user(5001);
    const card = await reachCard(ivy);
    const shownOrder = harness.db.sqlite.prepare("SELECT shown_order FROM assignments ORDER BY position").get() as {
      shown_order: string;
    };
    const scenario = harness.db.sqlite.prepare("SELECT scenario_id FROM assignments ORDER BY position").get() as {
      scenario_id: string;
    };
    const shows = (index: number) =>
      `── Response ${"ABCD"[index]} ──\nThis is response ${shownOrder.shown_order[index]} of ${scenario.scenario_id}.`;
    expect(card.text).toContain(shows(0));
    expect(card.text).not.toContain(shows(1));
    expect(card.text.length).toBeLessThanOrEqual(4096);
    expect(ivy.buttons().slice(0, 4)).toEqual(["📖 A", "📄 B", "📄 C", "📄 D"]);

    const messages = sent(harness);
    // Reading B and C before ranking; D never before ranking.
    await ivy.press("📄 B");
    await ivy.press("📄 C");
    await rankAndConfirm(ivy);
    // At the reason, every response is still in reach: re-read each one, in place.
    for (const [index, label] of ["A", "B", "C", "D"].entries()) {
      await ivy.press(`📄 ${label}`);
      const now = ivy.message(card.messageId);
      expect(now.text).toContain(shows(index));
      for (const other of [0, 1, 2, 3].filter((candidate) => candidate !== index))
        expect(now.text).not.toContain(shows(other));
      expect(now.text).toContain("Why did you rank them this way?");
      expect(now.keyboard?.[0]?.map((button) => button.text)[index]).toBe(`📖 ${label}`);
    }
    expect(sent(harness)).toBe(messages);
    await ivy.send("I read every one of them again before explaining.");
    await ivy.press("✓ Done");
    const row = harness.db.sqlite.prepare("SELECT layout, opens FROM assessments").get() as {
      layout: string;
      opens: string;
    };
    expect(row.layout).toBe("paged");
    // Opens count what was read before the ranking, by canonical label: A and B, C once each, D not.
    const opens = JSON.parse(row.opens) as Record<string, number>;
    expect(opens[shownOrder.shown_order[3] as string]).toBe(0);
    expect(Object.values(opens).sort()).toEqual([0, 1, 1, 1]);
  });

  it("pages a response longer than a Telegram message inside the card, never cut", async () => {
    const words = Array.from({ length: 1000 }, (_, index) => `w${index}`);
    const long = words
      .map((word, index) => (index % 40 === 39 ? `${word}\n\n` : `${word} `))
      .join("")
      .trim();
    const study = shortStudy();
    const harness = await startHarness({
      study: {
        ...study,
        scenarios: study.scenarios.map((scenario) => ({
          ...scenario,
          responses: scenario.responses.map((response) => ({ ...response, text: long })),
        })),
      },
    });
    const jo = harness.user(5002);
    const card = await reachCard(jo);
    expect(card.text).toMatch(/\n\npage 1\/2\n\n/);
    expect(card.text.length).toBeLessThanOrEqual(4096);
    expect(jo.buttons().slice(0, 6)).toEqual(["📖 A", "📄 B", "📄 C", "📄 D", "· 1 ·", "2"]);
    const first = card.text;
    await jo.press("2");
    const second = jo.message(card.messageId).text;
    expect(second).toMatch(/\n\npage 2\/2\n\n/);
    expect(jo.buttons().slice(4, 6)).toEqual(["1", "· 2 ·"]);
    const shown = [first, second].flatMap((text) => text.split(/\s+/)).filter((word) => /^w\d+$/.test(word));
    expect(shown).toEqual(words);
    // A page is the adapter's alone: the engine's step did not move, and the ranking buttons still work.
    const step = flowState(harness, jo).step;
    await jo.press("· 2 ·");
    expect(flowState(harness, jo).step).toBe(step);
    await jo.press("B");
    expect(jo.message(card.messageId).text).toContain("So far: B.");
    const failed = harness.server.calls.filter((call) => call.status !== 200);
    expect(failed.map((call) => call.description)).toEqual([expect.stringContaining("message is not modified")]);
    expect(harness.server.unansweredQueries()).toEqual([]);
  });
});

describe("reasons as people type them", () => {
  it("keeps a 9,000-character reason the app sent as three messages (4,096 + 4,096 + the rest) whole", async () => {
    const study = shortStudy();
    const { harness, user: kim } = await atReason(5101, { ...study, rationale: { minLetters: 20, maxChars: 10_000 } });
    const whole = "word ".repeat(1800).trim();
    expect(whole.length).toBe(8999);
    for (const part of [whole.slice(0, 4096), whole.slice(4096, 8192), whole.slice(8192)]) await kim.send(part);
    expect(kim.lastBotMessage.text).toContain("Your reason so far: 8999 of at most 10000 characters.");
    await kim.press("✓ Done");
    expect(worldRationale(harness)).toEqual([{ rationale: whole, rationale_parts: 3 }]);
  });

  it("stores the same message sent twice within seconds once, and answers the repeat with nothing", async () => {
    let now = new Date("2026-11-27T10:00:00.000Z");
    const { harness, user: lee } = await atReason(5102, shortStudy(), () => now);
    await lee.send("The same words, sent twice by a shaky thumb.");
    const messages = lee.botMessages.length;
    const calls = harness.server.calls.filter((call) => call.method !== "getUpdates").length;
    now = new Date("2026-11-27T10:00:03.000Z");
    await lee.send("The same words, sent twice by a shaky thumb.");
    expect(lee.botMessages).toHaveLength(messages);
    expect(harness.server.calls.filter((call) => call.method !== "getUpdates")).toHaveLength(calls);
    await lee.press("✓ Done");
    expect(worldRationale(harness)).toEqual([
      { rationale: "The same words, sent twice by a shaky thumb.", rationale_parts: 1 },
    ]);
  });

  it("answers a sticker and a voice note with 'Please type…', keeping nothing", async () => {
    const { harness, user: max } = await atReason(5103);
    const sticker = { sticker: { file_id: "s1", file_unique_id: "u1", type: "regular", width: 512, height: 512 } };
    for (const media of [sticker, { voice: { file_id: "v1", file_unique_id: "u2", duration: 4 } }]) {
      await max.sendMedia(media as never);
      expect(max.lastBotMessage.text.startsWith(t(harness, "rationale.type_it"))).toBe(true);
      expect(max.lastBotMessage.text).toContain("Why did you rank them this way?");
      expect(flowState(harness, max).task?.draft).toBeUndefined();
    }
    expect(worldRationale(harness)).toEqual([]);
  });

  it("keeps a photo's caption only once the participant confirms it with Done", async () => {
    const { harness, user: nia } = await atReason(5104);
    await nia.sendMedia(
      { photo: [{ file_id: "p1", file_unique_id: "u3", width: 90, height: 90 }] },
      "B is the careful one, so it goes first.",
    );
    expect(nia.lastBotMessage.text).toContain(t(harness, "card.draft_caption"));
    expect(nia.buttons()).toEqual(["✓ Done", "Start again"]);
    expect(worldRationale(harness)).toEqual([]);
    await nia.press("✓ Done");
    expect(worldRationale(harness)).toEqual([
      { rationale: "B is the careful one, so it goes first.", rationale_parts: 1 },
    ]);
  });

  it("answers an edited message with one line and keeps the reason as first sent", async () => {
    const { harness, user: oli } = await atReason(5105);
    const typed = await oli.send("My first wording of the reason.");
    await oli.edit(typed.message!.message_id, "My second, better wording of the reason.");
    expect(oli.lastBotMessage.text).toBe("Edited messages are not read. Please send the text again as a new message.");
    expect(oli.lastBotMessage.keyboard).toBeUndefined();
    expect(flowState(harness, oli).task?.draft?.parts).toEqual(["My first wording of the reason."]);
  });
});

describe("no dead ends on the card", () => {
  it("answers /progress, /mydata and /help mid-ranking, then puts the card with its buttons below", async () => {
    const harness = await startHarness();
    const pat = harness.user(5201);
    await reachCard(pat);
    await pat.press("B");
    for (const [command, answer] of [
      ["/progress", "You have finished 0 of 2 scenarios."],
      ["/mydata", "What we hold about you:\nParticipant id: p-1"],
      ["/help", "Commands:\n/help: this message"],
    ] as const) {
      const before = pat.lastBotMessage;
      await pat.send(command);
      const card = pat.lastBotMessage;
      expect(card.messageId).not.toBe(before.messageId);
      expect(card.text).toContain(answer);
      expect(card.text).toContain("So far: B.");
      expect(pat.buttons()).toEqual(["A", "C", "D", "= A", "= C", "= D", "Undo"]);
      // The card it replaced is now one line, without buttons.
      expect(pat.message(before.messageId)).toMatchObject({
        text: "Scenario 1 of 2: continued below ↓",
        keyboard: undefined,
      });
    }
    await pat.press("A");
    expect(pat.lastBotMessage.text).toContain("So far: B > A.");
    expect(harness.server.calls.filter((call) => call.status !== 200)).toEqual([]);
  });

  it("tells a paused participant who presses a card button how to resume, and changes nothing", async () => {
    const harness = await startHarness();
    const quin = harness.user(5202);
    const card = await reachCard(quin);
    await quin.send("/pause");
    expect(quin.lastBotMessage.text).toBe(t(harness, "pause.paused"));
    const step = flowState(harness, quin).step;
    await quin.pressData(card.messageId, quin.findButton("C").button.callback_data);
    expect(harness.server.callsOf("answerCallbackQuery").at(-1)?.payload.text).toBe(t(harness, "pause.still_paused"));
    expect(flowState(harness, quin).step).toBe(step);
    expect(quin.buttons()).toEqual(["▶ Resume"]);
    await quin.press("▶ Resume");
    const resumed = quin.lastBotMessage;
    expect(resumed.text).toMatch(/^Welcome back, let's continue\.\n\nScenario 1 of 2/);
    expect(quin.message(card.messageId)).toMatchObject({
      text: "Scenario 1 of 2: continued below ↓",
      keyboard: undefined,
    });
    await quin.press("C");
    expect(quin.message(resumed.messageId).text).toContain("So far: C.");
  });

  it("answers a double press on the card once: the second is out of date and the card stays as it is", async () => {
    const harness = await startHarness();
    const rio = harness.user(5203);
    const card = await reachCard(rio);
    const data = rio.findButton("B").button.callback_data;
    const sends = sent(harness);
    const first = harness.server.buttonPress(rio.profile, card.messageId, data);
    const second = harness.server.buttonPress(rio.profile, card.messageId, data);
    await Promise.all([harness.handled(first.update_id), harness.handled(second.update_id)]);
    expect(rio.message(card.messageId).text).toContain("So far: B.");
    const answers = harness.server
      .callsOf("answerCallbackQuery")
      .slice(-2)
      .map((call) => call.payload.text);
    expect(answers).toEqual([undefined, t(harness, "errors.stale")]);
    expect(sent(harness)).toBe(sends);
    expect(harness.server.unansweredQueries()).toEqual([]);
  });

  it("closes an old card pressed after its scenario was saved, and shows the current card below", async () => {
    const harness = await startHarness({ study: shortStudy() });
    const sol = harness.user(5204);
    const card = await reachCard(sol);
    const stale = sol.findButton("B").button.callback_data;
    await rankAndConfirm(sol);
    await sol.send("Because B is careful and kind to the person.");
    await sol.press("✓ Done");
    const current = sol.lastBotMessage;
    expect(current.text).toMatch(/^Saved\. 1 of 2 scenarios done\.\n\nScenario 2 of 2/);
    // An old copy of the first card that still shows its buttons (as after a lost edit).
    const copy = harness.server.chat(sol.id).find((message) => message.messageId === card.messageId)!;
    copy.keyboard = [[{ text: "B", callback_data: stale }]];
    await sol.pressData(card.messageId, stale);
    expect(harness.server.callsOf("answerCallbackQuery").at(-1)?.payload.text).toBe(t(harness, "errors.stale"));
    expect(sol.message(card.messageId).keyboard).toBeUndefined();
    expect(sol.lastBotMessage.text).toMatch(/^Scenario 2 of 2/);
    expect(sol.message(current.messageId)).toMatchObject({
      text: "Scenario 2 of 2: continued below ↓",
      keyboard: undefined,
    });
  });
});
