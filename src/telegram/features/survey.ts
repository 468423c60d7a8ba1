import { Composer } from "grammy";
import type { Input } from "../../core/flow/inputs.js";
import { TELEGRAM_SURFACE } from "../card.js";
import { answerOnce, type ChorusContext } from "../context.js";
import { decodeUpdate } from "../decode.js";
import { deliver } from "../deliver.js";
import type { FeatureDeps } from "../deps.js";
import { type Operation, type PressedMessage, type RenderPlan, renderPrompts } from "../render.js";

/**
 * The survey itself: every private message and button press goes through
 * the engine (committed together with the other chats' updates that arrive
 * at the same time, the update id as processed event, the card size
 * Telegram holds) and its prompts are rendered back. No survey logic here.
 * An edited message is answered with one line: edits are not read.
 */
export function surveyFeature(deps: FeatureDeps): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  composer.chatType("private").on(["message", "edited_message", "callback_query"], async (ctx) => {
    const decoded = decodeUpdate(ctx.update, (chatId, messageId) => deps.memory.recall(chatId, messageId));
    const locale = () => deps.locales.localeFor(ctx.from.id, ctx.from.language_code);
    switch (decoded.kind) {
      case "ignored":
        return;
      case "edited":
        await ctx.api.sendMessage(ctx.chat.id, deps.render(locale(), { key: "telegram.edit_ignored" }), {
          link_preview_options: { is_disabled: true },
        });
        return;
      case "unknown_button":
        // A button this process cannot read: like any stale button, it changes nothing.
        await answerOnce(ctx, deps.render(locale(), { key: "errors.stale" }));
        return;
      case "page":
        // Its pages were forgotten (a restart): the response is opened again, on the page pressed.
        if (!decoded.reopen) {
          await answerOnce(ctx, deps.render(locale(), { key: "errors.stale" }));
          return;
        }
        return handleInput(ctx, deps, decoded.reopen, decoded.pressed, (plan) => onPage(plan, decoded));
      case "input":
        return handleInput(ctx, deps, decoded.input, decoded.pressed);
    }
  });
  return composer;
}

async function handleInput(
  ctx: ChorusContext & { chat: { id: number }; from: { id: number; language_code?: string } },
  deps: FeatureDeps,
  input: Input,
  pressed: PressedMessage | undefined,
  adjust: (plan: RenderPlan) => RenderPlan = (plan) => plan,
): Promise<void> {
  const result = await deps.inputs.handle({ platform: "telegram", platformUserId: String(ctx.from.id) }, input, {
    eventId: String(ctx.update.update_id),
    surface: TELEGRAM_SURFACE,
  });
  if (result.duplicate) {
    // Redelivered: it was handled (and its button answered) the first time.
    ctx.log.info({ participant: result.participantId }, "duplicate update ignored");
    return;
  }
  // Nobody's participant (withdrawn, or never started): answer in the language last seen here.
  const locale =
    result.participantId === undefined ? deps.locales.localeFor(ctx.from.id, ctx.from.language_code) : result.locale;
  if (result.participantId !== undefined) deps.locales.remember(ctx.from.id, result.locale);
  ctx.log.debug(
    { participant: result.participantId, input: input.kind, prompts: result.prompts.length },
    "engine handled",
  );
  const liveCard = deps.memory.liveCard(ctx.chat.id);
  // Nobody's press changed nothing: the message loses its buttons, with no "✓" for what was pressed.
  const shown = pressed && result.participantId === undefined ? withoutChoice(pressed) : pressed;
  const plan = renderPrompts(result.prompts, {
    i18n: { render: deps.render },
    locale,
    ...(shown ? { pressed: shown } : {}),
    ...(liveCard ? { liveCard } : {}),
  });
  await deliver(
    { api: ctx.api, chatId: ctx.chat.id, memory: deps.memory, answerCallback: (text) => answerOnce(ctx, text) },
    adjust(plan),
  );
}

/** The card put back on a forgotten page button shows the page that was pressed. */
function onPage(plan: RenderPlan, decoded: { page: number; pressed: PressedMessage }): RenderPlan {
  const operations = plan.operations.map((operation): Operation => {
    const page =
      operation.kind === "edit" && operation.messageId === decoded.pressed.messageId
        ? operation.memo?.pages?.[decoded.page]
        : undefined;
    return page && operation.kind === "edit" ? { ...operation, text: page.text, keyboard: page.keyboard } : operation;
  });
  return { ...plan, operations };
}

function withoutChoice(pressed: PressedMessage): PressedMessage {
  const { label: _pressed, ...message } = pressed;
  return message;
}
