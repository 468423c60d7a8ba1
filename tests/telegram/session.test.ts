import { describe, expect, it } from "vitest";
import { displayRankingToCanonical, formatRanking, parseRanking } from "../../src/core/ranking.js";
import { loadMiniStudy } from "../helpers/db.js";
import { sampleStudy } from "../helpers/flow.js";
import { processedEventIds } from "../helpers/processed-events.js";
import { type TelegramHarness, useTelegramHarness, walkStudy, walkThroughSurvey } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

function canonical(display: string, shownOrder: string): string {
  const parsed = parseRanking(display);
  if (!parsed.ok) throw new Error(display);
  return formatRanking(displayRankingToCanonical(parsed.ranking, shownOrder));
}

/** Telegram-level rules every conversation must keep, checked on the recorded calls. */
function expectTelegramRulesKept(h: TelegramHarness): void {
  const failed = h.server.calls.filter((call) => call.status !== 200);
  expect(failed).toEqual([]);
  expect(h.server.unansweredQueries()).toEqual([]);
  for (const call of [...h.server.callsOf("sendMessage"), ...h.server.callsOf("editMessageText")]) {
    expect(call.payload.parse_mode).toBeUndefined();
    expect(call.payload.link_preview_options).toEqual({ is_disabled: true });
    expect(String(call.payload.text).length).toBeLessThanOrEqual(4096);
  }
}

