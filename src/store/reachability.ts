import type Database from "better-sqlite3";
import type { Platform } from "../core/ports.js";

/**
 * Whether a participant can be written to. A platform says so (Telegram: a
 * 403 "blocked"/"deactivated", or `my_chat_member` kicked/member); the
 * participant's status records it, so broadcasts skip unreachable people.
 */
interface Reachability {
  /** Marks the participant unreachable; false if there is no such participant or they already were. */
  markUnreachable(platform: Platform, platformUserId: string, at: string): boolean;
  /**
   * An unreachable participant is reachable again: their status becomes the
   * one their saved journey implies (paused, completed, declined, screened
   * out, quota full, else active). Anyone else is left alone.
   */
  markReachable(platform: Platform, platformUserId: string, at: string): boolean;
}

export function createReachability(database: { sqlite: Database.Database }): Reachability {
  const { sqlite } = database;
  const unreachable = sqlite.prepare<[string, string, string]>(
    `UPDATE participants SET status = 'unreachable', updated_at = ?
     WHERE platform = ? AND platform_user_id = ? AND status <> 'unreachable'`,
  );
  // The flow state's phase and pause flag give the status the engine would have set.
  const reachable = sqlite.prepare<[string, string, string]>(
    `UPDATE participants SET updated_at = ?, status = coalesce((
       SELECT CASE
         WHEN json_extract(f.state, '$.paused') THEN 'paused'
         WHEN json_extract(f.state, '$.phase') IN ('completed', 'declined', 'screened_out', 'quota_full')
           THEN json_extract(f.state, '$.phase')
         ELSE 'active' END
       FROM flow_states f WHERE f.participant_id = participants.id), 'active')
     WHERE platform = ? AND platform_user_id = ? AND status = 'unreachable'`,
  );
  return {
    markUnreachable: (platform, platformUserId, at) => unreachable.run(at, platform, platformUserId).changes === 1,
    markReachable: (platform, platformUserId, at) => reachable.run(at, platform, platformUserId).changes === 1,
  };
}
