import type { Platform } from "../core/ports.js";
import type { Study } from "../core/study/schema.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { sleep } from "../sleep.js";
import { markSentIfDone, sendingBroadcastIds } from "../store/broadcasts.js";
import type { SqliteConnection } from "../store/client.js";
import { createDeliveryStore } from "../store/deliveries.js";
import { loadStudy } from "../store/stored-study.js";
import { createDeliverySteps, type DeliveryOutcome, type DeliverySteps } from "./delivery.js";
import { DeliveryQueue } from "./delivery-queue.js";
import { createLease, type Lease } from "./lease.js";
import { IN_FLIGHT } from "./outbox.js";
import { Pacer } from "./pacer.js";
import type { BroadcastSender } from "./senders/types.js";

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
const DEFAULT_PACING: Record<"telegram" | "slack", PlatformPacing> = {
  telegram: { ratePerSecond: 30, perKeyIntervalMs: 1000 },
  slack: { ratePerSecond: 4, perKeyIntervalMs: 1000 },
};

export interface BroadcastWorkerDeps {
  sqlite: SqliteConnection;
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

export type { DeliveryOutcome } from "./delivery.js";

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

const BATCH = 200;

export function createBroadcastWorker(deps: BroadcastWorkerDeps): BroadcastWorker {
  const { sqlite } = deps;
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 5;
  const maxRateLimits = deps.maxRateLimits ?? 20;
  const backoffMs = deps.backoffMs ?? ((attempts: number) => Math.min(60_000, 1000 * 2 ** (attempts - 1)));
  const maxInFlight = Math.max(1, deps.maxInFlight ?? 1);
  const lease = deps.lease ?? createLease(sqlite, deps.leaseTtlMs ? { ttlMs: deps.leaseTtlMs } : {});
  const store = createDeliveryStore(sqlite);
  const pacers = new Map<Platform, Pacer>();
  const studies = new Map<string, Study | undefined>();

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

  /** Sends the platform's pending deliveries while holding its lease, then marks finished broadcasts sent. */
  async function drainPlatform(platform: Platform, sender: BroadcastSender, options: DrainOptions) {
    const counts: DrainResult["counts"] = { sent: 0, unreachable: 0, failed: 0, skipped: 0, retry: 0, rate_limited: 0 };
    if (!lease.acquire(platform)) {
      return { platform, heldBy: lease.holder(platform) ?? "another process", resumedInFlight: 0, counts };
    }
    const log = deps.logger?.child({ platform, worker: lease.owner });
    let lost = false;
    const renewer = setInterval(
      () => {
        if (!lease.renew(platform)) lost = true;
      },
      Math.max(1000, (deps.leaseTtlMs ?? 30_000) / 3),
    );
    renewer.unref();
    const only = options.broadcastId ?? 0;
    const queue = new DeliveryQueue((afterRowid) => store.pendingAfter(platform, afterRowid, only, BATCH), IN_FLIGHT);
    const pacer = pacerFor(platform);
    const steps = createDeliverySteps({
      sender,
      store,
      queue,
      pacer,
      i18n: deps.i18n,
      study,
      now,
      maxAttempts,
      maxRateLimits,
      backoffMs,
      ...(log ? { log } : {}),
      recorded: (item, outcome) => {
        counts[outcome]++;
        deps.onDelivery?.({ platform, broadcastId: item.broadcastId, participantId: item.participantId, outcome });
      },
    });
    try {
      await sendAll(queue, steps, pacer, { ...options, maxInFlight, lost: () => lost });
    } finally {
      clearInterval(renewer);
      for (const id of sendingBroadcastIds(sqlite)) {
        if (markSentIfDone(sqlite, id, now().toISOString())) log?.info({ broadcast: id }, "broadcast sent");
      }
      if (!lost) lease.release(platform);
    }
    if (queue.resumedInFlight > 0) {
      log?.warn(
        { resumedInFlight: queue.resumedInFlight },
        "deliveries in flight at an earlier interruption were sent again",
      );
    }
    return { platform, resumedInFlight: queue.resumedInFlight, counts };
  }

  return {
    lease,
    async drain(options = {}) {
      const entries = Object.entries(deps.senders) as [Platform, BroadcastSender][];
      return Promise.all(entries.map(([platform, sender]) => drainPlatform(platform, sender, options)));
    },
  };
}

/**
 * Takes deliveries from the queue as the pacer allows, at most `maxInFlight`
 * awaiting the platform at once, until the queue is empty, the signal aborts
 * or the lease is lost; then waits for those in flight to be recorded.
 */
async function sendAll(
  queue: DeliveryQueue,
  steps: DeliverySteps,
  pacer: Pacer,
  options: DrainOptions & { maxInFlight: number; lost: () => boolean },
): Promise<void> {
  const running = new Set<Promise<void>>();
  for (;;) {
    if (options.signal?.aborted || options.lost()) break;
    if (running.size >= options.maxInFlight) {
      await Promise.race(running);
      continue;
    }
    const item = queue.next(pacer.clock(), (key) => pacer.keyReadyAt(key));
    if (item === undefined) {
      if (running.size === 0) break;
      await Promise.race(running);
      continue;
    }
    if (typeof item === "number") {
      // An abort ends the wait early; the loop's first line then stops.
      await sleep(item, options.signal).catch(() => undefined);
      continue;
    }
    const ready = steps.readyToSend(item);
    if (!ready) continue;
    let answered: () => void;
    try {
      answered = await pacer.acquire(item.platformUserId, options.signal);
    } catch {
      // Aborted while waiting for a slot: nothing claimed, nothing sent; it stays pending.
      queue.forget(item);
      break;
    }
    const task: Promise<void> = steps.deliver(item, ready, answered).finally(() => running.delete(task));
    running.add(task);
  }
  await Promise.all(running);
}