describe("a full session on Telegram", () => {
  it("takes a participant from /start src123 to completion and stores every answer", async () => {
    const harness = await startHarness();
    const alice = harness.user(1001, { languageCode: "en" });
    await walkThroughSurvey(alice, {
      source: "src123",
      ranking: ["B", "=A", "D", "C"],
      rationale: "B is careful, honest and useful.",
    });

    expect(alice.lastBotMessage.text).toContain("Your completion code is MINI-2026");
    const participant = alice.participant();
    expect(participant).toMatchObject({
      source: "src123",
      status: "completed",
      locale: "en",
      consent_version: "2026-01",
    });

    const assignments = harness.db.sqlite
      .prepare<
        [string],
        {
          id: number;
          scenario_id: string;
          position: number;
          shown_order: string;
          form: string;
          completed_at: string | null;
        }
      >(
        "SELECT id, scenario_id, position, shown_order, form, completed_at FROM assignments WHERE participant_id = ? ORDER BY position",
      )
      .all(participant!.id);
    expect(assignments).toHaveLength(2);
    for (const assignment of assignments) {
      expect([...assignment.shown_order].sort().join("")).toBe("ABCD");
      expect(assignment.completed_at).not.toBeNull();
    }
    expect(assignments.map((assignment) => assignment.form).sort()).toEqual(["long", "short"]);

    const blocks = harness.db.sqlite
      .prepare<[string], { assignment_id: number; block: string; ranking: string; rationale: string }>(
        `SELECT a.assignment_id, b.block, b.ranking, b.rationale FROM ranking_blocks b
         JOIN assessments a ON a.id = b.assessment_id WHERE a.participant_id = ? ORDER BY a.assignment_id, b.block`,
      )
      .all(participant!.id);
    // The long form has world and personal blocks, the short form world only.
    expect(blocks).toHaveLength(3);
    for (const block of blocks) {
      const shownOrder = assignments.find((assignment) => assignment.id === block.assignment_id)!.shown_order;
      // "B = A > D > C" in display letters, stored in canonical labels.
      expect(block.ranking).toBe(canonical("B=A>D>C", shownOrder));
      expect(block.rationale).toBe("B is careful, honest and useful.");
    }
    const assessments = harness.db.sqlite
      .prepare<[string], { n: number }>("SELECT count(*) AS n FROM assessments WHERE participant_id = ?")
      .get(participant!.id);
    expect(assessments?.n).toBe(2);
    expectTelegramRulesKept(harness);
  });

  it("takes a participant through the whole sample study, one card per scenario, and stores every answer", async () => {
    const study = sampleStudy();
    const harness = await startHarness({ study });
    const ana = harness.user(1002);
    await walkStudy(ana, study, { source: "poster", rationale: "Clear, honest and safe for anyone who asks." });

    expect(ana.lastBotMessage.text).toContain("CHORUS-SAMPLE-7F3K");
    const participant = ana.participant();
    expect(participant).toMatchObject({
      source: "poster",
      status: "completed",
      locale: "en",
      consent_version: "2026-11",
    });
    const id = participant!.id;
    const count = (sql: string) => (harness.db.sqlite.prepare<[string], { n: number }>(sql).get(id) as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM screening_answers WHERE participant_id = ? AND passed = 1")).toBe(
      study.screening.length,
    );
    expect(count("SELECT count(*) AS n FROM profile_answers WHERE participant_id = ?")).toBe(study.profile.length);
    const assessments = harness.db.sqlite
      .prepare<[string], { form: string; layout: string; opens: string; unacceptable_labels: string | null }>(
        `SELECT s.form, a.layout, a.opens, a.unacceptable_labels FROM assessments a
         JOIN assignments s ON s.id = a.assignment_id WHERE a.participant_id = ? ORDER BY s.position`,
      )
      .all(id);
    // Four scenarios, the first in long form; every card held all four responses (each counted as opened once).
    expect(assessments.map((row) => [row.form, row.layout])).toEqual([
      ["long", "all"],
      ["short", "all"],
      ["short", "all"],
      ["short", "all"],
    ]);
    for (const row of assessments) expect(JSON.parse(row.opens)).toEqual({ A: 1, B: 1, C: 1, D: 1 });
    expect(assessments.map((row) => row.unacceptable_labels)).toEqual(["[]", null, null, null]);
    const blocks = harness.db.sqlite
      .prepare<[string], { block: string; rationale: string; rationale_parts: number }>(
        `SELECT b.block, b.rationale, b.rationale_parts FROM ranking_blocks b
         JOIN assessments a ON a.id = b.assessment_id WHERE a.participant_id = ?`,
      )
      .all(id);
    expect(blocks.map((block) => block.block).sort()).toEqual(["personal", "world", "world", "world", "world"]);
    for (const block of blocks) {
      expect(block).toMatchObject({ rationale: "Clear, honest and safe for anyone who asks.", rationale_parts: 1 });
    }
    // Every card ended as its one-line summary; no message keeps buttons once the survey is done.
    const cards = ana.botMessages.filter((message) => /^(✓ )?Scenario \d of 4/.test(message.text));
    expect(cards.filter((message) => message.text.startsWith("✓ Scenario"))).toHaveLength(4);
    for (const message of ana.botMessages) expect(message.keyboard, message.text.slice(0, 80)).toBeUndefined();
    expectTelegramRulesKept(harness);
  });

  it("edits the card in place for every ranking press, tie and undo: no new message", async () => {
    const harness = await startHarness();
    const bo = harness.user(1003);
    await bo.start();
    for (const label of ["English", "I agree", "hot", "18–29", "United States", "Start"]) await bo.press(label);
    const card = bo.lastBotMessage;
    expect(card.text).toMatch(/^Scenario 1 of 2: someone gave an AI this prompt/);
    const sends = harness.server.callsOf("sendMessage").length;
    const edits = harness.server.callsOf("editMessageText").length;
    await bo.press("B");
    expect(bo.lastBotMessage.text).toContain("So far: B.");
    await bo.press("= A");
    await bo.press("Undo");
    expect(bo.lastBotMessage.text).toContain("So far: B.");
    await bo.press("= A");
    // D placed, C the last one: put at the end by itself, and the confirmation offers to tie it.
    await bo.press("D");
    expect(bo.lastBotMessage.text).toContain("Your ranking: B = A > D > C. Is that right?");
    await bo.press("C = D (tie)");
    expect(bo.lastBotMessage.text).toContain("Your ranking: B = A > D = C. Is that right?");
    await bo.press("C below D");
    await bo.press("✓ Confirm");
    expect(bo.lastBotMessage.text).toContain("✓ Best for everyone: A = B > D > C");
    expect(bo.lastBotMessage.messageId).toBe(card.messageId);
    expect(harness.server.callsOf("sendMessage")).toHaveLength(sends);
    const inPlace = harness.server.callsOf("editMessageText").slice(edits);
    expect(inPlace).toHaveLength(8);
    for (const edit of inPlace) expect(edit.payload.message_id).toBe(card.messageId);
    expect(harness.server.callsOf("answerCallbackQuery").length).toBeGreaterThanOrEqual(14);
    expectTelegramRulesKept(harness);
  });

  it("keeps two participants apart when their updates interleave", async () => {
    const harness = await startHarness();
    const dana = harness.user(2001);
    const eli = harness.user(2002, { languageCode: "es" });
    await Promise.all([
      walkThroughSurvey(dana, {
        source: "flyer",
        ranking: ["A", "B", "C", "D"],
        rationale: "Dana's reasons are these.",
      }),
      walkThroughSurvey(eli, {
        source: "radio",
        ranking: ["D", "C", "B", "A"],
        rationale: "Eli's reasons are others.",
      }),
    ]);
    for (const [user, source, display, rationale] of [
      [dana, "flyer", "A>B>C>D", "Dana's reasons are these."],
      [eli, "radio", "D>C>B>A", "Eli's reasons are others."],
    ] as const) {
      const participant = user.participant();
      expect(participant).toMatchObject({ source, status: "completed" });
      const rows = harness.db.sqlite
        .prepare<[string], { ranking: string; rationale: string; shown_order: string }>(
          `SELECT b.ranking, b.rationale, s.shown_order FROM ranking_blocks b JOIN assessments a ON a.id = b.assessment_id
           JOIN assignments s ON s.id = a.assignment_id WHERE a.participant_id = ?`,
        )
        .all(participant!.id);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.rationale).toBe(rationale);
        expect(row.ranking).toBe(canonical(display, row.shown_order));
      }
      expect(user.chat.filter((message) => message.from === "user" && message.text.includes("reasons"))).toHaveLength(
        3,
      );
    }
    expectTelegramRulesKept(harness);
  });
});

