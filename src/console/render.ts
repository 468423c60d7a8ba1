import type { Choice, Prompt } from "../core/flow/prompts.js";
import type { I18n } from "../i18n/index.js";

/** The choices a typed number refers to: those of the last prompt that offered any. */
export interface ChoiceMenu {
  step: number;
  choices: Choice[];
}

export interface RenderedPrompts {
  text: string;
  menu: ChoiceMenu | undefined;
}

const RULE = "─".repeat(60);

/** Turns core prompts into terminal text, numbering every choice from 1. */
export function renderForTerminal(prompts: readonly Prompt[], i18n: I18n, locale: string): RenderedPrompts {
  const t = (text: Parameters<I18n["render"]>[1]) => i18n.render(locale, text);
  const lines: string[] = [];
  let menu: ChoiceMenu | undefined;
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
      case "scenario":
        lines.push(RULE, t(prompt.title), RULE);
        for (const message of prompt.messages) {
          lines.push(`[${t({ key: `task.role_${message.role}` })}]`, message.content, "");
        }
        break;
      case "response":
        lines.push(
          RULE,
          t({ key: "viewer.header", params: { label: prompt.displayLabel, index: prompt.index, total: prompt.total } }),
          RULE,
          prompt.text,
          "",
          ...numbered(prompt.choices),
          "",
        );
        menu = { step: prompt.step, choices: prompt.choices };
        break;
      case "ask_text":
        lines.push(t(prompt.text), ...numbered(prompt.choices), "");
        menu = { step: prompt.step, choices: prompt.choices };
        break;
    }
  }
  return { text: lines.join("\n"), menu };
}
