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

function press(data: string, messageId = 7): Update {
  return {
    update_id: 2,
    callback_query: {
      id: "q",
      from,
      chat_instance: "c",
      data,
      message: { message_id: messageId, date: 0, chat, text: "x" },
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

  it("keeps typed text exactly, including a slash that is not a command", () => {
    expect(decodeUpdate(text("  B > A = C > D "), nothing)).toEqual({
      kind: "input",
      input: { kind: "text", text: "  B > A = C > D " },
    });
    expect(decodeUpdate(text("1/2 of them"), nothing)).toMatchObject({ input: { kind: "text", text: "1/2 of them" } });
  });

  it("turns a sticker into empty text and ignores service messages and group chats", () => {
    const sticker = text("", { text: undefined, sticker: { file_id: "s" } });
    expect(decodeUpdate(sticker, nothing)).toEqual({ kind: "input", input: { kind: "text", text: "" } });
    const pinned = text("", { text: undefined, pinned_message: {} });
    expect(decodeUpdate(pinned, nothing)).toEqual({ kind: "ignored" });
    const group = text("hello", { chat: { id: -5, type: "group", title: "g" } });
    expect(decodeUpdate(group, nothing)).toEqual({ kind: "ignored" });
  });

  it("turns button data into a choice for its step, noting presses on a viewer", () => {
    expect(decodeUpdate(press(packChoice(12, "yes", 0).data), nothing)).toEqual({
      kind: "input",
      input: { kind: "choice", step: 12, choice: "yes" },
    });
    expect(decodeUpdate(press(packChoice(12, "next", 1, { viewer: true }).data, 99), nothing)).toEqual({
      kind: "input",
      input: { kind: "choice", step: 12, choice: "next" },
      viewerMessageId: 99,
    });
    expect(decodeUpdate(press(packPage(1), 99), nothing)).toEqual({ kind: "page", messageId: 99, page: 1 });
  });

  it("resolves index buttons through the message's memo, and calls a forgotten one unknown", () => {
    const longId = "q".repeat(64);
    const data = packChoice(3, longId, 1).data;
    const recall = (chatId: number, messageId: number) =>
      chatId === 42 && messageId === 7 ? { choiceIds: ["a", longId] } : undefined;
    expect(decodeUpdate(press(data, 7), recall)).toEqual({
      kind: "input",
      input: { kind: "choice", step: 3, choice: longId },
    });
    expect(decodeUpdate(press(data, 8), recall)).toEqual({ kind: "unknown_button" });
    expect(decodeUpdate(press("garbage"), recall)).toEqual({ kind: "unknown_button" });
  });
});
