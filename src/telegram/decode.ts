import type { Update } from "grammy/types";
import type { Input } from "../core/flow/inputs.js";
import { unpackCallbackData } from "./callback-data.js";
import type { MessageMemo } from "./message-memory.js";

/** What an update means for the adapter. */
export type DecodedUpdate =
  /** Something for the engine; `viewerMessageId` is the viewer message a button was pressed on. */
  | { kind: "input"; input: Input; viewerMessageId?: number }
  /** A page button of a long response: handled by the adapter alone. */
  | { kind: "page"; messageId: number; page: number }
  /** A button this process cannot read (malformed, or its memo was forgotten): out of date. */
  | { kind: "unknown_button" }
  /** Not for the survey (edited messages, service messages, other chats). */
  | { kind: "ignored" };

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

/**
 * Telegram update → core Input. `/start <payload>` carries the deep-link
 * source and the platform's language; other `/commands` are passed by name
 * (the engine answers unknown ones); text is text; callback data is a choice.
 * `recall` returns the memo of a message whose buttons carry indexes.
 */
export function decodeUpdate(
  update: Update,
  recall: (chatId: number, messageId: number) => MessageMemo | undefined,
): DecodedUpdate {
  const query = update.callback_query;
  if (query) {
    const message = query.message;
    if (query.data === undefined || !message) return { kind: "unknown_button" };
    const action = unpackCallbackData(query.data);
    if (!action) return { kind: "unknown_button" };
    if (action.kind === "page") return { kind: "page", messageId: message.message_id, page: action.page };
    const viewer = action.viewer ? { viewerMessageId: message.message_id } : {};
    if (action.kind === "choice") {
      return { kind: "input", input: { kind: "choice", step: action.step, choice: action.choice }, ...viewer };
    }
    const choice = recall(message.chat.id, message.message_id)?.choiceIds?.[action.index];
    if (choice === undefined) return { kind: "unknown_button" };
    return { kind: "input", input: { kind: "choice", step: action.step, choice }, ...viewer };
  }

  const message = update.message;
  if (message?.chat.type !== "private") return { kind: "ignored" };
  const text = message.text ?? message.caption;
  if (text === undefined) {
    // Stickers, photos without a caption, voice…: an empty text the engine answers in context.
    return message.from && isContent(message)
      ? { kind: "input", input: { kind: "text", text: "" } }
      : { kind: "ignored" };
  }
  const isCommand = message.entities?.[0]?.type === "bot_command" && message.entities[0].offset === 0;
  const command = isCommand ? COMMAND.exec(text) : null;
  if (command?.[1]) {
    const name = command[1].toLowerCase();
    if (name === "start") {
      const source = command[2]?.trim();
      const locale = message.from?.language_code;
      return {
        kind: "input",
        input: { kind: "start", ...(source ? { source } : {}), ...(locale ? { suggestedLocale: locale } : {}) },
      };
    }
    return { kind: "input", input: { kind: "command", name } };
  }
  return { kind: "input", input: { kind: "text", text } };
}

/** A message a participant sent on purpose (not a service message such as a pinned-message notice). */
function isContent(message: NonNullable<Update["message"]>): boolean {
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
