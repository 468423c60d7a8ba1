import type { Api } from "grammy";
import type { ForceReply, InlineKeyboardMarkup } from "grammy/types";
import { isNotModified, isUneditable } from "./errors.js";
import type { Keyboard } from "./keyboard.js";
import type { MessageMemory } from "./message-memory.js";
import type { CardMark, Operation, RenderPlan, ReplyMarkup } from "./render.js";

/** Every message goes out as plain text without link previews. */
const PLAIN = { link_preview_options: { is_disabled: true } } as const;

function inlineKeyboard(rows: Keyboard): InlineKeyboardMarkup {
  return {
    inline_keyboard: rows.map((row) => row.map((button) => ({ text: button.text, callback_data: button.data }))),
  };
}

/** No buttons is no reply markup (an edit without one drops the keyboard). */
function replyMarkup(markup: ReplyMarkup | undefined): InlineKeyboardMarkup | ForceReply | undefined {
  if (!markup) return undefined;
  if (markup.kind === "force_reply") return { force_reply: true };
  return markup.rows.length > 0 ? inlineKeyboard(markup.rows) : undefined;
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
 * goes out together with the writes, which follow one another in order; the
 * participant sees the reply one round trip sooner than if the answer were
 * awaited first. An edit that changes nothing is fine; a card that can no
 * longer be edited is sent anew; a message that can no longer be closed is
 * left as it is. The memory learns each message's memo and the chat's live
 * card. Resolves when all is done; the first failure (if any) is thrown after
 * the rest has settled.
 */
export async function deliver(target: DeliveryTarget, plan: RenderPlan): Promise<void> {
  const answer =
    plan.callbackAnswer !== undefined && target.answerCallback ? target.answerCallback(plan.callbackAnswer) : undefined;
  const writes = (async () => {
    for (const operation of plan.operations) await perform(target, operation);
  })();
  const [answered, written] = await Promise.allSettled([answer, writes]);
  if (written.status === "rejected") throw written.reason;
  if (answered.status === "rejected") throw answered.reason;
}

async function perform(target: DeliveryTarget, operation: Operation): Promise<void> {
  const { api, chatId, memory } = target;
  switch (operation.kind) {
    case "send": {
      const markup = replyMarkup(operation.markup);
      const sent = await api.sendMessage(chatId, operation.text, {
        ...PLAIN,
        ...(markup ? { reply_markup: markup } : {}),
      });
      remember(target, sent.message_id, operation);
      return;
    }
    case "edit": {
      const markup = operation.keyboard.length > 0 ? inlineKeyboard(operation.keyboard) : undefined;
      try {
        await api.editMessageText(chatId, operation.messageId, operation.text, {
          ...PLAIN,
          ...(markup ? { reply_markup: markup } : {}),
        });
      } catch (error) {
        if (isUneditable(error)) {
          // Deleted, or too old to edit: the card comes anew.
          memory.remember(chatId, operation.messageId, undefined);
          memory.cardClosed(chatId, operation.messageId);
          const { messageId: _gone, keyboard, ...rest } = operation;
          return perform(target, { ...rest, kind: "send", markup: { kind: "inline", rows: keyboard } });
        }
        if (!isNotModified(error)) throw error;
      }
      remember(target, operation.messageId, operation);
      return;
    }
    case "close": {
      memory.remember(chatId, operation.messageId, undefined);
      memory.cardClosed(chatId, operation.messageId);
      try {
        // Without reply_markup an edit drops the inline keyboard.
        if (operation.text !== undefined) await api.editMessageText(chatId, operation.messageId, operation.text, PLAIN);
        else await api.editMessageReplyMarkup(chatId, operation.messageId);
      } catch (error) {
        if (!isNotModified(error) && !isUneditable(error)) throw error;
      }
      return;
    }
  }
}

function remember(
  target: DeliveryTarget,
  messageId: number,
  operation: { memo?: Parameters<MessageMemory["remember"]>[2]; card?: CardMark },
): void {
  target.memory.remember(target.chatId, messageId, operation.memo);
  if (operation.card) target.memory.setLiveCard(target.chatId, { messageId, ...operation.card });
}
