import { ChorusError } from "../core/errors.js";
import type { I18n } from "../i18n/index.js";
import { type Actor, recordAudit } from "../staff/audit.js";
import {
  type BroadcastRow,
  type BroadcastStatus,
  countPendingMarked,
  countRecipients,
  type DeliveryStatus,
  deliveryCountsByStatus,
  insertDraft,
  markCancelled,
  markSending,
  possibleDuplicateParticipants,
  recipientsByPlatformAndLocale,
  selectBroadcast,
  selectBroadcasts,
} from "../store/broadcasts.js";
import type { SqliteConnection } from "../store/client.js";
import { DELIVERY_STATUSES } from "../store/schema.js";
import { loadStudy } from "../store/stored-study.js";
import { type BroadcastFilter, BroadcastFilterSchema, describeFilter } from "./filter.js";
import { type BroadcastContent, contentProblems, renderBroadcastMessage } from "./message.js";

/**
 * The outbox: a broadcast row plus one delivery row per recipient, written in
 * one transaction by `create`. Sending (the worker) only ever reads pending
 * rows and moves each to sent / failed / unreachable / skipped, so running
 * `send` twice, or after a crash, never sends a delivery marked sent.
 */

/** Marks a delivery claimed by a worker and not yet confirmed by the platform (see worker.ts). */
export const IN_FLIGHT = "in_flight";

type BroadcastErrorCode =
  | "not_found"
  | "unknown_study"
  | "bad_message"
  | "empty"
  | "already_sent"
  | "cancelled"
  | "not_draft";

/** A refused broadcast operation; `message` is one line for the operator. */
export class BroadcastError extends ChorusError {
  override readonly name = "BroadcastError";
  constructor(
    readonly code: BroadcastErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface CreateBroadcastInput {
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

interface BroadcastPreview extends BroadcastSummary {
  recipients: { platform: string; locale: string; count: number }[];
  /** The message as each locale among the recipients will see it. */
  samples: { locale: string; text: string; button: string | null }[];
}

/**
 * Writes a draft broadcast and its outbox. Refused whole, with nothing
 * written, for an unknown study, a bad message, or a filter matching nobody.
 * A start button implies `canStartMore` (only those who can press it).
 */
export function createBroadcast(
  deps: { sqlite: SqliteConnection; i18n: I18n },
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
      const draftId = insertDraft(sqlite, {
        filter,
        at,
        createdBy: actor.id,
        messages: content.messages,
        messageKey: content.messageKey,
        withStartButton,
      });
      recordAudit(
        sqlite,
        actor,
        "broadcast.create",
        { broadcastId: draftId, filter: describeFilter(filter), recipients, messageKey: content.messageKey },
        at,
      );
      return draftId;
    })
    .immediate();
  return broadcastSummary(sqlite, id);
}

function readBroadcast(sqlite: SqliteConnection, id: number): BroadcastRow {
  const row = selectBroadcast(sqlite, id);
  if (!row) throw new BroadcastError("not_found", `No broadcast with id ${id} (see: chorus broadcast status)`);
  return row;
}

function summarize(sqlite: SqliteConnection, row: BroadcastRow): BroadcastSummary {
  const deliveries = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as Record<
    DeliveryStatus,
    number
  >;
  let total = 0;
  for (const group of deliveryCountsByStatus(sqlite, row.id)) {
    deliveries[group.status] = group.n;
    total += group.n;
  }
  const inFlight = countPendingMarked(sqlite, row.id, IN_FLIGHT);
  const duplicates = possibleDuplicateParticipants(sqlite, row.id);
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
    possibleDuplicates: duplicates.length,
    possibleDuplicateParticipants: duplicates,
  };
}

export function broadcastSummary(sqlite: SqliteConnection, id: number): BroadcastSummary {
  return summarize(sqlite, readBroadcast(sqlite, id));
}

/** Every broadcast, newest first. */
export function listBroadcasts(sqlite: SqliteConnection, options: { studyId?: string } = {}): BroadcastSummary[] {
  return selectBroadcasts(sqlite, options.studyId).map((row) => summarize(sqlite, row));
}

/** The broadcast, who it goes to by platform and locale, and the message as each locale will see it. */
export function previewBroadcast(deps: { sqlite: SqliteConnection; i18n: I18n }, id: number): BroadcastPreview {
  const summary = broadcastSummary(deps.sqlite, id);
  const recipients = recipientsByPlatformAndLocale(deps.sqlite, id);
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
  sqlite: SqliteConnection,
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
        markSending(sqlite, id, at);
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
  sqlite: SqliteConnection,
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
      const skipped = markCancelled(sqlite, id);
      recordAudit(sqlite, actor, "broadcast.cancel", { broadcastId: id, skipped }, at);
    })
    .immediate();
  return broadcastSummary(sqlite, id);
}
