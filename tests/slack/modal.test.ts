import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block } from "../helpers/fake-slack-server.js";
import { messageText, type SlackHarness, type SlackTestUser, startSlackHarness } from "../helpers/slack-harness.js";

/** The participant's saved state, as the engine stored it. */
function stateOf(h: SlackHarness): {
  step: number;
  task?: { stage: string; answers: Record<string, { rationale?: string }> };
} {
  const row = h.database.sqlite.prepare<[], { state: string }>("SELECT state FROM flow_states").get();
  return JSON.parse(String(row?.state));
}

async function toWorldRationale(user: SlackTestUser): Promise<void> {
  for (const step of ["hello", "en", "yes", "hot", "18-29", "US", "go", "next", "next", "next", "rank"]) {
    if (step === "hello") await user.type(step);
    else await user.press(step);
  }
  for (const pick of ["p:B", "p:A", "p:C", "p:D", "ok"]) await user.press(pick);
}

describe("the answer modal", () => {
  let h: SlackHarness;
  let jo: SlackTestUser;
  let modal: Block;
  beforeAll(async () => {
    h = await startSlackHarness();
    jo = h.user("U0JO");
    await toWorldRationale(jo);
  });
  afterAll(async () => {
    await h.close();
  });

  it("opens from 'Write your answer' with views.open and nothing else, carrying the question", async () => {
    const before = h.fake.calls.length;
    modal = await jo.openAnswerModal();
    expect(h.fake.calls.slice(before).map((call) => call.method)).toEqual(["views.open"]);
    const opened = h.fake.callsOf("views.open")[0];
    expect(String(opened?.args.trigger_id)).toMatch(/\.trigger$/);
    expect(modal).toMatchObject({ type: "modal", callback_id: "chorus.answer", title: { text: "Your answer" } });
    expect(messageText(modal)).toContain("Why did you rank them this way?");
    const input = (modal.blocks as Block[]).find((block) => block.type === "input");
    expect(input?.element).toMatchObject({ type: "plain_text_input", multiline: true, max_length: 2000 });
  });

  it("shows the engine's validation errors on the input and keeps the modal open", async () => {
    const cases: Array<[string, string]> = [
      ["too short", h.i18n.render("en", { key: "rationale.too_short", params: { min: 20 } })],
      ["   \n  ", h.i18n.render("en", { key: "rationale.empty" })],
      ["x".repeat(2001), h.i18n.render("en", { key: "rationale.too_long", params: { max: 2000 } })],
    ];
    const step = stateOf(h).step;
    const posted = h.fake.callsOf("chat.postMessage").length;
    for (const [text, error] of cases) {
      const answer = await jo.submitModal(modal, text);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ response_action: "errors", errors: { answer: error } });
    }
    expect(stateOf(h).step).toBe(step);
    expect(stateOf(h).task?.stage).toBe("rationale");
    // Nothing was posted in the DM meanwhile: the errors live in the modal.
    expect(h.fake.callsOf("chat.postMessage")).toHaveLength(posted);
    expect(jo.notices).toEqual([]);
  });

  it("closes on a valid answer, retires the button and moves on in the DM", async () => {
    const asked = jo.lastMessage;
    const answer = await jo.submitModal(modal, "Clear and kind, and it admits what it cannot know.");
    expect(answer).toEqual({ status: 200, body: "" });
    const state = stateOf(h);
    expect(state.task?.answers.world?.rationale).toBe("Clear and kind, and it admits what it cannot know.");
    expect(state.task?.stage).toBe("ranking");
    const retired = jo.messages.find((message) => message.ts === asked.ts);
    expect(retired?.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(messageText(retired ?? { blocks: [] })).toContain("✓ Answer sent");
    expect(messageText(jo.lastMessage)).toContain("Now for you personally");
  });

  it("refuses, as out of date, a modal opened for an earlier question", async () => {
    const step = stateOf(h).step;
    const answer = await jo.submitModal(modal, "A second answer written in an old modal, long enough.");
    expect(JSON.parse(answer.body)).toEqual({
      response_action: "errors",
      errors: { answer: h.i18n.render("en", { key: "errors.stale" }) },
    });
    const state = stateOf(h);
    expect(state.step).toBe(step);
    expect(state.task?.answers.world?.rationale).toBe("Clear and kind, and it admits what it cannot know.");
    expect(state.task?.answers.personal).toBeUndefined();
  });
});
