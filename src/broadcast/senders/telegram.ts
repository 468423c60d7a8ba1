import { Api, GrammyError, HttpError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { type BroadcastSender, DeliveryError } from "./types.js";

interface TelegramSenderOptions {
  token: string;
  /** Bot API root (a self-hosted server or a test's fake); grammY's default otherwise. */
  apiRoot?: string;
  /** Packs a choice into the adapter's callback data, so the adapter decodes the press like any other. */
  encodeChoice: (step: number, choice: string) => string;
}

/** Descriptions of a 400 that mean the chat is gone for good, not that the message was wrong. */
const GONE_400 = /chat not found|user not found|peer_id_invalid|user is deactivated|bot was blocked/i;

/**
 * Broadcast sender for Telegram over its own grammY `Api` instance: no
 * auto-retry plugin and no shared queue with the interactive bot, so a
 * broadcast's 429s never slow a participant's conversation.
 */
export function createTelegramSender(options: TelegramSenderOptions): BroadcastSender {
  const api = new Api(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
  return {
    platform: "telegram",
    async send(recipient, message) {
      const markup: InlineKeyboardMarkup | undefined = message.startButton
        ? {
            inline_keyboard: [
              [
                {
                  text: message.startButton.label,
                  callback_data: options.encodeChoice(message.startButton.step, "more"),
                },
              ],
            ],
          }
        : undefined;
      try {
        await api.sendMessage(recipient.platformUserId, message.text, {
          link_preview_options: { is_disabled: true },
          ...(markup ? { reply_markup: markup } : {}),
        });
      } catch (error) {
        throw classifyTelegramError(error);
      }
    },
  };
}

/** Maps a grammY error to what the worker should do about it. */
function classifyTelegramError(error: unknown): DeliveryError {
  if (error instanceof GrammyError) {
    const reason = `${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return new DeliveryError("rate_limited", reason, seconds * 1000, { cause: error });
    }
    if (error.error_code === 403) return new DeliveryError("unreachable", reason, undefined, { cause: error });
    if (error.error_code === 400 && GONE_400.test(error.description)) {
      return new DeliveryError("unreachable", reason, undefined, { cause: error });
    }
    if (error.error_code >= 500) return new DeliveryError("transient", reason, undefined, { cause: error });
    return new DeliveryError("rejected", reason, undefined, { cause: error });
  }
  if (error instanceof HttpError) {
    return new DeliveryError("transient", `network: ${firstLine(error.message)}`, undefined, { cause: error });
  }
  if (error instanceof DeliveryError) return error;
  return new DeliveryError("transient", firstLine(String(error)), undefined, { cause: error });
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
