import type { CardPrompt, Choice, Prompt, ShownResponse } from "../core/flow/prompts.js";
import {
  actions,
  type Block,
  type Button,
  button,
  context,
  divider,
  fallbackText,
  header,
  LIMITS,
  packMessages,
  sections,
} from "./blocks.js";
import { PROMPT_BLOCK, packChoice, packWrite } from "./ids.js";
import { type SayText, slackKey } from "./text.js";

/** One chat.postMessage / chat.update payload. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * The engine's prompts for one input, sorted by where they go in Slack: the
 * engine puts remarks and closed cards first, then messages, then at most one
 * thing to answer (a question or the scenario card).
 */
export interface Rendered {
  /** Remarks about the last input: ephemeral after a press, in front of what is posted otherwise. */
  notices: string[];
  /** Cards the engine closed (their assessment is saved), with the one line that now stands for each. */
  closed: { cardId: string; summary: string }[];
  /** Messages and any question, in order; in front of the card when there is one. */
  body: Block[];
  /** The scenario card to show, if any. */
  card: CardPrompt | undefined;
}

type Kind<K extends Prompt["kind"]> = Extract<Prompt, { kind: K }>;

export function renderPrompts(prompts: readonly Prompt[], say: SayText, locale: string): Rendered {
  const rendered: Rendered = { notices: [], closed: [], body: [], card: undefined };
  for (const prompt of prompts) {
    switch (prompt.kind) {
      case "notice":
        rendered.notices.push(say(prompt.text));
        break;
      case "card_closed":
        rendered.closed.push({ cardId: prompt.cardId, summary: say(prompt.summary) });
        break;
      case "message":
        rendered.body.push(...sections(say(prompt.text)));
        break;
      case "question":
        rendered.body.push(...questionBlocks(prompt, say));
        break;
      case "ask_text":
        rendered.body.push(...askTextBlocks(prompt, say, locale));
        break;
      case "card":
        rendered.card = prompt;
        break;
    }
  }
  return rendered;
}

/** Blocks as Slack messages: as few as the budgets allow, each with its notification text. */
export function toMessages(blocks: Block[]): SlackMessage[] {
  return packMessages(blocks).map((part) => ({ text: fallbackText(part), blocks: uniqueBlockIds(part) }));
}

/** Slack refuses a message with a repeated block_id; keep the first. */
function uniqueBlockIds(blocks: Block[]): Block[] {
  const seen = new Set<string>();
  return blocks.map((block) => {
    if (!block.block_id) return block;
    if (!seen.has(block.block_id)) {
      seen.add(block.block_id);
      return block;
    }
    const { block_id: _dropped, ...rest } = block;
    return rest as Block;
  });
}

/**
 * Choice buttons. Labels longer than a button allows (75 characters) are
 * listed in full in the text and the buttons carry their numbers instead.
 */
export function choiceBlocks(
  step: number,
  choices: Choice[],
  say: SayText,
  extra: { before?: Button[]; after?: Button[] } = {},
): Block[] {
  const labels = choices.map((choice) => say(choice.label));
  const numbered = labels.some((label) => label.length > LIMITS.buttonText);
  const buttons = choices.map((choice, index) =>
    button(numbered ? String(index + 1) : (labels[index] ?? choice.id), packChoice(step, choice.id)),
  );
  const list = numbered ? sections(labels.map((label, index) => `${index + 1}. ${label}`).join("\n")) : [];
  const all = [...(extra.before ?? []), ...buttons, ...(extra.after ?? [])];
  return [...list, ...(all.length > 0 ? actions(all) : [])];
}

function questionBlocks(prompt: Kind<"question">, say: SayText): Block[] {
  return [...sections(say(prompt.text), PROMPT_BLOCK), ...choiceBlocks(prompt.step, prompt.choices, say)];
}

/** Free text: typed in the DM, or written in a modal opened by "Write your answer". */
function askTextBlocks(prompt: Kind<"ask_text">, say: SayText, locale: string): Block[] {
  const write = packWrite({ step: prompt.step, maxChars: prompt.maxChars, locale });
  const writeButton = button(say(slackKey("write_answer")), write.actionId, { value: write.value, primary: true });
  return [
    ...sections(say(prompt.text), PROMPT_BLOCK),
    ...choiceBlocks(prompt.step, prompt.choices, say, { before: [writeButton] }),
  ];
}

/** A card's title and the prompt someone gave an AI, each message under its role. */
export function scenarioBlocks(card: CardPrompt, say: SayText): Block[] {
  const blocks = header(say(card.title));
  for (const message of card.messages) {
    blocks.push(...context(say({ key: `task.role_${message.role}` })), ...sections(message.content));
  }
  return blocks;
}

/** Responses under their letters ("Response A"), split into sections, never cut. */
export function responseBlocks(responses: readonly ShownResponse[], say: SayText): Block[] {
  return responses.flatMap((response) => [
    divider,
    ...header(say({ key: "card.response", params: { label: response.displayLabel } })),
    ...sections(response.text),
  ]);
}
