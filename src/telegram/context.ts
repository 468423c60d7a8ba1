import type { Context } from "grammy";
import type { Logger } from "../logger.js";

/** What the adapter adds to grammY's context for every update. */
export interface ChorusFlavor {
  /** A child logger carrying this update's id; log ids only, never message text. */
  log: Logger;
  /** Whether this update's callback query was answered (every one is, exactly once). */
  callbackAnswered: boolean;
}

export type ChorusContext = Context & ChorusFlavor;

/** Answers the update's callback query if it has one and it was not answered yet. */
export async function answerOnce(ctx: ChorusContext, text = ""): Promise<void> {
  if (!ctx.callbackQuery || ctx.callbackAnswered) return;
  ctx.callbackAnswered = true;
  await ctx.answerCallbackQuery(text === "" ? undefined : { text });
}
