import type { Choice, Prompt } from "../core/flow/prompts.js";
import {
  actions,
  type Block,
  type Button,
  button,
  context,
  fallbackText,
  header,
  LIMITS,
  packMessages,
  sections,
} from "./blocks.js";
import { PROMPT_BLOCK, packChoice, packWrite, viewerBlockId } from "./ids.js";
import { type SayText, slackKey } from "./text.js";

/** One chat.postMessage / chat.update payload. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * What to send, in order: DM messages, a response viewer (one message edited
 * in place on previous/next; several only when a response is too long for one),
 * and notices (ephemeral, about the last input).
 */
export type Outgoing =
  | { kind: "message"; message: SlackMessage }
  | { kind: "viewer"; viewerId: string; messages: SlackMessage[] }
  | { kind: "notice"; text: string };

type Kind<K extends Prompt["kind"]> = Extract<Prompt, { kind: K }>;

/**
 * Core prompts → Slack messages. Consecutive messages and the question that
 * follows them share one Slack message (fewer posts: Slack allows about one
 * per second per channel); the scenario and the response viewer get their
 * own, as on every chat platform.
 */
export function renderPrompts(prompts: readonly Prompt[], say: SayText, locale: string): Outgoing[] {
  const out: Outgoing[] = [];
  let pending: Block[] = [];
  const flush = () => {
    out.push(...toMessages(pending).map((message) => ({ kind: "message" as const, message })));
    pending = [];
  };
  for (const prompt of prompts) {
    switch (prompt.kind) {
      case "message":
        pending.push(...sections(say(prompt.text)));
        break;
      case "question":
        pending.push(...questionBlocks(prompt, say));
        break;
      case "ask_text":
        pending.push(...askTextBlocks(prompt, say, locale));
        break;
      case "notice":
        flush();
        out.push({ kind: "notice", text: say(prompt.text) });
        break;
      case "scenario":
        flush();
        out.push(...toMessages(scenarioBlocks(prompt, say)).map((message) => ({ kind: "message" as const, message })));
        break;
      case "response":
        flush();
        out.push(viewer(prompt, say));
        break;
    }
  }
  flush();
  return out;
}

function toMessages(blocks: Block[]): SlackMessage[] {
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
function choiceBlocks(step: number, choices: Choice[], say: SayText, extra: Button[] = []): Block[] {
  const labels = choices.map((choice) => say(choice.label));
  const numbered = labels.some((label) => label.length > LIMITS.buttonText);
  const buttons = choices.map((choice, index) =>
    button(numbered ? String(index + 1) : (labels[index] ?? choice.id), packChoice(step, choice.id)),
  );
  const list = numbered ? sections(labels.map((label, index) => `${index + 1}. ${label}`).join("\n")) : [];
  const all = [...extra, ...buttons];
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
    ...choiceBlocks(prompt.step, prompt.choices, say, [writeButton]),
  ];
}

function scenarioBlocks(prompt: Kind<"scenario">, say: SayText): Block[] {
  const blocks = header(say(prompt.title));
  for (const message of prompt.messages) {
    blocks.push(...context(say({ key: `task.role_${message.role}` })), ...sections(message.content));
  }
  return blocks;
}

/** The response viewer: header, the response (split, never cut), previous/next/rank. */
function viewer(prompt: Kind<"response">, say: SayText): Outgoing {
  const title = say({
    key: "viewer.header",
    params: { label: prompt.displayLabel, index: prompt.index, total: prompt.total },
  });
  const body = [...header(title), ...sections(prompt.text)];
  const buttons = prompt.choices.map((choice) => button(say(choice.label), packChoice(prompt.step, choice.id)));
  // Pack once to learn how many messages the viewer needs, then mark its buttons with that count.
  const parts = packMessages([...body, ...actions(buttons)]).length;
  const blocks = [...body, ...actions(buttons, viewerBlockId({ viewerId: prompt.viewerId, parts }))];
  return { kind: "viewer", viewerId: prompt.viewerId, messages: toMessages(blocks) };
}
