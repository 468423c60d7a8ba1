import type Database from "better-sqlite3";
import type { I18n } from "../i18n/index.js";
import { type Actor, recordAudit } from "../staff/audit.js";
import { DELIVERY_STATUSES } from "../store/schema.js";
import { loadStudy } from "../store/stored-study.js";
import { type BroadcastFilter, BroadcastFilterSchema, describeFilter, recipientsWhere } from "./filter.js";
import { type BroadcastContent, contentProblems, renderBroadcastMessage } from "./message.js";

/**
 * The outbox: a broadcast row plus one delivery row per recipient, written in
 * one transaction by `create`. Sending (the worker) only ever reads pending
 * rows and moves each to sent / failed / unreachable / skipped, so running
 * `send` twice, or after a crash, never sends a delivery marked sent.
 */

export type BroadcastStatus = "draft" | "sending" | "sent" | "cancelled";
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Marks a delivery claimed by a worker and not yet confirmed by the platform (see worker.ts). */
export const IN_FLIGHT = "in_flight";

export type BroadcastErrorCode =
  | "not_found"
  | "unknown_study"
  | "bad_message"
  | "empty"
  | "already_sent"
  | "cancelled"
  | "not_draft";

/** A refused broadcast operation; `message` is one line for the operator. */
export class BroadcastError extends Error {
  override readonly name = "BroadcastError";
  constructor(
    readonly code: BroadcastErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface CreateBroadcastInput {
  filter: BroadcastFilter;
  messageKey?: string;
  messages?: Record<string, string>;
  withStartButton?: boolean;
}

export interface BroadcastSummary {
  id: number;
  studyId: string;
  status: BroadcastStatus;
  createdAt: string;
  createdBy: string;
  startedAt: string | null;
  sentAt: string | null;
  messageKey: string | null;
  messages: Record<string, string>;
  withStartButton: boolean;
  filter: BroadcastFilter;
  filterText: string;
  total: number;
  deliveries: Record<DeliveryStatus, number>;
  /** Pending deliveries a worker claimed and never confirmed: a crash may have sent them (resent on resume). */
  inFlight: number;
  /**
   * Deliveries that may have reached the participant twice: sent after a send
   * cut short by an interruption, or cut short twice. Their participant ids
   * (random ids) are in `possibleDuplicateParticipants`.
   */
  possibleDuplicates: number;
  possibleDuplicateParticipants: string[];
}

export interface BroadcastPreview extends BroadcastSummary {
  recipients: { platform: string; locale: string; count: number }[];
  /** The message as each locale among the recipients will see it. */
  samples: { locale: string; text: string; button: string | null }[];
}

interface BroadcastRow {
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

/** The filter, content and counts a `create` would write, without writing. */
export function countRecipients(sqlite: Database.Database, filter: BroadcastFilter): number {
  const where = recipientsWhere(filter);
  return (
    sqlite
      .prepare<unknown[], { n: number }>(
        `SELECT count(*) AS n FROM participants p LEFT JOIN flow_states f ON f.participant_id = p.id WHERE ${where.sql}`,
      )
      .get(...where.params)?.n ?? 0
  );
}

/**
 * Writes a draft broadcast and its outbox. Refused whole, with nothing
 * written, for an unknown study, a bad message, or a filter matching nobody.
 * A start button implies `canStartMore` (only those who can press it).
 */
export function createBroadcast(
  deps: { sqlite: Database.Database; i18n: I18n },
  input: CreateBroadcastInput,
  actor: Actor,
  at = new Date().toISOString(),
): BroadcastSummary {
  const { sqlite } = deps;
  const withStartButton = input.withStartButton ?? false;
  const filter = BroadcastFilterSchema.parse(withStartButton ? { ...input.filter, canStartMore: true } : input.filter);
  const content: BroadcastContent = {
    messageKey: input.messageKey ?? null,
    messages: input.messageKey ? {} : (input.messages ?? {}),
    withStartButton,
  };
  const id = sqlite
    .transaction(() => {
      if (!loadStudy(sqlite, filter.studyId)) {
        throw new BroadcastError("unknown_study", `No study with id "${filter.studyId}" (see: chorus study list)`);
      }
      const problems = contentProblems(deps.i18n, content);
      if (problems.length > 0) throw new BroadcastError("bad_message", problems.join("; "));
      const recipients = countRecipients(sqlite, filter);
      if (recipients === 0) {
        throw new BroadcastError(
          "empty",
          `No participant matches this filter (${describeFilter(filter)}); nothing was created and nothing will be sent.`,
        );
      }
      const inserted = sqlite
        .prepare<unknown[], { id: number }>(
          `INSERT INTO broadcasts (study_id, created_at, created_by, messages, message_key, with_start_button, filter, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'draft') RETURNING id`,
        )
        .get(
          filter.studyId,
          at,
          actor.id,
          JSON.stringify(content.messages),
          content.messageKey,
          withStartButton ? 1 : 0,
          JSON.stringify(filter),
        );
      if (!inserted) throw new Error("broadcast insert returned no id");
      const where = recipientsWhere(filter);
      sqlite
        .prepare(
          `INSERT INTO deliveries (broadcast_id, participant_id, platform, locale)
           SELECT ?, p.id, p.platform, p.locale FROM participants p LEFT JOIN flow_states f ON f.participant_id = p.id
           WHERE ${where.sql} ORDER BY p.created_at, p.id`,
        )
        .run(inserted.id, ...where.params);
      recordAudit(
        sqlite,
        actor,
        "broadcast.create",
        { broadcastId: inserted.id, filter: describeFilter(filter), recipients, messageKey: content.messageKey },
        at,
      );
      return inserted.id;
    })
    .immediate();
  return broadcastSummary(sqlite, id);
}

function readBroadcast(sqlite: Database.Database, id: number): BroadcastRow {
  const row = sqlite.prepare<[number], BroadcastRow>("SELECT * FROM broadcasts WHERE id = ?").get(id);
  if (!row) throw new BroadcastError("not_found", `No broadcast with id ${id} (see: chorus broadcast status)`);
  return row;
}

function summarize(sqlite: Database.Database, row: BroadcastRow): BroadcastSummary {
  const deliveries = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as Record<
    DeliveryStatus,
    number
  >;
  let total = 0;
  for (const group of sqlite
    .prepare<[number], { status: DeliveryStatus; n: number }>(
      "SELECT status, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY status",
    )
    .all(row.id)) {
    deliveries[group.status] = group.n;
    total += group.n;
  }
  const inFlight =
    sqlite
      .prepare<[number, string], { n: number }>(
        "SELECT count(*) AS n FROM deliveries WHERE broadcast_id = ? AND status = 'pending' AND last_error = ?",
      )
      .get(row.id, IN_FLIGHT)?.n ?? 0;
  const possibleDuplicateParticipants = sqlite
    .prepare<[number], { participant_id: string }>(
      `SELECT participant_id FROM deliveries WHERE broadcast_id = ?
         AND (interrupted_sends >= 2 OR (interrupted_sends >= 1 AND status = 'sent')) ORDER BY participant_id`,
    )
    .all(row.id)
    .map((delivery) => delivery.participant_id);
  const filter = BroadcastFilterSchema.parse(JSON.parse(row.filter));
  return {
    id: row.id,
    studyId: row.study_id,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    startedAt: row.started_at,
    sentAt: row.sent_at,
    messageKey: row.message_key,
    messages: JSON.parse(row.messages) as Record<string, string>,
    withStartButton: row.with_start_button === 1,
    filter,
    filterText: describeFilter(filter),
    total,
    deliveries,
    inFlight,
    possibleDuplicates: possibleDuplicateParticipants.length,
    possibleDuplicateParticipants,
  };
}

export function broadcastSummary(sqlite: Database.Database, id: number): BroadcastSummary {
  return summarize(sqlite, readBroadcast(sqlite, id));
}

/** Every broadcast, newest first. */
export function listBroadcasts(sqlite: Database.Database, options: { studyId?: string } = {}): BroadcastSummary[] {
  const rows = options.studyId
    ? sqlite
        .prepare<[string], BroadcastRow>("SELECT * FROM broadcasts WHERE study_id = ? ORDER BY id DESC")
        .all(options.studyId)
    : sqlite.prepare<[], BroadcastRow>("SELECT * FROM broadcasts ORDER BY id DESC").all();
  return rows.map((row) => summarize(sqlite, row));
}

/** The broadcast, who it goes to by platform and locale, and the message as each locale will see it. */
export function previewBroadcast(deps: { sqlite: Database.Database; i18n: I18n }, id: number): BroadcastPreview {
  const summary = broadcastSummary(deps.sqlite, id);
  const recipients = deps.sqlite
    .prepare<[number], { platform: string; locale: string; count: number }>(
      `SELECT platform, locale, count(*) AS count FROM deliveries WHERE broadcast_id = ?
       GROUP BY platform, locale ORDER BY platform, locale`,
    )
    .all(id);
  const study = loadStudy(deps.sqlite, summary.studyId);
  const locales = [...new Set(recipients.map((r) => r.locale))].sort();
  const samples = locales.map((locale) => {
    const message = renderBroadcastMessage(deps.i18n, summary, locale, study, summary.withStartButton ? 0 : undefined);
    return { locale, text: message.text, button: message.startButton?.label ?? null };
  });
  return { ...summary, recipients, samples };
}

/**
 * Moves a draft to sending (or confirms a sending one is resumed). A sent or
 * cancelled broadcast is refused: sending it again would duplicate.
 */
export function startSending(
  sqlite: Database.Database,
  id: number,
  actor: Actor,
  at = new Date().toISOString(),
): { resumed: boolean; summary: BroadcastSummary } {
  const resumed = sqlite
    .transaction(() => {
      const row = readBroadcast(sqlite, id);
      if (row.status === "sent") {
        throw new BroadcastError("already_sent", `Broadcast ${id} was already sent; nothing was sent again.`);
      }
      if (row.status === "cancelled") {
        throw new BroadcastError("cancelled", `Broadcast ${id} was cancelled; nothing was sent.`);
      }
      if (row.status === "draft") {
        sqlite.prepare("UPDATE broadcasts SET status = 'sending', started_at = ? WHERE id = ?").run(at, id);
      }
      recordAudit(
        sqlite,
        actor,
        row.status === "draft" ? "broadcast.send" : "broadcast.resume",
        { broadcastId: id },
        at,
      );
      return row.status === "sending";
    })
    .immediate();
  return { resumed, summary: broadcastSummary(sqlite, id) };
}

/** Cancels a draft or a broadcast being sent: pending deliveries become skipped; those sent stay sent. */
export function cancelBroadcast(
  sqlite: Database.Database,
  id: number,
  actor: Actor,
  at = new Date().toISOString(),
): BroadcastSummary {
  sqlite
    .transaction(() => {
      const row = readBroadcast(sqlite, id);
      if (row.status === "sent") {
        throw new BroadcastError("already_sent", `Broadcast ${id} was already sent; there is nothing to cancel.`);
      }
      if (row.status === "cancelled") return;
      sqlite.prepare("UPDATE broadcasts SET status = 'cancelled' WHERE id = ?").run(id);
      const skipped = sqlite
        .prepare(
          "UPDATE deliveries SET status = 'skipped', last_error = 'cancelled' WHERE broadcast_id = ? AND status = 'pending'",
        )
        .run(id).changes;
      recordAudit(sqlite, actor, "broadcast.cancel", { broadcastId: id, skipped }, at);
    })
    .immediate();
  return broadcastSummary(sqlite, id);
}

/** Marks a sending broadcast sent once no delivery is pending; true if it did. */
export function finishIfDone(sqlite: Database.Database, id: number, at = new Date().toISOString()): boolean {
  return (
    sqlite
      .prepare(
        `UPDATE broadcasts SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = ? AND status = 'pending')`,
      )
      .run(at, id, id).changes === 1
  );
}
