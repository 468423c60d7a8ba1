import { describe, expect, it } from "vitest";
import { type CardPrompt, key, type Prompt, readChoiceId, verbatim } from "../../src/core/flow/prompts.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { callbackDataBytes, cardKey, unpackCallbackData } from "../../src/telegram/callback-data.js";
import type { Keyboard } from "../../src/telegram/keyboard.js";
import type { LiveCard } from "../../src/telegram/message-memory.js";
import { type Operation, type PressedMessage, renderPrompts } from "../../src/telegram/render.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const render = (
  prompts: Prompt[],
  options: { pressed?: PressedMessage; liveCard?: LiveCard; maxChars?: number } = {},
) => renderPrompts(prompts, { i18n, locale: "en", ...options });

const question = (step: number, text: string, ids: string[]): Prompt => ({
  kind: "question",
  step,
  text: verbatim(text),
  choices: ids.map((id) => ({ id, label: verbatim(id.toUpperCase()) })),
});

function card(overrides: Partial<CardPrompt> = {}): CardPrompt {
  return {
    kind: "card",
    step: 20,
    cardId: "task-0",
    title: key("task.scenario_title", { position: 1, total: 4 }),
    messages: [
      { role: "system", content: "Be kind." },
      { role: "user", content: "Hi <b>there</b> *you*" },
    ],
    responses: (["A", "B", "C", "D"] as const).map((displayLabel) => ({
      displayLabel,
      text: `Answer ${displayLabel}`,
    })),
    layout: "all",
    open: 0,
    readChoices: [],
    status: [],
    question: key("ranking.ask_world"),
    choices: (["A", "B", "C", "D"] as const).map((label) => ({ id: `p:${label}`, label: verbatim(label) })),
    summary: key("card.summary", { position: 1, total: 4 }),
    ...overrides,
  };
}

function paged(open: number, text = (label: string) => `Answer ${label}`): CardPrompt {
  const base = card();
  return card({
    layout: "paged",
    open,
    responses: base.responses.map((response) => ({ ...response, text: text(response.displayLabel) })),
    readChoices: (["A", "B", "C", "D"] as const).map((label, index) => ({
      id: readChoiceId(0, index),
      label: verbatim(label),
    })),
  });
}

const labels = (keyboard: Keyboard | undefined) => keyboard?.map((row) => row.map((button) => button.text));
const keyboardOf = (operation: Operation | undefined): Keyboard | undefined =>
  operation?.kind === "edit"
    ? operation.keyboard
    : operation?.kind === "send" && operation.markup?.kind === "inline"
      ? operation.markup.rows
      : undefined;

const live: LiveCard = { messageId: 30, cardId: "task-0", summary: "Scenario 1 of 4: continued below ↓" };
const onCard = (messageId: number, cardId = "task-0"): PressedMessage => ({
  messageId,
  text: "…",
  card: cardKey(cardId),
});

describe("renderPrompts: messages and questions", () => {
  it("merges messages in front of a question into the question's message", () => {
    const plan = render([{ kind: "message", text: verbatim("Hello.") }, question(3, "Ready?", ["yes", "no"])]);
    expect(plan.operations).toEqual([
      {
        kind: "send",
        text: "Hello.\n\nReady?",
        markup: {
          kind: "inline",
          rows: [
            [
              { text: "YES", data: "c3.yes" },
              { text: "NO", data: "c3.no" },
            ],
          ],
        },
      },
    ]);
    expect(plan.callbackAnswer).toBeUndefined();
  });

  it("sends what comes next, then closes the pressed question with what was chosen", () => {
    const pressed = { messageId: 5, text: "Ready?", label: "YES" };
    const plan = render([question(4, "Next?", ["ok"])], { pressed });
    expect(plan.operations[0]).toMatchObject({ kind: "send", text: "Next?" });
    expect(plan.operations[1]).toEqual({ kind: "close", messageId: 5, text: "Ready?\n\n✓ YES" });
    expect(plan.callbackAnswer).toBe("");
    // A press that changed nothing (a notice says why) only loses its buttons: nothing was chosen.
    const stale = render([{ kind: "notice", text: key("errors.stale") }, question(4, "Next?", ["ok"])], { pressed });
    expect(stale.operations[1]).toEqual({ kind: "close", messageId: 5 });
    // A message Telegram shows without buttons already is left alone.
    expect(render([question(4, "Next?", ["ok"])], { pressed: { ...pressed, closed: true } }).operations).toHaveLength(
      1,
    );
    expect(stale.callbackAnswer).toBe(i18n.render("en", key("errors.stale")));
  });

  it("sends notices of a button press as the callback answer, and of a typed message as text", () => {
    const stale: Prompt = { kind: "notice", text: key("errors.stale") };
    const text = i18n.render("en", key("errors.stale"));
    expect(render([stale], { pressed: { messageId: 1, text: "" } }).callbackAnswer).toBe(text);
    expect(render([stale]).operations).toEqual([{ kind: "send", text }]);
  });

  it("splits a long message, putting the buttons on the last part", () => {
    const long = "x ".repeat(3000).trim();
    const plan = render([{ kind: "message", text: verbatim(long) }, question(2, "OK?", ["ok"])]);
    expect(plan.operations).toHaveLength(2);
    expect(plan.operations[0]).not.toHaveProperty("markup");
    expect(plan.operations[1]).toMatchObject({ markup: { kind: "inline" } });
    for (const operation of plan.operations)
      expect(operation.kind === "send" && operation.text.length).toBeLessThanOrEqual(4096);
  });

  it("asks for free text with force_reply, or with the buttons when there are choices", () => {
    const ask = (ids: string[]): Prompt => ({
      kind: "ask_text",
      step: 8,
      text: verbatim("Country?"),
      purpose: "typed_answer",
      maxChars: 100,
      choices: ids.map((id) => ({ id, label: verbatim(id) })),
    });
    expect(render([ask([])]).operations[0]).toMatchObject({ markup: { kind: "force_reply" } });
    expect(render([ask(["pnts"])]).operations[0]).toMatchObject({ markup: { kind: "inline" } });
  });

  it("lays out choices sharing a prefix in their own rows, and remembers ids too long for callback data", () => {
    const plan = render([question(4, "Next?", ["p:A", "p:C", "p:D", "t:A", "t:C", "t:D", "undo"])]);
    expect(labels(keyboardOf(plan.operations[0]))).toEqual([["P:A", "P:C", "P:D"], ["T:A", "T:C", "T:D"], ["UNDO"]]);
    const longId = "z".repeat(64);
    const long = render([question(4, "Pick", ["short", longId])]).operations[0];
    expect(long?.kind === "send" && long.memo?.choiceIds).toEqual(["short", longId]);
    for (const button of keyboardOf(long)?.flat() ?? []) expect(callbackDataBytes(button.data)).toBeLessThanOrEqual(64);
  });
});

