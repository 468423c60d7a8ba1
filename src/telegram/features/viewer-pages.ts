import { Composer } from "grammy";
import { unpackCallbackData } from "../callback-data.js";
import { answerOnce, type ChorusContext } from "../context.js";
import { deliver } from "../deliver.js";
import type { FeatureDeps } from "../deps.js";

/**
 * Page buttons of a response longer than one Telegram message: the adapter
 * shows another page of the same viewer message; the engine is not involved
 * (the participant's state does not change by reading).
 */
export function viewerPagesFeature(deps: FeatureDeps): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  composer.chatType("private").callbackQuery(/^p[0-9a-z]+$/, async (ctx) => {
    const action = unpackCallbackData(ctx.callbackQuery.data);
    const message = ctx.callbackQuery.message;
    const page =
      action?.kind === "page" && message
        ? deps.memory.recall(message.chat.id, message.message_id)?.pages?.[action.page]
        : undefined;
    if (!page || !message) {
      const locale = deps.locales.localeFor(ctx.from.id, ctx.from.language_code);
      await answerOnce(ctx, deps.render(locale, { key: "errors.stale" }));
      return;
    }
    const memo = deps.memory.recall(message.chat.id, message.message_id);
    await deliver(
      { api: ctx.api, chatId: message.chat.id, memory: deps.memory, answerCallback: (text) => answerOnce(ctx, text) },
      {
        callbackAnswer: "",
        messages: [
          {
            text: page.text,
            markup: { kind: "inline", rows: page.keyboard },
            editMessageId: message.message_id,
            ...(memo ? { memo } : {}),
          },
        ],
      },
    );
  });
  return composer;
}
