import type { Prompt, Text } from "../core/flow/prompts.js";
import { splitText } from "../core/text/split.js";
import type { I18n } from "../i18n/index.js";
import { cardKey } from "./callback-data.js";
import { MESSAGE_MAX_CHARS, renderCard, TELEGRAM_SPLIT } from "./card.js";
import { choiceKeyboard, type Keyboard } from "./keyboard.js";
import type { LiveCard, MessageMemo } from "./message-memory.js";

/** Telegram's limit on the text of a callback-query answer. */
const CALLBACK_ANSWER_MAX_CHARS = 200;

export type ReplyMarkup = { kind: "inline"; rows: Keyboard } | { kind: "force_reply" };

/** The card a message shows, so the executor can remember it as the chat's live card. */
export interface CardMark {
  cardId: string;
  summary: string;
}

/** One Bot API write. Texts are plain: no parse mode, so AI and participant text never needs escaping. */
export type Operation =
  /** A new message. */
  | { kind: "send"; text: string; markup?: ReplyMarkup; memo?: MessageMemo; card?: CardMark }
  /** A message's text and keyboard replaced (the live card, a page of it). */
  | { kind: "edit"; messageId: number; text: string; keyboard: Keyboard; memo?: MessageMemo; card?: CardMark }
  /** A message that is done: its buttons removed, its text replaced by `text` if given. */
  | { kind: "close"; messageId: number; text?: string };

export interface RenderPlan {
  /** For a button press: the text of its answerCallbackQuery ("" = answer without text). */
  callbackAnswer?: string;
  operations: Operation[];
}

/** The message a button was pressed on, as the callback query tells it. */
export interface PressedMessage {
  messageId: number;
  /** Its text as Telegram shows it ("" if Telegram did not send it). */
  text: string;
  /** The key of the card the pressed button sits on, for a button on a scenario card. */
  card?: string;
  /** The pressed button's label. */
  label?: string;
  /** Telegram showed the message without buttons (they were removed already): nothing to close. */
  closed?: boolean;
}

export interface RenderOptions {
  /** Renders a core Text (the bot passes a cached i18n.render, see text-cache.ts). */
  i18n: Pick<I18n, "render">;
  locale: string;
  /** The update was a button press on this message: short notices become the callback answer. */
  pressed?: PressedMessage;
  /** The chat's live card as the adapter remembers it. */
  liveCard?: LiveCard;
  /** For tests: the message length limit. */
  maxChars?: number;
}

/**
 * Core prompts → the Bot API writes that show them. Pure: the executor
 * (deliver.ts) performs the plan.
 *
 * - A scenario is one card message. A press on the card edits it in place;
 *   otherwise (the participant typed, or pressed an older message) the card
 *   is sent anew below, and the card that was live shrinks to its summary.
 *   `card_closed` shrinks the saved card's message the same way.
 * - Messages and notices in front of a question or a card head its message,
 *   so a step is one message, not a burst.
 * - A pressed question message loses its buttons and keeps what was chosen
 *   ("✓ I agree"); a card pressed when nothing is asked any more (the
 *   participant withdrew) just loses its buttons. Closing comes after the
 *   new messages, which the participant waits for.
 * - Text over the limit is split (messages) or paged (a card), never cut.
 * - ask_text without choices gets force_reply; with choices, the buttons
 *   (Telegram allows one reply markup per message) and typing still works.
 */
