import {
  BROADCAST_PLATFORMS,
  type BroadcastFilter,
  COUNTRY_QUESTION_ID,
  DEFAULT_STATUSES,
} from "../broadcast/filter.js";
import type { Platform } from "../core/ports.js";
import type { SqliteConnection } from "./client.js";
import type { DELIVERY_STATUSES } from "./schema.js";

/**
 * The outbox as stored: `broadcasts` rows and their `deliveries`, for
 * creating, previewing, listing, starting and cancelling broadcasts
 * (src/broadcast/outbox.ts decides when; the worker's per-delivery
 * statements are in deliveries.ts). Operator actions, so each statement is
 * prepared when called.
 */

export type BroadcastStatus = "draft" | "sending" | "sent" | "cancelled";
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface BroadcastRow {
  id: number;
  study_id: string;
  status: BroadcastStatus;
  created_at: string;
  created_by: string;
  started_at: string | null;
  sent_at: string | null;
  message_key: string | null;
  messages: string;
  with_start_button: number;
  filter: string;
}

/**
 * The WHERE clause over `participants p` (and `flow_states f` joined on it)
 * with its parameters, shared by counting and writing the outbox.
 */
function recipientsWhere(filter: BroadcastFilter): { sql: string; params: unknown[] } {
  const clauses = ["p.study_id = ?", "p.consented_at IS NOT NULL"];
  const params: unknown[] = [filter.studyId];
  const inList = (column: string, values: readonly string[]) => {
    clauses.push(`${column} IN (${values.map(() => "?").join(", ")})`);
    params.push(...values);
  };
  inList("p.platform", filter.platforms ?? BROADCAST_PLATFORMS);
  inList("p.status", filter.statuses ?? DEFAULT_STATUSES);
  if (filter.locales) inList("p.locale", filter.locales);
  if (filter.countries) {
    clauses.push(
      `EXISTS (SELECT 1 FROM profile_answers c WHERE c.participant_id = p.id AND c.question_id = ? AND c.value IN (${filter.countries.map(() => "?").join(", ")}))`,
    );
    params.push(COUNTRY_QUESTION_ID, ...filter.countries.map((code) => code.toUpperCase()));
  }
  if (filter.notFinished) clauses.push("p.status <> 'completed'");
  if (filter.canStartMore) {
    clauses.push("json_extract(f.state, '$.phase') IN ('completed', 'no_scenarios')");
    clauses.push("COALESCE(json_extract(f.state, '$.paused'), 0) = 0");
    clauses.push(
      `(SELECT count(*) FROM scenarios s WHERE s.study_id = p.study_id
          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.participant_id = p.id AND a.study_id = s.study_id AND a.scenario_id = s.id)) > 0`,
    );
  }
  return { sql: clauses.join(" AND "), params };
}

const RECIPIENTS = "participants p LEFT JOIN flow_states f ON f.participant_id = p.id";

