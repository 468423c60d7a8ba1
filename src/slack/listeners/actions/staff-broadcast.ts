import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { StaffChat } from "../../../staff/chat.js";
import type { ListenerDeps } from "../../deps.js";
import type { ButtonArgs } from "./index.js";

/** The Send / Cancel buttons of a `/chorus broadcast` preview; the value is the broadcast id. */
export const STAFF_BROADCAST_CONFIRM = "chorus.staff_broadcast_confirm";
export const STAFF_BROADCAST_CANCEL = "chorus.staff_broadcast_cancel";

export function register(app: App, deps: ListenerDeps): void {
  const staff = deps.staffChat;
  if (!staff) return;
  app.action<BlockAction<ButtonAction>>(STAFF_BROADCAST_CONFIRM, onStaffBroadcastButton(deps, staff, "confirm"));
  app.action<BlockAction<ButtonAction>>(STAFF_BROADCAST_CANCEL, onStaffBroadcastButton(deps, staff, "cancel"));
}

/**
 * Confirms or cancels; the role is checked again (the preview may be old, or
 * forwarded). The answer replaces the preview, so its buttons go away.
 */
function onStaffBroadcastButton(deps: ListenerDeps, staff: StaffChat, action: "confirm" | "cancel") {
  return async ({ ack, body, action: pressed, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const broadcastId = Number(pressed.value);
    if (!Number.isSafeInteger(broadcastId) || broadcastId <= 0) return;
    const ref = { platform: "slack" as const, userId: body.user.id };
    const locale = deps.conversations.localeOf(body.user.id);
    const reply =
      action === "confirm"
        ? staff.confirmBroadcast(ref, locale, broadcastId)
        : staff.cancelBroadcast(ref, locale, broadcastId);
    deps.logger.info({ broadcast: broadcastId, action }, "staff broadcast button");
    await respond({ response_type: "ephemeral", replace_original: true, text: reply.text });
  };
}