export function renderPrompts(prompts: readonly Prompt[], options: RenderOptions): RenderPlan {
  const limit = options.maxChars ?? MESSAGE_MAX_CHARS;
  const t = (text: Text) => options.i18n.render(options.locale, text);
  const { pressed } = options;
  const operations: Operation[] = [];
  // Messages that are done are closed after the new ones are out, so the next step shows a round trip sooner.
  const closes: Operation[] = [];
  const pending: string[] = [];
  const notices: string[] = [];
  let live = options.liveCard;
  let pressedDone = false;

  const send = (texts: string[], markup?: ReplyMarkup, memo?: MessageMemo) => {
    if (texts.length === 0 && !markup) return;
    const chunks = splitText(texts.join("\n\n"), limit, TELEGRAM_SPLIT);
    chunks.forEach((chunk, index) => {
      const last = index === chunks.length - 1;
      operations.push({
        kind: "send",
        text: chunk,
        ...(last && markup ? { markup } : {}),
        ...(last && memo ? { memo } : {}),
      });
    });
  };
  const closeLive = (summary = live?.summary) => {
    if (!live) return;
    closes.push({ kind: "close", messageId: live.messageId, ...(summary ? { text: summary } : {}) });
    if (live.messageId === pressed?.messageId) pressedDone = true;
    live = undefined;
  };
  // A card message Telegram shows without buttons already stands for its card as a summary: it is not put back.
  const pressedOn = (cardId: string) =>
    !pressedDone && !pressed?.closed && pressed?.card !== undefined && pressed.card === cardKey(cardId);

  for (const prompt of prompts) {
    switch (prompt.kind) {
      case "message":
        pending.push(t(prompt.text));
        break;
      case "notice": {
        const text = t(prompt.text);
        const joined = [...notices, text].join(" ");
        if (pressed && joined.length <= CALLBACK_ANSWER_MAX_CHARS) notices.push(text);
        else pending.push(text);
        break;
      }
      case "question":
      case "ask_text": {
        pending.push(t(prompt.text));
        if (prompt.kind === "ask_text" && prompt.choices.length === 0) {
          send(pending.splice(0), { kind: "force_reply" });
          break;
        }
        const { rows, choiceIds } = choiceKeyboard(prompt.choices, prompt.step, (choice) => t(choice.label));
        send(pending.splice(0), { kind: "inline", rows }, choiceIds ? { choiceIds } : undefined);
        break;
      }
      case "card_closed": {
        const summary = t(prompt.summary);
        if (pressed && pressedOn(prompt.cardId)) {
          closes.push({ kind: "close", messageId: pressed.messageId, text: summary });
          pressedDone = true;
          if (live?.messageId === pressed.messageId) live = undefined;
        } else if (live?.cardId === prompt.cardId) {
          closeLive(summary);
        }
        break;
      }
      case "card": {
        const rendered = renderCard(prompt, t, pending.splice(0), limit);
        send(rendered.spill);
        const [first, ...more] = rendered.pages;
        if (!first) throw new Error("a card without pages");
        const memo: MessageMemo = {
          ...(rendered.choiceIds ? { choiceIds: rendered.choiceIds } : {}),
          ...(more.length > 0 ? { pages: rendered.pages } : {}),
        };
        const card = { cardId: prompt.cardId, summary: rendered.summary };
        // The card that was live stands for this card where it is: the new one's summary fits it.
        const sameCard = live?.cardId === prompt.cardId ? rendered.summary : undefined;
        if (pressed && pressedOn(prompt.cardId)) {
          if (live && live.messageId !== pressed.messageId) closeLive(sameCard);
          operations.push({
            kind: "edit",
            messageId: pressed.messageId,
            text: first.text,
            keyboard: first.keyboard,
            memo,
            card,
          });
          pressedDone = true;
          live = { messageId: pressed.messageId, ...card };
        } else {
          closeLive(sameCard);
          operations.push({
            kind: "send",
            text: first.text,
            markup: { kind: "inline", rows: first.keyboard },
            memo,
            card,
          });
        }
        break;
      }
    }
  }
  send(pending.splice(0));

  if (pressed && !pressedDone && !pressed.closed) {
    const close = closePressed(prompts, pressed, options.liveCard, limit);
    if (close) closes.unshift(close);
  }
  return { ...(pressed ? { callbackAnswer: notices.join(" ") } : {}), operations: [...operations, ...closes] };
}

/**
 * What happens to a pressed message the prompts did not replace. A question
 * is answered: its buttons go, and what was chosen stays below its text (only
 * the buttons go when the press changed nothing: a notice says why). An old
 * card shrinks when another card is shown, or when nothing is asked any more
 * (the participant is gone); while a question is asked instead (paused,
 * confirming a withdrawal) it stays, to be used again after.
 */
function closePressed(
  prompts: readonly Prompt[],
  pressed: PressedMessage,
  liveCard: LiveCard | undefined,
  limit: number,
): Operation | undefined {
  if (pressed.card === undefined) {
    const answered = !prompts.some((prompt) => prompt.kind === "notice");
    const text = `${pressed.text}\n\n✓ ${pressed.label ?? ""}`;
    const keep = answered && pressed.text !== "" && pressed.label && text.length <= limit;
    return { kind: "close", messageId: pressed.messageId, ...(keep ? { text } : {}) };
  }
  const asksElse = prompts.some((prompt) => prompt.kind === "question" || prompt.kind === "ask_text");
  if (asksElse && !prompts.some((prompt) => prompt.kind === "card")) return undefined;
  const summary = liveCard?.messageId === pressed.messageId ? liveCard.summary : undefined;
  return { kind: "close", messageId: pressed.messageId, ...(summary ? { text: summary } : {}) };
}
