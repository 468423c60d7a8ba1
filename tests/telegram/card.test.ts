import { describe, expect, it } from "vitest";
import type { CardPrompt, Text } from "../../src/core/flow/prompts.js";
import { cardLayout, cardSize } from "../../src/core/flow/task.js";
import { LABELS } from "../../src/core/labels.js";
import type { Scenario } from "../../src/core/study/schema.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { MESSAGE_MAX_CHARS, renderCard, TELEGRAM_SURFACE } from "../../src/telegram/card.js";
import { fakeContext, sampleStudy } from "../helpers/flow.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const study = sampleStudy();
const verbatim = (text: string): Text => ({ verbatim: text });

/** The longest text of `texts` in a locale. */
function longest(locale: string, texts: Text[]): string {
  return texts.map((text) => i18n.render(locale, text)).sort((a, b) => b.length - a.length)[0] ?? "";
}

/**
 * The largest card a scenario can make in a locale: the longest remark in
 * front, every status line at once and the longest question of any stage.
 */
function largestCard(
  scenario: Scenario,
  locale: string,
  layout: CardPrompt["layout"],
): { text: string; pages: number } {
  const ranking = verbatim("B > A = C > D");
  const status: Text[] = [
    { key: "card.done_world", params: { ranking } },
    { key: "card.done_reason", params: { chars: 1999 } },
    { key: "card.done_personal", params: { ranking } },
    { key: "card.done_reason", params: { chars: 1999 } },
    { key: "card.done_unacceptable", params: { labels: verbatim("A, B, C") } },
    { key: "card.draft", params: { chars: 1999, max: 2000 } },
    { key: "card.draft_caption" },
  ];
  const question = longest(locale, [
    { key: "rationale.ask_world", params: { min: 20, max: 2000 } },
    { key: "rationale.ask_personal", params: { min: 20, max: 2000 } },
    { key: "ranking.ask_next_world", params: { so_far: verbatim("B = A") } },
    { key: "ranking.ask_next_personal", params: { so_far: verbatim("B = A") } },
    { key: "ranking.confirm", params: { ranking } },
    { key: "unacceptable.ask" },
    { key: "unacceptable.why", params: { max: 2000 } },
    { key: "rationale.add_more" },
  ]);
  const head = longest(locale, [
    { key: "task.saved", params: { done: 12, total: 13, count: 13 } },
    { key: "tasks.more", params: { count: 13 } },
    { key: "progress.tasks", params: { done: 12, total: 13, count: 13 } },
    { key: "rationale.too_long_total", params: { max: 2000, length: 2100 } },
    { key: "rationale.too_short", params: { min: 20 } },
    { key: "ranking.invalid_bad_label" },
  ]);
  const card: CardPrompt = {
    kind: "card",
    step: 999,
    cardId: "task-12",
    title: { key: "task.scenario_title", params: { position: 13, total: 13 } },
    messages: scenario.messages,
    responses: LABELS.map((displayLabel, index) => ({ displayLabel, text: scenario.responses[index]?.text ?? "" })),
    layout,
    open: 0,
    readChoices: [],
    status,
    question: verbatim(question),
    choices: [],
    summary: { key: "card.summary", params: { position: 13, total: 13 } },
  };
  const rendered = renderCard(card, (text) => i18n.render(locale, text), [head]);
  return { text: rendered.pages[0]?.text ?? "", pages: rendered.pages.length };
}

describe("the Telegram card size", () => {
  it("is never more than 4,096 − cardChars longer than the engine's count, in any locale", () => {
    let margin = 0;
    for (const scenario of study.scenarios) {
      for (const locale of i18n.locales) {
        const { text } = largestCard(scenario, locale, "all");
        margin = Math.max(margin, text.length - cardSize(scenario));
      }
    }
    expect(margin).toBeGreaterThan(0);
    expect(margin).toBeLessThanOrEqual(MESSAGE_MAX_CHARS - TELEGRAM_SURFACE.cardChars);
  });

  it("shows every scenario of the sample study whole in one message, in every locale", () => {
    const ctx = fakeContext(study, { surface: TELEGRAM_SURFACE });
    for (const scenario of study.scenarios) {
      expect(cardLayout(scenario, ctx), scenario.id).toBe("all");
      for (const locale of i18n.locales) {
        const { text, pages } = largestCard(scenario, locale, "all");
        expect(pages, `${scenario.id} ${locale}`).toBe(1);
        expect(text.length).toBeLessThanOrEqual(MESSAGE_MAX_CHARS);
      }
    }
  });

  it("shows responses of 1,500 characters one at a time, and splits the app's long messages at 4,096", () => {
    const [first] = study.scenarios;
    if (!first) throw new Error("sample study without scenarios");
    const long = { ...first, responses: first.responses.map((response) => ({ ...response, text: "x".repeat(1500) })) };
    expect(cardLayout(long, fakeContext(study, { surface: TELEGRAM_SURFACE }))).toBe("paged");
    expect(TELEGRAM_SURFACE.splitChars).toBe(4096);
  });
});
