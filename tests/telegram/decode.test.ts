import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { packChoice, packPage } from "../../src/telegram/callback-data.js";
import { decodeUpdate } from "../../src/telegram/decode.js";

const from = { id: 42, is_bot: false, first_name: "Ana", language_code: "es-MX" };
const chat = { id: 42, type: "private" as const, first_name: "Ana" };

function text(value: string, extra: Record<string, unknown> = {}): Update {
  const command = /^\/\S+/.exec(value);
  return {
    update_id: 1,
    message: {
      message_id: 10,
      date: 0,
      chat,
      from,
      text: value,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      ...extra,
    },
  } as Update;
}

function media(extra: Record<string, unknown>): Update {
  return { update_id: 3, message: { message_id: 11, date: 0, chat, from, ...extra } } as Update;
}

function press(data: string, messageId = 7, keyboard?: { text: string; callback_data: string }[][]): Update {
  return {
    update_id: 2,
    callback_query: {
      id: "q",
      from,
      chat_instance: "c",
      data,
      message: {
        message_id: messageId,
        date: 0,
        chat,
        text: "Ready?",
        ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
      },
    },
  } as Update;
}

const nothing = () => undefined;

describe("decodeUpdate", () => {
  it("reads /start with a deep-link source and the platform language", () => {
    expect(decodeUpdate(text("/start src123"), nothing)).toEqual({
      kind: "input",
      input: { kind: "start", source: "src123", suggestedLocale: "es-MX" },
    });
    expect(decodeUpdate(text("/start"), nothing)).toEqual({
      kind: "input",
      input: { kind: "start", suggestedLocale: "es-MX" },
    });
  });

  it("passes other commands by name, lower-cased, without the bot's @username", () => {
    expect(decodeUpdate(text("/Help@chorus_bot"), nothing)).toEqual({
      kind: "input",
      input: { kind: "command", name: "help" },
    });
    expect(decodeUpdate(text("/nosuch"), nothing)).toEqual({
      kind: "input",
      input: { kind: "command", name: "nosuch" },
    });
  });

  it("keeps typed text exactly, including a slash that is not a command or a /start that is not one", () => {
    expect(decodeUpdate(text("  B > A = C > D "), nothing)).toEqual({
      kind: "input",
      input: { kind: "text", text: "  B > A = C > D " },
    });
    expect(decodeUpdate(text("1/2 of them"), nothing)).toMatchObject({ input: { kind: "text", text: "1/2 of them" } });
    // Without a bot_command entity (e.g. pasted mid-text), "/start" is just text: it never becomes a start.
    expect(decodeUpdate(text("see /start", { entities: [] }), nothing)).toMatchObject({ input: { kind: "text" } });
  });

  it("turns media without text into media, and a caption into text marked as a caption", () => {
    expect(decodeUpdate(media({ sticker: { file_id: "s" } }), nothing)).toEqual({
      kind: "input",
      input: { kind: "media" },
    });
    expect(decodeUpdate(media({ voice: { file_id: "v", duration: 3 } }), nothing)).toEqual({
      kind: "input",
      input: { kind: "media" },
    });
    expect(decodeUpdate(media({ photo: [{ file_id: "p" }], caption: "My reason, on a photo" }), nothing)).toEqual({
      kind: "input",
      input: { kind: "text", text: "My reason, on a photo", fromCaption: true },
    });
  });

  it("ignores service messages and group chats, and notes edits in a private chat", () => {
    expect(decodeUpdate(media({ pinned_message: {} }), nothing)).toEqual({ kind: "ignored" });
    const group = text("hello", { chat: { id: -5, type: "group", title: "g" } });
    expect(decodeUpdate(group, nothing)).toEqual({ kind: "ignored" });
    const edited = { update_id: 4, edited_message: { message_id: 10, date: 0, edit_date: 1, chat, from, text: "x" } };
    expect(decodeUpdate(edited as Update, nothing)).toEqual({ kind: "edited" });
  });

  it("turns button data into a choice for its step, with the pressed message, its card and label", () => {
    const data = packChoice(12, "yes", 0).data;
    expect(decodeUpdate(press(data, 7, [[{ text: "I agree", callback_data: data }]]), nothing)).toEqual({
      kind: "input",
      input: { kind: "choice", step: 12, choice: "yes" },
      pressed: { messageId: 7, text: "Ready?", label: "I agree" },
    });
    expect(decodeUpdate(press(packChoice(12, "p:B", 1, { card: "k9" }).data, 99), nothing)).toEqual({
      kind: "input",
      input: { kind: "choice", step: 12, choice: "p:B" },
      pressed: { messageId: 99, text: "Ready?", card: "k9", closed: true },
    });
  });

  it("reads page buttons, with the choice that opens the response again if the pages are forgotten", () => {
    expect(decodeUpdate(press(packPage(1, "k9", "read:0:2"), 99), nothing)).toEqual({
      kind: "page",
      page: 1,
      pressed: { messageId: 99, text: "Ready?", card: "k9", closed: true },
      reopen: { kind: "choice", step: 0, choice: "read:0:2" },
    });
    expect(decodeUpdate(press(packPage(1, "k9"), 99), nothing)).toMatchObject({ kind: "page", page: 1 });
  });

  it("resolves index buttons through the message's memo, and calls a forgotten one unknown", () => {
    const longId = "q".repeat(64);
    const data = packChoice(3, longId, 1).data;
    const recall = (chatId: number, messageId: number) =>
      chatId === 42 && messageId === 7 ? { choiceIds: ["a", longId] } : undefined;
    expect(decodeUpdate(press(data, 7), recall)).toMatchObject({
      kind: "input",
      input: { kind: "choice", step: 3, choice: longId },
    });
    expect(decodeUpdate(press(data, 8), recall)).toEqual({ kind: "unknown_button" });
    expect(decodeUpdate(press("garbage"), recall)).toEqual({ kind: "unknown_button" });
  });
});
