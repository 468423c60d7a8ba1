import { afterEach, describe, expect, it } from "vitest";
import { readChoiceId } from "../../src/core/flow/prompts.js";
import { loadMiniStudy } from "../helpers/db.js";
import type { Block } from "../helpers/fake-slack-server.js";
import { messageText, type SlackHarness, startSlackHarness, toFirstCard } from "../helpers/slack-harness.js";
import { choicesOn } from "../helpers/slack-participant.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The participant's saved state, as the engine stored it. */
function stateOf(harness: SlackHarness): { step: number; phase: string; task?: { stage: string; opens: number[] } } {
  const row = harness.database.sqlite.prepare<[], { state: string }>("SELECT state FROM flow_states").get();
  return JSON.parse(String(row?.state));
}

const REASON = "Clear and kind, and it admits what it cannot know.";
const ranks = { A: 2, B: 1, C: 4, D: 3 } as const;

describe("the answer modal (a typed answer)", () => {
  it("opens from 'Write your answer' with views.open alone, shows the engine's refusal, then moves on", async () => {
    h = await startSlackHarness();
    const jo = h.user("U0JO");
    await jo.start();
    for (const choice of ["en", "yes", "hot", "18-29", "other"]) await jo.press(choice);
    const before = h.fake.calls.length;
    const modal = await jo.openAnswerModal();
    expect(h.fake.calls.slice(before).map((call) => call.method)).toEqual(["views.open"]);
    expect(modal).toMatchObject({ type: "modal", callback_id: "chorus.answer", title: { text: "Your answer" } });
    expect(messageText(modal)).toContain(h.i18n.render("en", { key: "profile.type_country" }));
    const step = stateOf(h).step;
    const refused = await jo.submitModal(modal, "Atlantis");
    expect(JSON.parse(refused.body)).toEqual({
      response_action: "errors",
      errors: { answer: h.i18n.render("en", { key: "profile.unknown_country" }) },
    });
    expect(stateOf(h).step).toBe(step);
    const asked = jo.lastMessage;
    expect(await jo.submitModal(modal, "Mexico")).toEqual({ status: 200, body: "" });
    expect(stateOf(h).phase).toBe("briefing");
    // The question it answered loses its buttons; the next one is below.
    const retired = jo.messages.find((message) => message.ts === asked.ts);
    expect(retired?.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(messageText(retired ?? { blocks: [] })).toContain("✓ Answer sent");
    expect(choicesOn(jo.lastMessage)).toEqual(["go"]);
    // The same modal again, now out of date.
    const stale = await jo.submitModal(modal, "Mexico");
    expect(JSON.parse(stale.body)).toEqual({
      response_action: "errors",
      errors: { answer: h.i18n.render("en", { key: "slack.form.stale" }) },
    });
  });
});

describe("the card form", () => {
  it("puts each problem the engine names on its own input and keeps the form open", async () => {
    const study = loadMiniStudy();
    study.blocks = { ...study.blocks, allowTies: false };
    h = await startSlackHarness({ study });
    const kai = h.user("U0KAI");
    await toFirstCard(kai);
    const view = await kai.openForm();
    expect(messageText(view)).toContain(h.i18n.render("en", { key: "slack.form.rank_hint_strict" }));
    const step = stateOf(h).step;
    const answer = await kai.submitForm(view, {
      world: { ranks: { A: 1, B: 1, C: 2, D: 3 }, reason: REASON },
      personal: { ranks: { A: 1, B: 2, C: 3 }, reason: "short" },
      unacceptable: ["B"],
      unacceptableReason: "",
    });
    expect(JSON.parse(answer.body)).toEqual({
      response_action: "errors",
      errors: {
        world_rank_0: h.i18n.render("en", { key: "ranking.invalid_ties_forbidden" }),
        personal_rank_0: h.i18n.render("en", { key: "ranking.invalid_missing" }),
        personal_rationale: h.i18n.render("en", { key: "rationale.too_short", params: { min: 20 } }),
        unacceptable_rationale: h.i18n.render("en", { key: "rationale.empty" }),
      },
    });
    expect(stateOf(h).step).toBe(step);
    expect(h.database.sqlite.prepare("SELECT count(*) AS n FROM assessments").get()).toEqual({ n: 0 });
    expect(kai.notices).toEqual([]);
  });

  it("is out of date once the card moved on in the DM, and says so on the form", async () => {
    h = await startSlackHarness();
    const lia = h.user("U0LIA");
    await toFirstCard(lia);
    const view = await lia.openForm();
    await lia.press("p:A");
    const answer = await lia.submitForm(view, {
      world: { ranks, reason: REASON },
      personal: { ranks, reason: REASON },
      unacceptable: [],
    });
    expect(JSON.parse(answer.body)).toEqual({
      response_action: "errors",
      errors: { world_rank_0: h.i18n.render("en", { key: "slack.form.stale" }) },
    });
  });

  it("counts every response as read when the form shows them on a paged card, and saves the whole card", async () => {
    const study = loadMiniStudy();
    const weather = study.scenarios[0];
    if (!weather) throw new Error("mini study changed");
    weather.responses = weather.responses.map((response) => ({ ...response, text: `${response.text} `.repeat(160) }));
    study.scenarios = [weather];
    study.assignment.scenariosPerParticipant = 1;
    h = await startSlackHarness({ study });
    const mo = h.user("U0MO");
    await toFirstCard(mo);
    expect(choicesOn(mo.card)).toContain(readChoiceId(0, 1));
    expect(stateOf(h).task?.opens).toEqual([1, 0, 0, 0]);
    const card = mo.card;
    const view = await mo.openForm();
    // The form holds all four responses, in full.
    const sections = (view.blocks as Block[])
      .filter((block) => block.type === "section")
      .map((block) => String(block.text.text))
      .join("");
    for (const response of weather.responses) expect(sections).toContain(response.text.trim());
    await h.slack.idle();
    expect(stateOf(h).task?.opens).toEqual([2, 1, 1, 1]);
    // Opening the form changed nothing in the DM.
    expect(mo.card).toEqual(card);
    expect(
      await mo.submitForm(view, {
        world: { ranks, reason: REASON },
        personal: { ranks: { A: 1, B: 1, C: 1, D: 1 }, reason: REASON },
        unacceptable: ["C"],
        unacceptableReason: "It brushes the question off without any care.",
      }),
    ).toEqual({ status: 200, body: "" });
    const saved = h.database.sqlite.prepare("SELECT layout, opens FROM assessments").get() as { opens: string };
    expect(saved).toMatchObject({ layout: "paged" });
    expect(Object.values(JSON.parse(saved.opens)).sort()).toEqual([1, 1, 1, 2]);
    // The card became the last message in place: the saved summary and the completion code, no buttons.
    const closed = mo.messages.find((message) => message.ts === card.ts);
    expect(messageText(closed ?? { blocks: [] })).toContain("Your completion code is MINI-2026");
    expect(closed?.blocks.some((block: Block) => block.type === "actions")).toBe(false);
  });

  it("asks the study's prompt ratings in the form and names a missing one on its input", async () => {
    const study = loadMiniStudy();
    const scale = ["1", "2", "3", "4", "5"].map((point) => ({ id: point, text: point }));
    study.promptRatings = [
      {
        id: "importance",
        text: "How important is it that an AI answers this well?",
        options: scale,
        forms: ["long", "short"],
      },
    ];
    h = await startSlackHarness({ study });
    const ned = h.user("U0NED");
    await toFirstCard(ned);
    const view = await ned.openForm();
    const input = (view.blocks as Block[]).find((block) => block.block_id === "rating_importance");
    expect(input?.label.text).toBe("How important is it that an AI answers this well?");
    expect(input?.element.options.map((option: Block) => option.value)).toEqual(["1", "2", "3", "4", "5"]);
    const answers = {
      world: { ranks, reason: REASON },
      personal: { ranks, reason: REASON },
      unacceptable: [],
    };
    const refused = await ned.submitForm(view, answers);
    expect(JSON.parse(refused.body)).toEqual({
      response_action: "errors",
      errors: { rating_importance: h.i18n.render("en", { key: "rating.missing" }) },
    });
    expect(await ned.submitForm(view, { ...answers, ratings: { importance: "4" } })).toEqual({ status: 200, body: "" });
    expect(h.database.sqlite.prepare("SELECT ratings FROM assessments").get()).toEqual({
      ratings: JSON.stringify({ importance: "4" }),
    });
  });
});
