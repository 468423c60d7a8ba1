import { describe, expect, it } from "vitest";
import { key, type Prompt, verbatim } from "../../src/core/flow/prompts.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { callbackDataBytes, unpackCallbackData } from "../../src/telegram/callback-data.js";
import { renderPrompts } from "../../src/telegram/render.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const render = (prompts: Prompt[], options: { callback?: boolean; viewerMessageId?: number; maxChars?: number } = {}) =>
  renderPrompts(prompts, { i18n, locale: "en", callback: options.callback ?? false, ...options });

const question = (step: number, text: string, ids: string[]): Prompt => ({
  kind: "question",
  step,
  text: verbatim(text),
  choices: ids.map((id) => ({ id, label: verbatim(id.toUpperCase()) })),
});

const response = (text: string, index = 2): Prompt => ({
  kind: "response",
  step: 5,
  viewerId: "task-0",
  displayLabel: "B",
  index,
  total: 4,
  text,
  choices: [
    { id: "prev", label: key("task.previous") },
    { id: "next", label: key("task.next") },
  ],
});

describe("renderPrompts", () => {
  it("merges messages in front of a question into the question's message", () => {
    const plan = render([{ kind: "message", text: verbatim("Hello.") }, question(3, "Ready?", ["yes", "no"])]);
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0]?.text).toBe("Hello.\n\nReady?");
    expect(plan.messages[0]?.markup).toEqual({
      kind: "inline",
      rows: [
        [
          { text: "YES", data: "c3.yes" },
          { text: "NO", data: "c3.no" },
        ],
      ],
    });
    expect(plan.callbackAnswer).toBeUndefined();
  });

  it("sends notices of a button press as the callback answer, and of a typed message as text", () => {
    const stale: Prompt = { kind: "notice", text: key("errors.stale") };
    expect(render([stale], { callback: true })).toEqual({
      callbackAnswer: "This button is out of date. Please use the latest message.",
      messages: [],
    });
    expect(render([stale]).messages.map((message) => message.text)).toEqual([
      "This button is out of date. Please use the latest message.",
    ]);
    // Without notices a press is still answered, with no text.
    expect(render([question(1, "Q", ["a"])], { callback: true }).callbackAnswer).toBe("");
  });

  it("gives the scenario its own message (headed by a remark in front), with the roles translated", () => {
    const plan = render([
      { kind: "message", text: verbatim("Saved.") },
      {
        kind: "scenario",
        position: 1,
        total: 2,
        title: key("task.scenario_title", { position: 1, total: 2 }),
        messages: [
          { role: "system", content: "Be kind." },
          { role: "user", content: "Hi <b>there</b> *you*" },
        ],
      },
      response("Answer B"),
    ]);
    expect(plan.messages.map((message) => message.text)).toEqual([
      "Saved.\n\nScenario 1 of 2: someone gave an AI this prompt\n\n[Instructions to the AI]\nBe kind.\n\n[The person wrote]\nHi <b>there</b> *you*",
      "Response B · 2/4\n\nAnswer B",
    ]);
    // After a scenario the viewer is a new message even when pressed from an old viewer.
    expect(plan.messages[1]?.editMessageId).toBeUndefined();
  });

  it("edits the viewer a button was pressed on, and marks its buttons as viewer buttons", () => {
    const plan = render([response("Answer B")], { callback: true, viewerMessageId: 42 });
    const viewer = plan.messages[0]!;
    expect(viewer.editMessageId).toBe(42);
    const rows = viewer.markup?.kind === "inline" ? viewer.markup.rows : [];
    expect(rows.flat().map((button) => [button.text, unpackCallbackData(button.data)])).toEqual([
      ["◀ Previous", { kind: "choice", step: 5, choice: "prev", viewer: true }],
      ["Next ▶", { kind: "choice", step: 5, choice: "next", viewer: true }],
    ]);
  });

  it("pages a response longer than the limit inside the viewer, with page buttons", () => {
    const text = Array.from({ length: 900 }, (_, i) => `word${i}`).join(" "); // ~7,000 characters
    const plan = render([response(text)]);
    const viewer = plan.messages[0]!;
    const pages = viewer.memo?.pages ?? [];
    expect(pages).toHaveLength(2);
    expect(pages.map((page) => page.text.split("\n\n")[0])).toEqual([
      "Response B · 2/4 · page 1/2",
      "Response B · 2/4 · page 2/2",
    ]);
    for (const page of pages) expect(page.text.length).toBeLessThanOrEqual(4096);
    const body = pages.map((page) => page.text.slice(page.text.indexOf("\n\n") + 2)).join(" ");
    expect(body).toBe(text);
    expect(pages[1]?.keyboard[0]?.map((button) => button.text)).toEqual(["1", "· 2 ·"]);
    expect(viewer.text).toBe(pages[0]?.text);
  });

  it("splits a long message, putting the buttons on the last part", () => {
    const long = "x ".repeat(3000).trim();
    const plan = render([{ kind: "message", text: verbatim(long) }, question(2, "OK?", ["ok"])]);
    expect(plan.messages).toHaveLength(2);
    expect(plan.messages[0]?.markup).toBeUndefined();
    expect(plan.messages[1]?.markup?.kind).toBe("inline");
    for (const message of plan.messages) expect(message.text.length).toBeLessThanOrEqual(4096);
  });

  it("asks for free text with force_reply, or with the buttons when there are choices", () => {
    const ask = (choices: { id: string; label: ReturnType<typeof verbatim> }[]): Prompt => ({
      kind: "ask_text",
      step: 8,
      text: verbatim("Why?"),
      purpose: "rationale",
      maxChars: 2000,
      choices,
    });
    expect(render([ask([])]).messages[0]?.markup).toEqual({ kind: "force_reply" });
    expect(render([ask([{ id: "pnts", label: verbatim("Prefer not to say") }])]).messages[0]?.markup?.kind).toBe(
      "inline",
    );
  });

  it("lays out choices sharing a prefix in their own rows", () => {
    const choices = ["p:A", "p:C", "p:D", "t:A", "t:C", "t:D", "undo"];
    const plan = render([question(4, "Next?", choices)]);
    const rows = plan.messages[0]?.markup?.kind === "inline" ? plan.messages[0].markup.rows : [];
    expect(rows.map((row) => row.map((button) => button.text))).toEqual([
      ["P:A", "P:C", "P:D"],
      ["T:A", "T:C", "T:D"],
      ["UNDO"],
    ]);
  });

  it("remembers the choice ids when an id is too long for callback data", () => {
    const longId = "z".repeat(64);
    const plan = render([question(4, "Pick", ["short", longId])]);
    const message = plan.messages[0]!;
    expect(message.memo?.choiceIds).toEqual(["short", longId]);
    const rows = message.markup?.kind === "inline" ? message.markup.rows : [];
    for (const button of rows.flat()) expect(callbackDataBytes(button.data)).toBeLessThanOrEqual(64);
  });
});
