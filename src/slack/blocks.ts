import type { types } from "@slack/bolt";
import { type SplitRules, splitText } from "../core/text/split.js";

export type Block = types.KnownBlock;
export type Button = types.Button;
type PlainText = types.PlainTextElement;

/**
 * Slack's Block Kit limits this adapter keeps to. `messageText` is the
 * budget for all the text in one message's blocks: Slack refuses messages
 * well under its documented 50 blocks × 3,000 characters, so a message is
 * kept to about 11,000 characters and longer content goes to the next one.
 */
export const LIMITS = {
  sectionText: 3000,
  messageText: 11_000,
  blocksPerMessage: 50,
  buttonText: 75,
  headerText: 150,
  contextText: 2000,
  actionsElements: 25,
  modalTitle: 24,
  modalBlocks: 100,
  inputLabel: 2000,
  inputMaxLength: 3000,
  /** Options of a radio_buttons or checkboxes element, and the text of each. */
  options: 10,
  optionText: 75,
} as const;

/**
 * How a long Slack text is split into sections: after a paragraph, else a
 * line, else a sentence, else a space, keeping every character (the pieces
 * sit in one message); pieces that are only whitespace are left out.
 */
export const SLACK_SPLIT: SplitRules = {
  breaks: [/\n\s*\n/, /\n/, /[.!?。！？](?=\s)/, /\s/],
  separator: "keep",
  dropBlank: true,
};

/** Shortens our own UI strings to a limit (titles, labels); never used on participant or study text. */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Plain text, shown exactly as written: no mrkdwn, no :emoji: codes, nothing to escape. */
export function plain(text: string): PlainText {
  return { type: "plain_text", text, emoji: false };
}

/** One section per ≤ 3,000-character piece of `text` (split, never cut). */
export function sections(text: string, blockId?: string): Block[] {
  return splitText(text, LIMITS.sectionText, SLACK_SPLIT).map((piece, index) => ({
    type: "section",
    text: plain(piece),
    ...(blockId && index === 0 ? { block_id: blockId } : {}),
  }));
}

/** A header when it fits Slack's 150 characters, otherwise sections. */
export function header(text: string): Block[] {
  if (text.length <= LIMITS.headerText && !text.includes("\n")) return [{ type: "header", text: plain(text) }];
  return sections(text);
}

/** A small grey line (a role name, a page number, a choice made). */
export function context(text: string): Block[] {
  return splitText(text, LIMITS.contextText, SLACK_SPLIT).map((piece) => ({
    type: "context",
    elements: [plain(piece)],
  }));
}

export const divider: Block = { type: "divider" };

export function button(text: string, actionId: string, options: { value?: string; primary?: boolean } = {}): Button {
  return {
    type: "button",
    text: plain(text),
    action_id: actionId,
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...(options.primary ? { style: "primary" as const } : {}),
  };
}

/** Buttons in actions blocks of at most 25; only the first block carries `blockId`. */
export function actions(buttons: Button[], blockId?: string): Block[] {
  const blocks: Block[] = [];
  for (let start = 0; start < buttons.length; start += LIMITS.actionsElements) {
    blocks.push({
      type: "actions",
      elements: buttons.slice(start, start + LIMITS.actionsElements),
      ...(blockId && start === 0 ? { block_id: blockId } : {}),
    });
  }
  return blocks;
}

/** Characters of text a block shows: every `text` of a text object inside it. */
export function blockTextLength(block: unknown): number {
  if (Array.isArray(block)) return block.reduce((sum: number, item) => sum + blockTextLength(item), 0);
  if (!block || typeof block !== "object") return 0;
  let total = 0;
  for (const [field, value] of Object.entries(block)) {
    if (field === "text" && typeof value === "string") total += value.length;
    else if (typeof value === "object") total += blockTextLength(value);
  }
  return total;
}

/**
 * Packs blocks into as few messages as the budgets allow (a message's, unless
 * given), in order. A block never exceeds a message on its own (sections are
 * ≤ 3,000 characters).
 */
export function packMessages(
  blocks: Block[],
  budget: { text: number; blocks: number } = { text: LIMITS.messageText, blocks: LIMITS.blocksPerMessage },
): Block[][] {
  const messages: Block[][] = [];
  let current: Block[] = [];
  let size = 0;
  for (const block of blocks) {
    const length = blockTextLength(block);
    if (current.length > 0 && (size + length > budget.text || current.length >= budget.blocks)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(block);
    size += length;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

/** Notification text for a message (Slack shows it in notifications and screen readers). */
export function fallbackText(blocks: Block[]): string {
  for (const block of blocks) {
    if ((block.type === "section" || block.type === "header") && "text" in block && block.text) {
      const text = block.text.text;
      return text.length > 150 ? `${text.slice(0, 149)}…` : text;
    }
  }
  return "Chorus";
}
