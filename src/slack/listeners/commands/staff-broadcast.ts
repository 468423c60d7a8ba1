import type { StaffChat } from "../../../staff/chat.js";
import { actions, button, sections } from "../../blocks.js";
import { STAFF_BROADCAST_CANCEL, STAFF_BROADCAST_CONFIRM } from "../actions/staff-broadcast.js";
import type { EphemeralReply } from "./index.js";

/**
 * `/chorus broadcast [study]` for coordinators and admins: an ephemeral
 * preview of "new scenarios are ready" (who gets it, the message) with
 * Send / Cancel buttons; nothing is sent until Send is pressed. Anyone else
 * is told it is not allowed, and nothing is written. The logic is
 * src/staff/chat.ts, shared with Telegram; this file only renders it.
 */
export function staffBroadcastReply(staff: StaffChat, userId: string, locale: string, args: string): EphemeralReply {
  const studyId = args.trim().split(/\s+/)[1] || undefined;
  const result = staff.prepareBroadcast({ platform: "slack", userId }, locale, studyId);
  if (result.kind === "refused") return { response_type: "ephemeral", text: result.text };
  const value = String(result.broadcastId);
  return {
    response_type: "ephemeral",
    text: result.text,
    blocks: [
      ...sections(result.text),
      ...actions([
        button(result.confirmLabel, STAFF_BROADCAST_CONFIRM, { value, primary: true }),
        button(result.cancelLabel, STAFF_BROADCAST_CANCEL, { value }),
      ]),
    ],
  };
}
