import type Database from "better-sqlite3";
import type { Platform } from "../core/ports.js";
import type { Study } from "../core/study/schema.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { loadStudy } from "../store/stored-study.js";
import { MESSAGEABLE_STATUSES } from "./filter.js";
import { createLease, type Lease } from "./lease.js";
import { renderBroadcastMessage } from "./message.js";
import { finishIfDone, IN_FLIGHT } from "./outbox.js";
import { Pacer } from "./pacer.js";
import { type BroadcastSender, DeliveryError, type OutgoingMessage } from "./senders/types.js";

/**
 * The broadcast worker: sends the pending deliveries of broadcasts in
 * `sending` state, one platform per loop, each paced by its own {@link Pacer}
 * and guarded by the platform's lease (one sender per platform across all
 * processes).
 *
 * Crash safety. For every delivery the worker
 *   1. claims it: `attempts + 1`, `last_error = 'in_flight'` (still pending);
 *   2. sends it;
 *   3. right after the platform confirms, marks it `sent`.
 * Only pending rows are ever sent, so a delivery marked sent is never sent
 * again, by a second `send`, a `resume`, or `npm start`. The one ambiguity is
 * a crash between 2 and 3: the platform has the message but the row still
 * says pending (in flight). A resume sends it again, so that participant may
 * get the message twice. With `maxInFlight` 1 (the default) that window holds
 * at most one delivery per platform; `chorus broadcast status` counts such
 * rows as "in flight" so an operator can see them. The claim after such an
 * interruption counts it on the row (`interrupted_sends`), so however many
 * times a broadcast is interrupted, every delivery that may have gone twice
 * stays recorded and `status` reports it.
 */

export interface PlatformPacing {
  ratePerSecond: number;
  /** Minimum milliseconds between two messages to the same chat / channel. */
  perKeyIntervalMs: number;
}

/** Telegram: 30 messages/s per bot, 1/s per chat. Slack: 1/s per channel, a few hundred per minute overall. */
export const DEFAULT_PACING: Record<"telegram" | "slack", PlatformPacing> = {
  telegram: { ratePerSecond: 30, perKeyIntervalMs: 1000 },
  slack: { ratePerSecond: 4, perKeyIntervalMs: 1000 },
};

export interface BroadcastWorkerDeps {
  sqlite: Database.Database;
  i18n: I18n;
  /** Platforms this process can send on; deliveries of other platforms wait for a process that can. */
  senders: Partial<Record<Platform, BroadcastSender>>;
  pacing?: Partial<Record<Platform, PlatformPacing>>;
  logger?: Logger;
  now?: () => Date;
  /** Sends of one delivery that may fail with a network or 5xx error before it is marked failed. */
  maxAttempts?: number;
  /** Wait before retrying after the given number of failed attempts. */
  backoffMs?: (attempts: number) => number;
  /** 429s tolerated for one delivery before it counts as a failed attempt. */
  maxRateLimits?: number;
  /** Messages awaiting the platform's answer at once (default 1: a one-message ambiguity window). */
  maxInFlight?: number;
  lease?: Lease;
  leaseTtlMs?: number;
  /** Called after each delivery's outcome is stored. */
  onDelivery?: (event: DeliveryEvent) => void;
}

export type DeliveryOutcome = "sent" | "unreachable" | "failed" | "skipped" | "retry" | "rate_limited";

export interface DeliveryEvent {
  platform: Platform;
  broadcastId: number;
  participantId: string;
  outcome: DeliveryOutcome;
}

export interface DrainResult {
  platform: Platform;
  /** Set when another live process holds this platform's lease: nothing was sent here. */
  heldBy?: string;
  /** Deliveries found in flight from an earlier, interrupted sender (sent again: may duplicate). */
  resumedInFlight: number;
  counts: Record<DeliveryOutcome, number>;
}

export interface DrainOptions {
  /** Only this broadcast (it must be in `sending` state). */
  broadcastId?: number;
  /** Stops taking new deliveries; the one in flight finishes and is recorded. */
  signal?: AbortSignal;
}

export interface BroadcastWorker {
  /** Sends every pending delivery this process can send; resolves when none is left (or on abort). */
  drain(options?: DrainOptions): Promise<DrainResult[]>;
  readonly lease: Lease;
}

interface Pending {
  rid: number;
  broadcastId: number;
  participantId: string;
  platformUserId: string;
  lastError: string | null;
}

