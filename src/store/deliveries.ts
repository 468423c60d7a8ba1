import { MESSAGEABLE_STATUSES } from "../broadcast/filter.js";
import type { DeliveryStatus } from "./broadcasts.js";
import type { SqliteConnection } from "./client.js";

/**
 * The broadcast worker's statements over `deliveries`: fetching pending rows
 * in rowid order, reading what one delivery needs, and recording each step
 * (claim, sent, settled). Prepared once per worker: they run several times
 * for every message sent.
 */

/** A pending delivery as the worker schedules it. */
export interface PendingDelivery {
  rid: number;
  broadcastId: number;
  participantId: string;
  platformUserId: string;
  lastError: string | null;
}

/** What one delivery needs at the moment it is sent: the participant may have paused or withdrawn since. */
export interface DeliveryTarget {
  delivery_status: string;
  broadcast_status: string;
  study_id: string;
  participant_status: string;
  consented_at: string | null;
  locale: string;
  platform_user_id: string;
  message_key: string | null;
  messages: string;
  with_start_button: number;
  step: number | null;
  phase: string | null;
  paused: number | null;
}

export interface DeliveryStore {
  /** Pending deliveries on `platform` of broadcasts being sent (only `broadcastId`, unless 0) after `rowid`. */
  pendingAfter(platform: string, rowid: number, broadcastId: number, limit: number): PendingDelivery[];
  target(broadcastId: number, participantId: string): DeliveryTarget | undefined;
  /**
   * Counts one more attempt and marks the row with `marker` (still pending);
   * a row still carrying the marker from an earlier claim counts as an
   * interrupted send. False if the row is no longer pending.
   */
  claim(broadcastId: number, participantId: string, marker: string): boolean;
  /** Whatever the row says now (a cancel may have skipped it meanwhile): the platform has the message. */
  markSent(broadcastId: number, participantId: string, at: string, locale: string): void;
  /** Any status but sent; a row already sent is left alone. */
  settle(broadcastId: number, participantId: string, status: DeliveryStatus, reason: string | null): void;
  /** Takes back the attempt a claim counted (a 429 is not a failed attempt). */
  undoAttempt(broadcastId: number, participantId: string, reason: string): void;
  attempts(broadcastId: number, participantId: string): number | undefined;
  /** Settles the delivery unreachable and marks the participant so, in one transaction. */
  markUnreachable(broadcastId: number, participantId: string, reason: string, at: string): void;
}

export function createDeliveryStore(sqlite: SqliteConnection): DeliveryStore {
  const pendingAfter = sqlite.prepare<[string, number, number, number, number], PendingDelivery>(
    `SELECT d.rowid AS rid, d.broadcast_id AS broadcastId, d.participant_id AS participantId,
       p.platform_user_id AS platformUserId, d.last_error AS lastError
     FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN participants p ON p.id = d.participant_id
     WHERE d.platform = ? AND d.status = 'pending' AND b.status = 'sending' AND d.rowid > ?
       AND (? = 0 OR d.broadcast_id = ?)
     ORDER BY d.rowid LIMIT ?`,
  );
  const target = sqlite.prepare<[number, string], DeliveryTarget>(
    `SELECT d.status AS delivery_status, b.status AS broadcast_status, b.study_id, p.status AS participant_status,
       p.consented_at, p.locale, p.platform_user_id, b.message_key, b.messages, b.with_start_button,
       f.step, json_extract(f.state, '$.phase') AS phase, json_extract(f.state, '$.paused') AS paused
     FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN participants p ON p.id = d.participant_id
     LEFT JOIN flow_states f ON f.participant_id = p.id
     WHERE d.broadcast_id = ? AND d.participant_id = ?`,
  );
  const claim = sqlite.prepare<[string, string, number, string]>(
    `UPDATE deliveries SET attempts = attempts + 1, interrupted_sends = interrupted_sends + (last_error IS ?),
       last_error = ?
     WHERE broadcast_id = ? AND participant_id = ? AND status = 'pending'`,
  );
  const sent = sqlite.prepare<[string, string, number, string]>(
    `UPDATE deliveries SET status = 'sent', sent_at = ?, locale = ?, last_error = NULL
     WHERE broadcast_id = ? AND participant_id = ?`,
  );
  const settle = sqlite.prepare<[string, string | null, number, string]>(
    "UPDATE deliveries SET status = ?, last_error = ? WHERE broadcast_id = ? AND participant_id = ? AND status <> 'sent'",
  );
  const undoAttempt = sqlite.prepare<[string, number, string]>(
    `UPDATE deliveries SET attempts = max(attempts - 1, 0), last_error = ?
     WHERE broadcast_id = ? AND participant_id = ? AND status = 'pending'`,
  );
  const attempts = sqlite.prepare<[number, string], { attempts: number }>(
    "SELECT attempts FROM deliveries WHERE broadcast_id = ? AND participant_id = ?",
  );
  const participantUnreachable = sqlite.prepare<[string, string]>(
    `UPDATE participants SET status = 'unreachable', updated_at = ?
     WHERE id = ? AND status IN (${MESSAGEABLE_STATUSES.map((status) => `'${status}'`).join(", ")})`,
  );
  const unreachable = sqlite.transaction((broadcastId: number, participantId: string, reason: string, at: string) => {
    settle.run("unreachable", reason, broadcastId, participantId);
    participantUnreachable.run(at, participantId);
  });
  return {
    pendingAfter: (platform, rowid, broadcastId, limit) =>
      pendingAfter.all(platform, rowid, broadcastId, broadcastId, limit),
    target: (broadcastId, participantId) => target.get(broadcastId, participantId),
    claim: (broadcastId, participantId, marker) => claim.run(marker, marker, broadcastId, participantId).changes === 1,
    markSent: (broadcastId, participantId, at, locale) => {
      sent.run(at, locale, broadcastId, participantId);
    },
    settle: (broadcastId, participantId, status, reason) => {
      settle.run(status, reason, broadcastId, participantId);
    },
    undoAttempt: (broadcastId, participantId, reason) => {
      undoAttempt.run(reason, broadcastId, participantId);
    },
    attempts: (broadcastId, participantId) => attempts.get(broadcastId, participantId)?.attempts,
    markUnreachable: (broadcastId, participantId, reason, at) => unreachable(broadcastId, participantId, reason, at),
  };
}