describe("renderPrompts: the scenario card", () => {
  it("shows the whole card as one message, headed by remarks in front, the roles translated", () => {
    const plan = render([
      { kind: "message", text: verbatim("Saved.") },
      card({ status: [key("card.done_reason", { chars: 42 })] }),
    ]);
    expect(plan.operations).toHaveLength(1);
    const sent = plan.operations[0];
    expect(sent).toMatchObject({
      kind: "send",
      card: { cardId: "task-0", summary: "Scenario 1 of 4: continued below ↓" },
    });
    expect(sent?.kind === "send" && sent.text).toBe(
      [
        "Saved.",
        "Scenario 1 of 4: someone gave an AI this prompt",
        "[Instructions to the AI]\nBe kind.",
        "[The person wrote]\nHi <b>there</b> *you*",
        "── Response A ──\nAnswer A",
        "── Response B ──\nAnswer B",
        "── Response C ──\nAnswer C",
        "── Response D ──\nAnswer D",
        "✓ Your reason: 42 characters\nThink about what would be best for the world, not only for you. Which response is best?",
      ].join("\n\n"),
    );
    expect(labels(keyboardOf(sent))).toEqual([["A", "B", "C", "D"]]);
    for (const button of keyboardOf(sent)?.flat() ?? []) {
      expect(unpackCallbackData(button.data)).toMatchObject({ kind: "choice", step: 20, card: cardKey("task-0") });
    }
  });

  it("edits the card a press came from in place, and closes another copy that was live", () => {
    const plan = render([card()], { pressed: onCard(31), liveCard: live });
    expect(plan.operations).toEqual([
      expect.objectContaining({ kind: "edit", messageId: 31, card: expect.objectContaining({ cardId: "task-0" }) }),
      { kind: "close", messageId: 30, text: live.summary },
    ]);
    const same = render([card()], { pressed: onCard(30), liveCard: live });
    expect(same.operations.map((operation) => operation.kind)).toEqual(["edit"]);
    // After a restart nothing is remembered: the pressed card is still the one to edit.
    const forgotten = render([card()], { pressed: onCard(30) });
    expect(forgotten.operations).toEqual([expect.objectContaining({ kind: "edit", messageId: 30 })]);
    // A card already shrunk to its summary (a late press on it) is not put back: the card comes anew.
    const shrunk = render([card()], { pressed: { ...onCard(12), closed: true }, liveCard: live });
    expect(shrunk.operations.map((operation) => operation.kind)).toEqual(["send", "close"]);
    expect(shrunk.operations[1]).toMatchObject({ messageId: 30 });
  });

  it("moves the card below a typed message: the live one shrinks to its summary, the card is sent anew", () => {
    const plan = render([card({ status: [key("card.draft", { chars: 12, max: 2000 })] })], { liveCard: live });
    expect(plan.operations.map((operation) => operation.kind)).toEqual(["send", "close"]);
    expect(plan.operations[1]).toEqual({ kind: "close", messageId: 30, text: "Scenario 1 of 4: continued below ↓" });
  });

  it("closes the saved card into its summary and sends the next one headed by 'Saved'", () => {
    const prompts: Prompt[] = [
      {
        kind: "card_closed",
        cardId: "task-0",
        summary: key("card.summary_saved", { position: 1, total: 4, ranking: verbatim("B > A") }),
      },
      { kind: "message", text: key("task.saved", { done: 1, total: 4, count: 4 }) },
      card({ cardId: "task-1", title: key("task.scenario_title", { position: 2, total: 4 }) }),
    ];
    const plan = render(prompts, { pressed: onCard(30), liveCard: live });
    expect(plan.operations[0]).toMatchObject({ kind: "send", card: { cardId: "task-1" } });
    expect(plan.operations[0]?.kind === "send" && plan.operations[0].text).toMatch(
      /^Saved\. 1 of 4 scenarios done\.\n\nScenario 2 of 4/,
    );
    expect(plan.operations[1]).toEqual({
      kind: "close",
      messageId: 30,
      text: "✓ Scenario 1 of 4 saved. Your ranking: B > A",
    });
    expect(plan.operations).toHaveLength(2);
  });

  it("closes an old card pressed after its scenario was saved, and shows the current one below", () => {
    const plan = render([{ kind: "notice", text: key("errors.stale") }, card({ cardId: "task-1" })], {
      pressed: onCard(12, "task-0"),
      liveCard: { ...live, cardId: "task-1" },
    });
    expect(plan.operations).toEqual([
      expect.objectContaining({ kind: "send", card: expect.objectContaining({ cardId: "task-1" }) }),
      { kind: "close", messageId: 12 },
      { kind: "close", messageId: 30, text: live.summary },
    ]);
  });

  it("leaves a pressed card alone while a question is asked instead, and removes its buttons when nothing is", () => {
    const paused = render([{ kind: "notice", text: key("pause.still_paused") }, question(9, "Paused", ["resume"])], {
      pressed: onCard(30),
      liveCard: live,
    });
    expect(paused.operations.map((operation) => operation.kind)).toEqual(["send"]);
    expect(paused.callbackAnswer).toBe(i18n.render("en", key("pause.still_paused")));
    const gone = render([{ kind: "message", text: key("withdraw.gone") }], { pressed: onCard(30) });
    expect(gone.operations).toEqual([
      { kind: "send", text: i18n.render("en", key("withdraw.gone")) },
      { kind: "close", messageId: 30 },
    ]);
  });

  it("shows one response of a paged card, with the read row marking it above the step's choices", () => {
    const plan = render([paged(2)], { pressed: onCard(30), liveCard: live });
    const edit = plan.operations[0];
    expect(edit?.kind === "edit" && edit.text).toContain("── Response C ──\nAnswer C");
    expect(edit?.kind === "edit" && edit.text).not.toContain("Answer B");
    expect(edit?.kind === "edit" && edit.text).toContain(i18n.render("en", key("card.read_hint")));
    expect(labels(keyboardOf(edit))).toEqual([
      ["📄 A", "📄 B", "📖 C", "📄 D"],
      ["A", "B", "C", "D"],
    ]);
    expect(unpackCallbackData(keyboardOf(edit)?.[0]?.[3]?.data ?? "")).toMatchObject({ choice: "read:0:3" });
  });

  it("pages a card longer than a message, never cutting it: head and question on every page", () => {
    const long = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(" "); // ~10,000 characters
    const plan = render([{ kind: "message", text: verbatim("Saved.") }, paged(1, () => long)]);
    const sent = plan.operations[0];
    const pages = sent?.kind === "send" ? (sent.memo?.pages ?? []) : [];
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page.text.length).toBeLessThanOrEqual(4096);
      expect(page.text).toMatch(/^Saved\.\n\nScenario 1 of 4/);
      expect(page.text.endsWith(i18n.render("en", key("ranking.ask_world")))).toBe(true);
    }
    expect(pages.map((page) => page.text.match(/page \d\/\d/)?.[0])).toEqual(["page 1/3", "page 2/3", "page 3/3"]);
    const words = pages.flatMap((page) => page.text.split(/\s+/)).filter((word) => /^word\d+$/.test(word));
    expect(words).toEqual(long.split(" "));
    expect(labels(pages[1]?.keyboard)).toEqual([
      ["📄 A", "📖 B", "📄 C", "📄 D"],
      ["1", "· 2 ·", "3"],
      ["A", "B", "C", "D"],
    ]);
    expect(unpackCallbackData(pages[0]?.keyboard[1]?.[1]?.data ?? "")).toEqual({
      kind: "page",
      page: 1,
      card: cardKey("task-0"),
      open: "read:0:1",
    });
    expect(sent?.kind === "send" && sent.text).toBe(pages[0]?.text);
  });
});
