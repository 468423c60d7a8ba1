import type { Api } from "grammy";
import type { ForceReply, InlineKeyboardMarkup } from "grammy/types";
import { isNotModified, isUneditable } from "./errors.js";
import type { MessageMemory } from "./message-memory.js";
import type { Keyboard, OutgoingMessage, RenderPlan, ReplyMarkup } from "./render.js";

/** Every message goes out as plain text without link previews. */
const PLAIN = { link_preview_options: { is_disabled: true } } as const;

export function inlineKeyboard(rows: Keyboard): InlineKeyboardMarkup {
  return {
    inline_keyboard: rows.map((row) => row.map((button) => ({ text: button.text, callback_data: button.data }))),
  };
}

function replyMarkup(markup: ReplyMarkup | undefined): InlineKeyboardMarkup | ForceReply | undefined {
  if (!markup) return undefined;
  return markup.kind === "force_reply" ? { force_reply: true } : inlineKeyboard(markup.rows);
}

export interface DeliveryTarget {
  api: Api;
  chatId: number;
  memory: MessageMemory;
  /** Answers the update's callback query (exactly once; the caller tracks it). */
  answerCallback?: (text: string) => Promise<void>;
}

/**
 * Performs a render plan: the callback answer (so the button stops spinning)
 * goes out together with the messages, which follow one another in order;
 * the participant sees the reply one round trip sooner than if the answer
 * were awaited first. A viewer edit that changes nothing is fine; a viewer
 * message that can no longer be edited is sent anew. Resolves when all is
 * done; the first failure (if any) is thrown after the rest has settled.
 */
export async function deliver(target: DeliveryTarget, plan: RenderPlan): Promise<void> {
  const answer =
    plan.callbackAnswer !== undefined && target.answerCallback ? target.answerCallback(plan.callbackAnswer) : undefined;
  const messages = (async () => {
    for (const message of plan.messages) await deliverOne(target, message);
  })();
  const [answered, sent] = await Promise.allSettled([answer, messages]);
  if (sent.status === "rejected") throw sent.reason;
  if (answered.status === "rejected") throw answered.reason;
}

async function deliverOne(target: DeliveryTarget, message: OutgoingMessage): Promise<void> {
  const markup = replyMarkup(message.markup);
  const options = { ...PLAIN, ...(markup ? { reply_markup: markup } : {}) };
  if (message.editMessageId !== undefined) {
    try {
      await target.api.editMessageText(target.chatId, message.editMessageId, message.text, {
        ...PLAIN,
        ...(markup && "inline_keyboard" in markup ? { reply_markup: markup } : {}),
      });
      target.memory.remember(target.chatId, message.editMessageId, message.memo);
      return;
    } catch (error) {
      if (isNotModified(error)) return;
      if (!isUneditable(error)) throw error;
      target.memory.remember(target.chatId, message.editMessageId, undefined);
    }
  }
  const sent = await target.api.sendMessage(target.chatId, message.text, options);
  target.memory.remember(target.chatId, sent.message_id, message.memo);
}
