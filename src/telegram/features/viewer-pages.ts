import { Composer } from "grammy";
import { unpackCallbackData } from "../callback-data.js";
import { answerOnce, type ChorusContext } from "../context.js";
import { deliver } from "../deliver.js";
import type { FeatureDeps } from "../deps.js";

/**
 * Page buttons of a card longer than one Telegram message: the adapter puts
 * another page of the same card message in place; the engine is not
 * involved (reading a page changes no answer). Pages this process does not
 * remember go on to the survey feature, which opens the response again.
 */
export function viewerPagesFeature(deps: FeatureDeps): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  composer.chatType("private").callbackQuery(/^p/, async (ctx, next) => {
    const action = unpackCallbackData(ctx.callbackQuery.data);
    const message = ctx.callbackQuery.message;
    const memo = message ? deps.memory.recall(message.chat.id, message.message_id) : undefined;
    const page = action?.kind === "page" ? memo?.pages?.[action.page] : undefined;
    if (!page || !message || !memo) return next();
    await deliver(
      { api: ctx.api, chatId: message.chat.id, memory: deps.memory, answerCallback: (text) => answerOnce(ctx, text) },
      {
        callbackAnswer: "",
        operations: [{ kind: "edit", messageId: message.message_id, text: page.text, keyboard: page.keyboard, memo }],
      },
    );
  });
  return composer;
}
