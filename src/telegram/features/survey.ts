import { Composer } from "grammy";
import { answerOnce, type ChorusContext } from "../context.js";
import { decodeUpdate } from "../decode.js";
import { deliver } from "../deliver.js";
import type { FeatureDeps } from "../deps.js";
import { renderPrompts } from "../render.js";

/**
 * The survey itself: every private message and button press goes through
 * the engine (one transaction, the update id as processed event) and its
 * prompts are rendered back. No survey logic here.
 */
export function surveyFeature(deps: FeatureDeps): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  composer.chatType("private").on(["message", "callback_query"], async (ctx) => {
    const decoded = decodeUpdate(ctx.update, (chatId, messageId) => deps.memory.recall(chatId, messageId));
    if (decoded.kind === "ignored") return;
    if (decoded.kind !== "input") {
      // A button this process cannot read: like any stale button, it changes nothing.
      const locale = deps.locales.localeFor(ctx.from.id, ctx.from.language_code);
      await answerOnce(ctx, deps.render(locale, { key: "errors.stale" }));
      return;
    }
    const result = deps.engine.handle({ platform: "telegram", platformUserId: String(ctx.from.id) }, decoded.input, {
      eventId: String(ctx.update.update_id),
    });
    if (result.duplicate) {
      // Redelivered: it was handled (and its button answered) the first time.
      ctx.log.info({ participant: result.participantId }, "duplicate update ignored");
      return;
    }
    deps.locales.remember(ctx.from.id, result.locale);
    ctx.log.debug(
      { participant: result.participantId, input: decoded.input.kind, prompts: result.prompts.length },
      "engine handled",
    );
    const plan = renderPrompts(result.prompts, {
      i18n: { render: deps.render },
      locale: result.locale,
      callback: ctx.callbackQuery !== undefined,
      ...(decoded.viewerMessageId !== undefined ? { viewerMessageId: decoded.viewerMessageId } : {}),
    });
    await deliver(
      { api: ctx.api, chatId: ctx.chat.id, memory: deps.memory, answerCallback: (text) => answerOnce(ctx, text) },
      plan,
    );
  });
  return composer;
}