describe("updates that must change nothing", () => {
  it("ignores a redelivered button press: no reply, no second callback answer, no state change", async () => {
    const harness = await startHarness();
    const fay = harness.user(3001);
    await fay.start();
    const press = await fay.press("English");
    const calls = harness.server.calls.length;
    const messages = fay.botMessages.length;
    const step = () => harness.db.sqlite.prepare("SELECT step FROM flow_states").get();
    const before = step();
    harness.server.redeliver(press);
    await harness.handled(press.update_id, 2);
    expect(fay.botMessages).toHaveLength(messages);
    expect(harness.server.calls.slice(calls).filter((call) => call.method !== "getUpdates")).toEqual([]);
    expect(step()).toEqual(before);
    expectTelegramRulesKept(harness);
  });

  it("ignores a redelivered rationale: the answer is recorded once", async () => {
    const harness = await startHarness();
    const gil = harness.user(3004);
    await walkThroughSurvey(gil, {
      until: (user) => user.botMessages.at(-1)?.text.includes("Why did you rank them") === true,
    });
    const sent = await gil.send("It is honest and careful about the weather.");
    const count = () =>
      harness.db.sqlite
        .prepare("SELECT (SELECT max(step) FROM flow_states) AS step, (SELECT count(*) FROM ranking_blocks) AS blocks")
        .get();
    const before = count();
    const messages = gil.botMessages.length;
    harness.server.redeliver(sent);
    await harness.handled(sent.update_id, 2);
    expect(count()).toEqual(before);
    expect(gil.botMessages).toHaveLength(messages);
    const remembered = processedEventIds(harness.db.sqlite, "telegram").filter((id) => id === String(sent.update_id));
    expect(remembered).toHaveLength(1);
  });

  it("answers a stale button with 'out of date', changes nothing and shows the current step again", async () => {
    const harness = await startHarness();
    const gus = harness.user(3002);
    await gus.start();
    const { message, button } = gus.findButton("English");
    await gus.press("English");
    await gus.press("I agree");
    // The journey is unchanged; only the state's memory of processed update ids grows.
    const state = () => {
      const row = harness.db.sqlite
        .prepare<[string], { step: number; state: string }>(
          "SELECT f.step, f.state FROM flow_states f JOIN participants p ON p.id = f.participant_id WHERE p.platform_user_id = ?",
        )
        .get(String(gus.id));
      const { recentEvents: _remembered, ...journey } = JSON.parse(row?.state ?? "{}");
      return { step: row?.step, journey };
    };
    const before = state();
    const messages = gus.botMessages.length;
    await gus.pressData(message.messageId, button.callback_data);
    expect(state()).toEqual(before);
    const answers = harness.server.callsOf("answerCallbackQuery");
    expect(answers.at(-1)?.payload.text).toBe(harness.i18n.render("en", { key: "errors.stale" }));
    // The current question comes again, below, with its buttons.
    expect(gus.botMessages).toHaveLength(messages + 1);
    expect(gus.lastBotMessage.text).toBe("Which word means the opposite of 'cold'?");
    expect(gus.buttons()).toEqual(["hot", "blue", "slow"]);
    expectTelegramRulesKept(harness);
  });

  it("answers a button it cannot read as out of date", async () => {
    const harness = await startHarness();
    const hal = harness.user(3003);
    await hal.start();
    await hal.pressData(hal.lastBotMessage.messageId, "zz-not-ours");
    expect(harness.server.callsOf("answerCallbackQuery").at(-1)?.payload.text).toBe(
      harness.i18n.render("en", { key: "errors.stale" }),
    );
    expectTelegramRulesKept(harness);
  });
});

describe("choice ids too long for callback data", () => {
  it("are carried by index and still reach the engine as the right choice", async () => {
    const study = loadMiniStudy();
    const longId = `age-${"x".repeat(60)}`;
    const profile = study.profile.map((item) =>
      item.id === "age_band"
        ? { ...item, options: item.options.map((option, index) => (index === 0 ? { ...option, id: longId } : option)) }
        : item,
    );
    const harness = await startHarness({ study: { ...study, profile } });
    const kay = harness.user(3005);
    await kay.start();
    for (const label of ["English", "I agree", "hot"]) await kay.press(label);
    const { button } = kay.findButton("18–29");
    expect(button.callback_data).toMatch(/^n[0-9a-z]+\.0$/);
    await kay.press("18–29");
    const answer = harness.db.sqlite
      .prepare("SELECT value FROM profile_answers WHERE question_id = 'age_band'")
      .get() as { value: string };
    expect(answer.value).toBe(longId);
    expectTelegramRulesKept(harness);
  });
});
