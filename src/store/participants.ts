import type Database from "better-sqlite3";
import type { ParticipantRef } from "../core/ports.js";
import { type Actor, recordAudit } from "../staff/audit.js";

/**
 * Participant requests handled by staff (access and erasure requests that
 * arrive by e-mail): finding the participant by their random id or by
 * platform and platform user id, and withdrawing them as `/withdraw` would.
 */

/** A participant as an operator names one: the random id, or the platform and the platform's user id. */
export type ParticipantLookup = { id: string } | ParticipantRef;

export function findParticipantId(sqlite: Database.Database, lookup: ParticipantLookup): string | undefined {
  if ("id" in lookup) {
    return sqlite.prepare<[string], { id: string }>("SELECT id FROM participants WHERE id = ?").get(lookup.id)?.id;
  }
  return sqlite
    .prepare<[string, string], { id: string }>(
      "SELECT id FROM participants WHERE platform = ? AND platform_user_id = ?",
    )
    .get(lookup.platform, lookup.platformUserId)?.id;
}

/**
 * Deletes the participant row, and with it (ON DELETE CASCADE) every row
 * about them, in one transaction with its audit entry. The audit log keeps
 * only the random id. False when there was no such participant.
 */
export function withdrawParticipant(
  sqlite: Database.Database,
  participantId: string,
  actor: Actor,
  at = new Date().toISOString(),
): boolean {
  return sqlite
    .transaction(() => {
      const deleted = sqlite.prepare("DELETE FROM participants WHERE id = ?").run(participantId).changes === 1;
      if (deleted) recordAudit(sqlite, actor, "participant.withdraw", { participantId, by: "staff" }, at);
      return deleted;
    })
    .immediate();
}