interface Target {
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

const BATCH = 200;

export function createBroadcastWorker(deps: BroadcastWorkerDeps): BroadcastWorker {
  const { sqlite } = deps;
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 5;
  const maxRateLimits = deps.maxRateLimits ?? 20;
  const backoffMs = deps.backoffMs ?? ((attempts: number) => Math.min(60_000, 1000 * 2 ** (attempts - 1)));
  const maxInFlight = Math.max(1, deps.maxInFlight ?? 1);
  const lease = deps.lease ?? createLease(sqlite, deps.leaseTtlMs ? { ttlMs: deps.leaseTtlMs } : {});
  const pacers = new Map<Platform, Pacer>();
  const studies = new Map<string, Study | undefined>();

  const s = {
    fetch: sqlite.prepare<[string, number, number, number, number], Pending>(
      `SELECT d.rowid AS rid, d.broadcast_id AS broadcastId, d.participant_id AS participantId,
         p.platform_user_id AS platformUserId, d.last_error AS lastError
       FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN participants p ON p.id = d.participant_id
       WHERE d.platform = ? AND d.status = 'pending' AND b.status = 'sending' AND d.rowid > ?
         AND (? = 0 OR d.broadcast_id = ?)
       ORDER BY d.rowid LIMIT ?`,
    ),
    target: sqlite.prepare<[number, string], Target>(
      `SELECT d.status AS delivery_status, b.status AS broadcast_status, b.study_id, p.status AS participant_status,
         p.consented_at, p.locale, p.platform_user_id, b.message_key, b.messages, b.with_start_button,
         f.step, json_extract(f.state, '$.phase') AS phase, json_extract(f.state, '$.paused') AS paused
       FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN participants p ON p.id = d.participant_id
       LEFT JOIN flow_states f ON f.participant_id = p.id
       WHERE d.broadcast_id = ? AND d.participant_id = ?`,
    ),
    // Still marked in flight: the previous claim's send was cut short and may have reached the platform.
    claim: sqlite.prepare<[string, string, number, string]>(
      `UPDATE deliveries SET attempts = attempts + 1, interrupted_sends = interrupted_sends + (last_error IS ?),
         last_error = ?
       WHERE broadcast_id = ? AND participant_id = ? AND status = 'pending'`,
    ),
    // Whatever the row says now (a cancel may have skipped it meanwhile): the platform has the message.
    sent: sqlite.prepare<[string, string, number, string]>(
      `UPDATE deliveries SET status = 'sent', sent_at = ?, locale = ?, last_error = NULL
       WHERE broadcast_id = ? AND participant_id = ?`,
    ),
    settle: sqlite.prepare<[string, string | null, number, string]>(
      "UPDATE deliveries SET status = ?, last_error = ? WHERE broadcast_id = ? AND participant_id = ? AND status <> 'sent'",
    ),
    undoAttempt: sqlite.prepare<[string, number, string]>(
      `UPDATE deliveries SET attempts = max(attempts - 1, 0), last_error = ?
       WHERE broadcast_id = ? AND participant_id = ? AND status = 'pending'`,
    ),
    attempts: sqlite.prepare<[number, string], { attempts: number }>(
      "SELECT attempts FROM deliveries WHERE broadcast_id = ? AND participant_id = ?",
    ),
    unreachable: sqlite.prepare<[string, string]>(
      `UPDATE participants SET status = 'unreachable', updated_at = ?
       WHERE id = ? AND status IN (${MESSAGEABLE_STATUSES.map((status) => `'${status}'`).join(", ")})`,
    ),
    sending: sqlite.prepare<[], { id: number }>("SELECT id FROM broadcasts WHERE status = 'sending'"),
  };

  function pacerFor(platform: Platform): Pacer {
    let pacer = pacers.get(platform);
    if (!pacer) {
      const pacing = deps.pacing?.[platform] ??
        DEFAULT_PACING[platform as "telegram" | "slack"] ?? { ratePerSecond: 1, perKeyIntervalMs: 1000 };
      pacer = new Pacer(pacing);
      pacers.set(platform, pacer);
    }
    return pacer;
  }

  function study(studyId: string): Study | undefined {
    if (!studies.has(studyId)) studies.set(studyId, loadStudy(sqlite, studyId));
    return studies.get(studyId);
  }

  /** Why a participant must not get the message now, or undefined if they may. */
  function skipReason(target: Target): string | undefined {
    if (!(MESSAGEABLE_STATUSES as readonly string[]).includes(target.participant_status)) {
      return `participant ${target.participant_status}`;
    }
    if (target.paused) return "participant paused";
    if (target.consented_at === null) return "participant has not consented";
    return undefined;
  }

  async function drainPlatform(platform: Platform, sender: BroadcastSender, options: DrainOptions) {
    const counts: DrainResult["counts"] = { sent: 0, unreachable: 0, failed: 0, skipped: 0, retry: 0, rate_limited: 0 };
    if (!lease.acquire(platform)) {
      return { platform, heldBy: lease.holder(platform) ?? "another process", resumedInFlight: 0, counts };
    }
    const log = deps.logger?.child({ platform, worker: lease.owner });
    const pacer = pacerFor(platform);
    let lost = false;
    const renewer = setInterval(
      () => {
        if (!lease.renew(platform)) lost = true;
      },
      Math.max(1000, (deps.leaseTtlMs ?? 30_000) / 3),
    );
    renewer.unref();

    const only = options.broadcastId ?? 0;
    const known = new Set<string>();
    const buffer: Pending[] = [];
    const deferred: { item: Pending; notBefore: number }[] = [];
    const rateLimits = new Map<string, number>();
    const running = new Set<Promise<void>>();
    const touched = new Set<number>();
    let cursor = 0;
    let passFoundWork = false;
    let resumedInFlight = 0;
    const keyOf = (item: Pending) => `${item.broadcastId}:${item.participantId}`;

    /** Refills the buffer from the cursor; at the end of the table starts one more pass from the top. */
    function refill(): boolean {
      for (;;) {
        const rows = s.fetch.all(platform, cursor, only, only, BATCH);
        for (const row of rows) {
          cursor = row.rid;
          if (known.has(keyOf(row))) continue;
          known.add(keyOf(row));
          if (row.lastError === IN_FLIGHT) resumedInFlight++;
          buffer.push(row);
        }
        if (buffer.length > 0) {
          passFoundWork = true;
          return true;
        }
        if (rows.length > 0) continue;
        // End of the table. Rows behind the cursor (a draft older than the rows just sent, set
        // sending meanwhile) are found by one more pass; a pass that finds nothing ends the drain.
        if (cursor === 0 || !passFoundWork) return false;
        cursor = 0;
        passFoundWork = false;
      }
    }

    function forget(item: Pending): void {
      known.delete(keyOf(item));
      rateLimits.delete(keyOf(item));
    }

    /**
     * Reads what the delivery needs now (the participant may have paused or
     * withdrawn since `create`). Undefined when there is nothing to send: gone,
     * settled, cancelled, or skipped (recorded here, without using a slot).
     */
    function prepare(item: Pending): { platformUserId: string; locale: string; message: OutgoingMessage } | undefined {
      const target = s.target.get(item.broadcastId, item.participantId);
      // Gone (withdrawn: rows cascade), already settled, or the broadcast was cancelled.
      if (target?.delivery_status !== "pending" || target.broadcast_status !== "sending") {
        forget(item);
        return undefined;
      }
      touched.add(item.broadcastId);
      const reason = skipReason(target);
      if (reason) {
        s.settle.run("skipped", reason, item.broadcastId, item.participantId);
        settled(item, "skipped");
        return undefined;
      }
      const canStart = target.phase === "completed" || target.phase === "no_scenarios";
      const message = renderBroadcastMessage(
        deps.i18n,
        {
          messageKey: target.message_key,
          messages: JSON.parse(target.messages) as Record<string, string>,
          withStartButton: target.with_start_button === 1,
        },
        target.locale,
        study(target.study_id),
        canStart && target.step !== null ? target.step : undefined,
      );
      return { platformUserId: target.platform_user_id, locale: target.locale, message };
    }

    /** Claims, sends and records one delivery; `answered` tells the pacer the platform has answered. */
    async function deliver(
      item: Pending,
      ready: NonNullable<ReturnType<typeof prepare>>,
      answered: () => void,
    ): Promise<void> {
      if (s.claim.run(IN_FLIGHT, IN_FLIGHT, item.broadcastId, item.participantId).changes !== 1) {
        answered();
        forget(item);
        return;
      }
      try {
        await sender.send({ participantId: item.participantId, platformUserId: ready.platformUserId }, ready.message);
      } catch (error) {
        answered();
        failed(item, error instanceof DeliveryError ? error : new DeliveryError("transient", String(error)));
        return;
      }
      answered();
      // The ambiguity window is here: between the platform's OK above and this write.
      s.sent.run(now().toISOString(), ready.locale, item.broadcastId, item.participantId);
      settled(item, "sent");
    }

    function settled(item: Pending, outcome: DeliveryOutcome): void {
      counts[outcome]++;
      if (outcome !== "retry" && outcome !== "rate_limited") forget(item);
      deps.onDelivery?.({ platform, broadcastId: item.broadcastId, participantId: item.participantId, outcome });
    }

    function failed(item: Pending, error: DeliveryError): void {
      const key = keyOf(item);
      if (error.kind === "rate_limited") {
        const waitMs = error.retryAfterMs ?? 1000;
        pacer.pauseFor(waitMs);
        const seen = (rateLimits.get(key) ?? 0) + 1;
        rateLimits.set(key, seen);
        log?.warn({ broadcast: item.broadcastId, retryAfterMs: waitMs }, "broadcast rate limited; pausing");
        if (seen <= maxRateLimits) {
          // A 429 is the platform asking us to slow down, not a failed attempt.
          s.undoAttempt.run(error.reason, item.broadcastId, item.participantId);
          deferred.push({ item, notBefore: pacer.clock() + waitMs });
          settled(item, "rate_limited");
          return;
        }
      }
      if (error.kind === "unreachable") {
        sqlite.transaction(() => {
          s.settle.run("unreachable", error.reason, item.broadcastId, item.participantId);
          s.unreachable.run(now().toISOString(), item.participantId);
        })();
        log?.info({ broadcast: item.broadcastId, participant: item.participantId }, "participant unreachable");
        settled(item, "unreachable");
        return;
      }
      const attempts = s.attempts.get(item.broadcastId, item.participantId)?.attempts ?? maxAttempts;
      if (error.kind === "rejected" || attempts >= maxAttempts) {
        s.settle.run("failed", error.reason, item.broadcastId, item.participantId);
        log?.warn({ broadcast: item.broadcastId, participant: item.participantId, reason: error.reason }, "failed");
        settled(item, "failed");
        return;
      }
      s.settle.run("pending", error.reason, item.broadcastId, item.participantId);
      deferred.push({ item, notBefore: pacer.clock() + backoffMs(attempts) });
      settled(item, "retry");
    }

    /** The next delivery to send, a wait in ms, or undefined when the drain is done. */
    function next(): Pending | number | undefined {
      const clock = pacer.clock();
      deferred.sort((a, b) => a.notBefore - b.notBefore);
      if (deferred[0] && deferred[0].notBefore <= clock) return deferred.shift()?.item;
      while (buffer.length > 0 || refill()) {
        const item = buffer.shift() as Pending;
        const readyAt = pacer.keyReadyAt(item.platformUserId);
        if (readyAt <= clock) return item;
        deferred.push({ item, notBefore: readyAt });
      }
      if (deferred[0]) return Math.max(1, deferred[0].notBefore - clock);
      return running.size > 0 ? -1 : undefined;
    }

    try {
      for (;;) {
        if (options.signal?.aborted || lost) break;
        if (running.size >= maxInFlight) {
          await Promise.race(running);
          continue;
        }
        const item = next();
        if (item === undefined) break;
        if (item === -1) {
          await Promise.race(running);
          continue;
        }
        if (typeof item === "number") {
          await sleep(item, options.signal);
          continue;
        }
        const ready = prepare(item);
        if (!ready) continue;
        let answered: () => void;
        try {
          answered = await pacer.acquire(item.platformUserId, options.signal);
        } catch {
          // Aborted while waiting for a slot: nothing claimed, nothing sent; it stays pending.
          forget(item);
          break;
        }
        const task: Promise<void> = deliver(item, ready, answered).finally(() => running.delete(task));
        running.add(task);
      }
      await Promise.all(running);
    } finally {
      clearInterval(renewer);
      for (const { id } of s.sending.all()) {
        if (finishIfDone(sqlite, id, now().toISOString())) log?.info({ broadcast: id }, "broadcast sent");
      }
      if (!lost) lease.release(platform);
    }
    if (resumedInFlight > 0) {
      log?.warn({ resumedInFlight }, "deliveries in flight at an earlier interruption were sent again");
    }
    return { platform, resumedInFlight, counts };
  }

  return {
    lease,
    async drain(options = {}) {
      const entries = Object.entries(deps.senders) as [Platform, BroadcastSender][];
      return Promise.all(entries.map(([platform, sender]) => drainPlatform(platform, sender, options)));
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