/** How many participants the filter matches now. */
export function countRecipients(sqlite: SqliteConnection, filter: BroadcastFilter): number {
  const where = recipientsWhere(filter);
  return (
    sqlite
      .prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${RECIPIENTS} WHERE ${where.sql}`)
      .get(...where.params)?.n ?? 0
  );
}

/** Writes a draft broadcast and one pending delivery per participant the filter matches; its id. */
export function insertDraft(
  sqlite: SqliteConnection,
  draft: {
    filter: BroadcastFilter;
    at: string;
    createdBy: string;
    messages: Record<string, string>;
    messageKey: string | null;
    withStartButton: boolean;
  },
): number {
  const inserted = sqlite
    .prepare<unknown[], { id: number }>(
      `INSERT INTO broadcasts (study_id, created_at, created_by, messages, message_key, with_start_button, filter, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'draft') RETURNING id`,
    )
    .get(
      draft.filter.studyId,
      draft.at,
      draft.createdBy,
      JSON.stringify(draft.messages),
      draft.messageKey,
      draft.withStartButton ? 1 : 0,
      JSON.stringify(draft.filter),
    );
  if (!inserted) throw new Error("broadcast insert returned no id");
  const where = recipientsWhere(draft.filter);
  sqlite
    .prepare(
      `INSERT INTO deliveries (broadcast_id, participant_id, platform, locale)
       SELECT ?, p.id, p.platform, p.locale FROM ${RECIPIENTS} WHERE ${where.sql} ORDER BY p.created_at, p.id`,
    )
    .run(inserted.id, ...where.params);
  return inserted.id;
}

export function selectBroadcast(sqlite: SqliteConnection, id: number): BroadcastRow | undefined {
  return sqlite.prepare<[number], BroadcastRow>("SELECT * FROM broadcasts WHERE id = ?").get(id);
}

/** Every broadcast (of one study, if given), newest first. */
export function selectBroadcasts(sqlite: SqliteConnection, studyId?: string): BroadcastRow[] {
  return studyId
    ? sqlite
        .prepare<[string], BroadcastRow>("SELECT * FROM broadcasts WHERE study_id = ? ORDER BY id DESC")
        .all(studyId)
    : sqlite.prepare<[], BroadcastRow>("SELECT * FROM broadcasts ORDER BY id DESC").all();
}

/** The ids of broadcasts being sent, oldest first. */
export function sendingBroadcastIds(sqlite: SqliteConnection): number[] {
  return sqlite
    .prepare<[], { id: number }>("SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY id")
    .all()
    .map((row) => row.id);
}

/** Drafts by `createdBy` for the study that send a message key (the in-chat kind), not yet confirmed. */
export function unconfirmedKeyDrafts(sqlite: SqliteConnection, studyId: string, createdBy: string): number[] {
  return sqlite
    .prepare<[string, string], { id: number }>(
      "SELECT id FROM broadcasts WHERE status = 'draft' AND study_id = ? AND created_by = ? AND message_key IS NOT NULL",
    )
    .all(studyId, createdBy)
    .map((row) => row.id);
}

export function deliveryCountsByStatus(sqlite: SqliteConnection, id: number): { status: DeliveryStatus; n: number }[] {
  return sqlite
    .prepare<[number], { status: DeliveryStatus; n: number }>(
      "SELECT status, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY status",
    )
    .all(id);
}

/** Pending deliveries whose last error is `marker` (claimed by a worker, never confirmed). */
export function countPendingMarked(sqlite: SqliteConnection, id: number, marker: string): number {
  return (
    sqlite
      .prepare<[number, string], { n: number }>(
        "SELECT count(*) AS n FROM deliveries WHERE broadcast_id = ? AND status = 'pending' AND last_error = ?",
      )
      .get(id, marker)?.n ?? 0
  );
}

/** Participants whose delivery was cut short twice, or cut short once and then sent: they may have it twice. */
export function possibleDuplicateParticipants(sqlite: SqliteConnection, id: number): string[] {
  return sqlite
    .prepare<[number], { participant_id: string }>(
      `SELECT participant_id FROM deliveries WHERE broadcast_id = ?
         AND (interrupted_sends >= 2 OR (interrupted_sends >= 1 AND status = 'sent')) ORDER BY participant_id`,
    )
    .all(id)
    .map((delivery) => delivery.participant_id);
}

export function recipientsByPlatformAndLocale(
  sqlite: SqliteConnection,
  id: number,
): { platform: string; locale: string; count: number }[] {
  return sqlite
    .prepare<[number], { platform: string; locale: string; count: number }>(
      `SELECT platform, locale, count(*) AS count FROM deliveries WHERE broadcast_id = ?
       GROUP BY platform, locale ORDER BY platform, locale`,
    )
    .all(id);
}

export function pendingCountsByPlatform(sqlite: SqliteConnection, id: number): { platform: Platform; n: number }[] {
  return sqlite
    .prepare<[number], { platform: Platform; n: number }>(
      "SELECT platform, count(*) AS n FROM deliveries WHERE broadcast_id = ? AND status = 'pending' GROUP BY platform",
    )
    .all(id);
}

export function markSending(sqlite: SqliteConnection, id: number, at: string): void {
  sqlite.prepare("UPDATE broadcasts SET status = 'sending', started_at = ? WHERE id = ?").run(at, id);
}

/** Cancels the broadcast; its pending deliveries become skipped. How many were. */
export function markCancelled(sqlite: SqliteConnection, id: number): number {
  sqlite.prepare("UPDATE broadcasts SET status = 'cancelled' WHERE id = ?").run(id);
  return sqlite
    .prepare(
      "UPDATE deliveries SET status = 'skipped', last_error = 'cancelled' WHERE broadcast_id = ? AND status = 'pending'",
    )
    .run(id).changes;
}

/** Marks a sending broadcast sent once no delivery is pending; true if it did. */
export function markSentIfDone(sqlite: SqliteConnection, id: number, at: string): boolean {
  return (
    sqlite
      .prepare(
        `UPDATE broadcasts SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = ? AND status = 'pending')`,
      )
      .run(at, id, id).changes === 1
  );
}
