import type { CallbackQuery, Message, Update } from "grammy/types";
import type { Input } from "../core/flow/inputs.js";
import { unpackCallbackData } from "./callback-data.js";
import type { MessageMemo } from "./message-memory.js";
import type { PressedMessage } from "./render.js";

/** What an update means for the adapter. */
export type DecodedUpdate =
  /** Something for the engine; `pressed` is the message a button was pressed on. */
  | { kind: "input"; input: Input; pressed?: PressedMessage }
  /**
   * A page button of a long card: the adapter shows the page it remembers,
   * or (forgotten) opens the response again through the engine with `reopen`.
   */
  | { kind: "page"; page: number; pressed: PressedMessage; reopen?: Input }
  /** A button this process cannot read (malformed, or its memo was forgotten): out of date. */
  | { kind: "unknown_button" }
  /** The participant edited a message they had sent: answered, never read as an answer. */
  | { kind: "edited" }
  /** Not for the survey (service messages, other chats). */
  | { kind: "ignored" };

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

/**
 * Telegram update → core Input. `/start <payload>` carries the deep-link
 * source and the platform's language (only an explicit /start ever does:
 * nothing else becomes a start); other `/commands` are passed by name (the
 * engine answers unknown ones); text is text, a media caption is text marked
 * as a caption, media without one is media; callback data is a choice.
 * `recall` returns the memo of a message whose buttons carry indexes.
 */
export function decodeUpdate(
  update: Update,
  recall: (chatId: number, messageId: number) => MessageMemo | undefined,
): DecodedUpdate {
  if (update.callback_query) return decodePress(update.callback_query, recall);
  if (update.edited_message)
    return update.edited_message.chat.type === "private" ? { kind: "edited" } : { kind: "ignored" };

  const message = update.message;
  if (message?.chat.type !== "private" || !message.from) return { kind: "ignored" };
  if (message.text === undefined) {
    if (message.caption !== undefined)
      return { kind: "input", input: { kind: "text", text: message.caption, fromCaption: true } };
    // Stickers, photos without a caption, voice…: answered in context, never an answer.
    return isContent(message) ? { kind: "input", input: { kind: "media" } } : { kind: "ignored" };
  }
  const text = message.text;
  const isCommand = message.entities?.[0]?.type === "bot_command" && message.entities[0].offset === 0;
  const command = isCommand ? COMMAND.exec(text) : null;
  if (command?.[1]) {
    const name = command[1].toLowerCase();
    if (name === "start") {
      const source = command[2]?.trim();
      const locale = message.from.language_code;
      return {
        kind: "input",
        input: { kind: "start", ...(source ? { source } : {}), ...(locale ? { suggestedLocale: locale } : {}) },
      };
    }
    return { kind: "input", input: { kind: "command", name } };
  }
  return { kind: "input", input: { kind: "text", text } };
}

function decodePress(
  query: CallbackQuery,
  recall: (chatId: number, messageId: number) => MessageMemo | undefined,
): DecodedUpdate {
  const message = query.message;
  if (query.data === undefined || !message) return { kind: "unknown_button" };
  const action = unpackCallbackData(query.data);
  if (!action) return { kind: "unknown_button" };
  const card = action.card !== undefined ? { card: action.card } : {};
  const label = pressedLabel(message, query.data);
  const withButtons = "reply_markup" in message && (message.reply_markup?.inline_keyboard.length ?? 0) > 0;
  const pressed: PressedMessage = {
    messageId: message.message_id,
    text: "text" in message && message.text !== undefined ? message.text : "",
    ...card,
    ...(label !== undefined ? { label } : {}),
    ...(withButtons ? {} : { closed: true }),
  };
  if (action.kind === "page") {
    // A response is opened whatever the step (see core readChoiceId): the step here is never checked.
    const reopen: Input | undefined =
      action.open !== undefined ? { kind: "choice", step: 0, choice: action.open } : undefined;
    return { kind: "page", page: action.page, pressed, ...(reopen ? { reopen } : {}) };
  }
  if (action.kind === "choice") {
    return { kind: "input", input: { kind: "choice", step: action.step, choice: action.choice }, pressed };
  }
  const choice = recall(message.chat.id, message.message_id)?.choiceIds?.[action.index];
  if (choice === undefined) return { kind: "unknown_button" };
  return { kind: "input", input: { kind: "choice", step: action.step, choice }, pressed };
}

/** The label of the button with this data on the pressed message, if Telegram sent the keyboard. */
function pressedLabel(message: NonNullable<CallbackQuery["message"]>, data: string): string | undefined {
  const rows = "reply_markup" in message ? message.reply_markup?.inline_keyboard : undefined;
  for (const row of rows ?? []) {
    for (const button of row) if ("callback_data" in button && button.callback_data === data) return button.text;
  }
  return undefined;
}

/** A message a participant sent on purpose (not a service message such as a pinned-message notice). */
function isContent(message: Message): boolean {
  return Boolean(
    message.sticker ||
      message.photo ||
      message.voice ||
      message.audio ||
      message.video ||
      message.video_note ||
      message.document ||
      message.animation ||
      message.contact ||
      message.location,
  );
}
