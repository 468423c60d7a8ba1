import { Composer } from "grammy";
import type { ChorusContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";

/**
 * `my_chat_member` in a private chat: "kicked" means the participant blocked
 * the bot (unreachable: broadcasts skip them); "member" means they unblocked
 * it (back to their status, only if they were unreachable).
 */
export function chatMemberFeature(deps: FeatureDeps): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  composer.chatType("private").on("my_chat_member", (ctx) => {
    const status = ctx.myChatMember.new_chat_member.status;
    const userId = String(ctx.myChatMember.from.id);
    const at = deps.now().toISOString();
    if (status === "kicked") {
      deps.store.markUnreachable(userId, at);
      ctx.log.info("participant blocked the bot: unreachable");
    } else if (status === "member") {
      deps.store.markReachable(userId, at);
      ctx.log.info("participant unblocked the bot: reachable");
    }
  });
  return composer;
}
