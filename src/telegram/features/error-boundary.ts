import type { BotError } from "grammy";
import { isStoreBusy } from "../../core/errors.js";
import { answerOnce, type ChorusContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { errorFields, isExpiredCallback, isNotModified, isUnreachable } from "../errors.js";

/**
 * The one place errors of update handling land. Logs with the update id
 * (never message text); a participant who blocked the bot becomes
 * unreachable; anyone else is told, in their language, that something went
 * wrong and nothing was lost (the engine's transaction either committed
 * whole or not at all), or, when the database stayed locked through every
 * retry, that this input was not saved and should be sent again.
 */
export function createErrorBoundary(deps: FeatureDeps): (error: BotError<ChorusContext>) => Promise<void> {
  return async ({ ctx, error }) => {
    const log = ctx.log;
    if (isNotModified(error) || isExpiredCallback(error)) {
      log.debug({ err: errorFields(error) }, "harmless Telegram error ignored");
      return;
    }
    const userId = ctx.from?.id;
    if (isUnreachable(error)) {
      if (userId !== undefined) deps.store.markUnreachable(String(userId), deps.now().toISOString());
      log.info({ err: errorFields(error) }, "participant unreachable");
      return;
    }
    const busy = isStoreBusy(error);
    if (busy) log.warn("database locked by another writer through every retry: input not saved");
    else log.error({ err: errorFields(error) }, "update failed");
    if (ctx.chat?.type !== "private") return;
    const text = deps.render(deps.locales.localeFor(userId, ctx.from?.language_code), {
      key: busy ? "errors.busy" : "errors.internal",
    });
    try {
      if (ctx.callbackQuery && !ctx.callbackAnswered) await answerOnce(ctx, text);
      else await ctx.api.sendMessage(ctx.chat.id, text, { link_preview_options: { is_disabled: true } });
    } catch (replyError) {
      if (isUnreachable(replyError) && userId !== undefined) {
        deps.store.markUnreachable(String(userId), deps.now().toISOString());
      }
      log.warn({ err: errorFields(replyError) }, "could not tell the participant about the error");
    }
  };
}
