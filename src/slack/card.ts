import type { CardPrompt } from "../core/flow/prompts.js";
import {
  actions,
  type Block,
  blockTextLength,
  button,
  context,
  divider,
  fallbackText,
  LIMITS,
  packMessages,
  sections,
} from "./blocks.js";
import { cardFormFits } from "./card-form.js";
import { cardBlockId, PAGE_PREFIX, packChoice, packForm } from "./ids.js";
import { choiceBlocks, responseBlocks, type SlackMessage, scenarioBlocks, toMessages } from "./render.js";
import { type SayText, slackKey } from "./text.js";

/**
 * What the Slack surface tells the engine with every input: a card message
 * holds about 11,000 characters of text (see LIMITS.messageText); 9,000 of
 * them go to the prompt and the four responses, the rest to the lines in
 * front, the status, the question and the buttons. The Slack app does not
 * split long messages, so there is no split length.
 */
export const SLACK_SURFACE = { cardChars: 9000 } as const;

/** Room the part buttons of a long card take (a context line and one actions block). */
const PAGE_NAV_ROOM = { text: 200, blocks: 2 };
/** Lines in front of a card that leave it less than this much room go in a message of their own. */
const MIN_BODY_ROOM = { text: LIMITS.sectionText * 2, blocks: 12 };

/** A card as shown in one Slack message: lines in front, the card, and which part of its text is shown. */
export interface CardView {
  card: CardPrompt;
  /** Blocks in front of the card (what was said just before it: "Saved…", a command's answer). */
  head: Block[];
  /** The part of the card's text shown, when it needs more than one message (0 otherwise). */
  page: number;
}

interface RenderedCard {
  /** Messages to show, in order; the card itself is the last (the others carry lines in front that did not fit). */
  messages: SlackMessage[];
  /** How many parts the card's text has, and the one shown (clamped). */
  pages: number;
  page: number;
  /** The head that ended up in the card's own message. */
  head: Block[];
}

/**
 * The card as ONE message: the prompt and the responses (all of them, or
 * the open one with "Read A–D" buttons), what is answered so far, the
 * question and the step's buttons, with "Answer in one form" when the form
 * fits a modal. Text too long for one message is shown in parts, with
 * buttons to the previous and next part, so the card never spreads over
 * several messages.
 */
export function renderCard(view: CardView, say: SayText): RenderedCard {
  const { card } = view;
  const tail = cardTail(card, say);
  const body = cardBody(card, say);
  let head = view.head;
  const before: SlackMessage[] = [];
  if (!roomLeft(head, tail)) {
    before.push(...toMessages(head));
    head = [];
  }
  const room = roomLeft(head, tail) ?? MIN_BODY_ROOM;
  const parts = packMessages(body, room);
  const page = Math.min(Math.max(view.page, 0), parts.length - 1);
  const nav = parts.length > 1 ? pageNav(card.cardId, page, parts.length, say) : [];
  const blocks = [...head, ...(parts[page] ?? []), ...nav, ...tail];
  return { messages: [...before, { text: fallbackText(blocks), blocks }], pages: parts.length, page, head };
}

/** The card as the one line that stands for it once it is no longer live, below what was in front of it. */
export function cardSummary(head: Block[], summary: string): SlackMessage {
  const blocks = [...head, ...context(summary)];
  return { text: summary, blocks };
}

/** The room the card's text has in one message beside `head` and `tail`, if enough for a card. */
function roomLeft(head: Block[], tail: Block[]): { text: number; blocks: number } | undefined {
  const fixed = [...head, ...tail];
  const room = {
    text: LIMITS.messageText - blockTextLength(fixed) - PAGE_NAV_ROOM.text,
    blocks: LIMITS.blocksPerMessage - fixed.length - PAGE_NAV_ROOM.blocks,
  };
  return room.text >= MIN_BODY_ROOM.text && room.blocks >= MIN_BODY_ROOM.blocks ? room : undefined;
}

/** The title, the prompt messages with their roles, and the responses shown. */
function cardBody(card: CardPrompt, say: SayText): Block[] {
  const shown = card.layout === "all" ? card.responses : card.responses.filter((_, index) => index === card.open);
  return [...scenarioBlocks(card, say), ...responseBlocks(shown, say)];
}

/** Read buttons (paged cards), what is answered so far, the question, the step's buttons. */
function cardTail(card: CardPrompt, say: SayText): Block[] {
  const blocks: Block[] = [];
  if (card.layout === "paged" && card.readChoices.length > 0) {
    const reads = card.readChoices.map((choice, index) =>
      button(say(slackKey("read", { label: say(choice.label) })), packChoice(card.step, choice.id), {
        primary: index === card.open,
      }),
    );
    blocks.push(...context(say({ key: "card.read_hint" })), ...actions(reads));
  }
  blocks.push(divider);
  if (card.status.length > 0) blocks.push(...context(card.status.map(say).join("\n")));
  const [question, ...more] = sections(say(card.question));
  if (question) blocks.push({ ...question, block_id: cardBlockId(card.cardId) }, ...more);
  const form = card.form && cardFormFits(card, say) ? [formButton(card, say)] : [];
  blocks.push(...choiceBlocks(card.step, card.choices, say, { after: form }));
  return blocks;
}

function formButton(card: CardPrompt, say: SayText) {
  const packed = packForm(card.step, card.cardId);
  return button(say(slackKey("form.open")), packed.actionId, { value: packed.value, primary: true });
}

function pageNav(cardId: string, page: number, pages: number, say: SayText): Block[] {
  const buttons = [];
  if (page > 0) buttons.push(button(say(slackKey("part.previous")), `${PAGE_PREFIX}${page - 1}`, { value: cardId }));
  if (page < pages - 1)
    buttons.push(button(say(slackKey("part.next")), `${PAGE_PREFIX}${page + 1}`, { value: cardId }));
  return [...context(say(slackKey("part.of", { part: page + 1, parts: pages }))), ...actions(buttons)];
}
