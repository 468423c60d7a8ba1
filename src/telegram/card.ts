import type { Surface } from "../core/flow/context.js";
import type { CardPrompt, Choice } from "../core/flow/prompts.js";
import { type SplitRules, splitText } from "../core/text/split.js";
import { cardKey } from "./callback-data.js";
import { choiceKeyboard, type Keyboard, pageRow, type Translate } from "./keyboard.js";
import type { CardPage } from "./message-memory.js";

/** Telegram's limit on a message's text. */
export const MESSAGE_MAX_CHARS = 4096;

/**
 * How a long Telegram text is split into messages or card pages: at a blank
 * line, else a line end, else a space, which is left out (each piece is a
 * message of its own).
 */
export const TELEGRAM_SPLIT: SplitRules = { breaks: [/\n\n/, /\n/, / /], separator: "drop", dropBlank: false };

/**
 * What a Telegram card holds, told to the engine with every input. The
 * engine counts the prompt and the four responses at their length plus 80
 * characters each. A rendered card adds the title, the status lines, the
 * question and a remark in front ("Saved. 1 of 4 scenarios done."), but its
 * headers take far less than 80 per text: in the wordiest locale a card is
 * at most about 300 characters longer than the engine's count
 * (tests/telegram/card.test.ts). So 3,700 fits every card the engine lays
 * out whole in one 4,096-character message, and a scenario whose responses
 * average more than about 800 characters is shown one response at a time.
 * The app splits typed messages at 4,096 characters.
 */
export const TELEGRAM_SURFACE: Surface = { cardChars: 3600, splitChars: MESSAGE_MAX_CHARS };

/** A card body shorter than this per page is not worth paging: remarks in front go alone instead. */
const MIN_BODY_CHARS = 1000;

export interface RenderedCard {
  /** The card's text and keyboard, page by page (one page when it fits a message). */
  pages: CardPage[];
  /** Set when some button carries an index: the choice ids, in packing order. */
  choiceIds?: string[];
  /** The card's one-line summary, for where it is no longer live. */
  summary: string;
  /** Remarks meant to head the card that did not fit on it: to be sent before it. */
  spill: string[];
}

/**
 * A scenario card as one Telegram message: remarks in front, the title, the
 * prompt messages with their role, the responses (all four, or the open one),
 * what is answered so far and the question; then the keyboard: the read row
 * (paged layout, the open response marked), page buttons if the text is
 * longer than one message, and the step's choices. A card that does not fit
 * is paged, never cut: every page keeps the head and the question.
 */
export function renderCard(card: CardPrompt, t: Translate, head: string[], limit = MESSAGE_MAX_CHARS): RenderedCard {
  const key = cardKey(card.cardId);
  const sections = [
    ...card.messages.map((message) => `[${t({ key: `task.role_${message.role}` })}]\n${message.content}`),
    ...card.responses
      .filter((_, index) => card.layout === "all" || index === card.open)
      .map(
        (response) =>
          `── ${t({ key: "card.response", params: { label: response.displayLabel } })} ──\n${response.text}`,
      ),
  ];
  const body = sections.join("\n\n");
  const title = t(card.title);
  const foot = [
    ...(card.layout === "paged" ? [t({ key: "card.read_hint" })] : []),
    [...card.status.map(t), t(card.question)].join("\n"),
  ];

  const { rows: readRows } = choiceKeyboard(card.readChoices, card.step, (choice) => readLabel(card, choice, t), key);
  const readRow: Keyboard = readRows.length > 0 ? [readRows.flat()] : [];
  const offset = card.readChoices.length;
  const step = choiceKeyboard(card.choices, card.step, (choice) => t(choice.label), key, offset);
  const ids = step.choiceIds ? { choiceIds: [...card.readChoices, ...card.choices].map((choice) => choice.id) } : {};
  const summary = t(card.summary);

  const whole = [...head, title, body, ...foot].join("\n\n");
  if (whole.length <= limit) {
    return { pages: [{ text: whole, keyboard: [...readRow, ...step.rows] }], ...ids, summary, spill: [] };
  }

  let top = [...head, title];
  let spill: string[] = [];
  const marker = (page: number, pages: number) => t({ key: "viewer.page", params: { page, pages } });
  const room = () => limit - [...top, marker(999, 999), "", ...foot].join("\n\n").length;
  if (room() < MIN_BODY_CHARS && head.length > 0) {
    spill = head;
    top = [title];
  }
  if (room() < 1) throw new RangeError("a card's title, status and question alone exceed a Telegram message");
  const bodies = splitText(body, room(), TELEGRAM_SPLIT);
  const open = card.readChoices[card.open]?.id;
  const pages = bodies.map((chunk, index) => ({
    text: [...top, marker(index + 1, bodies.length), chunk, ...foot].join("\n\n"),
    keyboard: [...readRow, ...pageRow(index, bodies.length, key, open), ...step.rows],
  }));
  return { pages, ...ids, summary, spill };
}

/**
 * A read button: the response's letter behind a page (an open book for the
 * one shown), so the read row is never mistaken for the ranking letters.
 */
function readLabel(card: CardPrompt, choice: Choice, t: Translate): string {
  return `${card.readChoices[card.open] === choice ? "📖" : "📄"} ${t(choice.label)}`;
}
