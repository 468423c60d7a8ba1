import { Composer, GrammyError } from "grammy";
import type { StaffChat } from "../../staff/chat.js";
import { answerOnce, type ChorusContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";

/**
 * Staff buttons' callback data: `s` + `b` (confirm) or `x` (cancel) + the
 * broadcast id. The survey's callback data never starts with `s`
 * (see callback-data.ts), so the two never meet.
 */
const STAFF_BROADCAST_DATA = /^s([bx])(\d{1,15})$/;

function staffBroadcastData(action: "confirm" | "cancel", broadcastId: number): string {
  return `s${action === "confirm" ? "b" : "x"}${broadcastId}`;
}

/**
 * `/broadcast [study]` for coordinators and admins: a preview of "new
 * scenarios are ready" (who gets it, the message) with Send / Cancel
 * buttons; nothing is sent until Send is pressed. Anyone else is told it is
 * not allowed, and nothing is written. The logic is src/staff/chat.ts,
 * shared with Slack; this file only renders it.
 */
export function staffBroadcastFeature(deps: FeatureDeps, staff: StaffChat): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  const private_ = composer.chatType("private");

  private_.command("broadcast", async (ctx) => {
    const locale = deps.locales.localeFor(ctx.from.id, ctx.from.language_code);
    const studyId = ctx.match.trim() || undefined;
    const result = staff.prepareBroadcast({ platform: "telegram", userId: String(ctx.from.id) }, locale, studyId);
    ctx.log.info(
      { kind: result.kind, ...(result.kind === "preview" ? { broadcast: result.broadcastId } : {}) },
      "/broadcast",
    );
    const options = { link_preview_options: { is_disabled: true } };
    if (result.kind === "refused") {
      await ctx.api.sendMessage(ctx.chat.id, result.text, options);
      return;
    }
    await ctx.api.sendMessage(ctx.chat.id, result.text, {
      ...options,
      reply_markup: {
        inline_keyboard: [
          [
            { text: result.confirmLabel, callback_data: staffBroadcastData("confirm", result.broadcastId) },
            { text: result.cancelLabel, callback_data: staffBroadcastData("cancel", result.broadcastId) },
          ],
        ],
      },
    });
  });

  private_.callbackQuery(STAFF_BROADCAST_DATA, async (ctx) => {
    const [, action, id] = ctx.match;
    const locale = deps.locales.localeFor(ctx.from.id, ctx.from.language_code);
    const ref = { platform: "telegram" as const, userId: String(ctx.from.id) };
    const broadcastId = Number(id);
    const reply =
      action === "b"
        ? staff.confirmBroadcast(ref, locale, broadcastId)
        : staff.cancelBroadcast(ref, locale, broadcastId);
    ctx.log.info({ broadcast: broadcastId, action: action === "b" ? "confirm" : "cancel" }, "staff broadcast button");
    await answerOnce(ctx);
    // The preview's buttons go away: the answer replaces them, so they cannot be pressed twice by mistake.
    await ctx.editMessageText(reply.text, { link_preview_options: { is_disabled: true } }).catch((error: unknown) => {
      if (!(error instanceof GrammyError && error.description.includes("message is not modified"))) throw error;
    });
  });

  return composer;
}
