import type { CardPrompt, Choice, Prompt } from "../core/flow/prompts.js";
import type { I18n } from "../i18n/index.js";

/** The choices a typed number refers to: those of the last prompt that offered any. */
export interface ChoiceMenu {
  step: number;
  choices: Choice[];
}

interface RenderedPrompts {
  text: string;
  menu: ChoiceMenu | undefined;
  /** The card whose prompt and responses are now on screen (see `RenderOptions.shownCard`). */
  shownCard: string | undefined;
}

interface RenderOptions {
  /**
   * The card (id and open response) printed in full last time: the terminal
   * keeps it on screen, so the same card again prints only what changed
   * (its title, what is answered, the question and the choices).
   */
  shownCard?: string;
}

const RULE = "─".repeat(60);

/** Turns core prompts into terminal text, numbering every choice from 1. */
export function renderForTerminal(
  prompts: readonly Prompt[],
  i18n: I18n,
  locale: string,
  options: RenderOptions = {},
): RenderedPrompts {
  const t = (text: Parameters<I18n["render"]>[1]) => i18n.render(locale, text);
  const lines: string[] = [];
  let menu: ChoiceMenu | undefined;
  let shownCard = options.shownCard;
  const numbered = (choices: Choice[]) => choices.map((choice, index) => `  ${index + 1}) ${t(choice.label)}`);
  for (const prompt of prompts) {
    switch (prompt.kind) {
      case "message":
        lines.push(t(prompt.text), "");
        break;
      case "notice":
        lines.push(`! ${t(prompt.text)}`, "");
        break;
      case "question":
        lines.push(t(prompt.text), ...numbered(prompt.choices), "");
        menu = { step: prompt.step, choices: prompt.choices };
        break;
      case "card": {
        const shown = `${prompt.cardId}:${prompt.open}`;
        lines.push(...cardLines(prompt, t, shown !== shownCard));
        shownCard = shown;
        menu = { step: prompt.step, choices: [...prompt.choices, ...prompt.readChoices] };
        lines.push(...numbered(menu.choices), "");
        break;
      }
      case "card_closed":
        lines.push(t(prompt.summary), "");
        break;
      case "ask_text":
        lines.push(t(prompt.text), ...numbered(prompt.choices), "");
        menu = { step: prompt.step, choices: prompt.choices };
        break;
    }
  }
  return { text: lines.join("\n"), menu, shownCard };
}

/**
 * The scenario card as terminal text: the prompt, the responses (all of them,
 * or the open one with "read" choices after the step's own), what is
 * answered so far and the question. A terminal has no message limit, so the
 * pilot shows every response unless the engine chose the paged layout; the
 * same card again (`whole` false) is only its title, answers and question.
 */
function cardLines(card: CardPrompt, t: (text: Parameters<I18n["render"]>[1]) => string, whole: boolean): string[] {
  const lines = [RULE, t(card.title), RULE];
  if (!whole) return [...lines, ...card.status.map(t), t(card.question)];
  for (const message of card.messages) lines.push(`[${t({ key: `task.role_${message.role}` })}]`, message.content, "");
  const shown = card.layout === "all" ? card.responses : card.responses.filter((_, index) => index === card.open);
  for (const response of shown) {
    lines.push(`── ${t({ key: "card.response", params: { label: response.displayLabel } })} ──`, response.text, "");
  }
  if (card.layout === "paged") lines.push(t({ key: "card.read_hint" }));
  lines.push(...card.status.map(t), t(card.question));
  return lines;
}
