import { sleep } from "../sleep.js";

/**
 * Paces outgoing broadcast messages for one platform:
 *
 * - an overall rate (`ratePerSecond`): slots spaced evenly, and never more than
 *   `ratePerSecond` messages inside any sliding window of one second. The window
 *   counts a message from its grant until the platform ANSWERED it (the caller
 *   reports that with the function `acquire` resolves to): the platform saw the
 *   request somewhere in between, so however the network delays requests, the
 *   platform never sees more than the cap in one second;
 * - a minimum interval per key (a chat or channel): Telegram allows about one
 *   message per second per chat, Slack one per second per channel;
 * - a pause for everyone (`pauseUntil`) when the platform answered 429.
 *
 * Waiting is done with timers, never by spinning, so pacing costs almost no CPU.
 */
export interface PacerOptions {
  ratePerSecond: number;
  /** Minimum milliseconds between two grants for the same key; 0 disables. */
  perKeyIntervalMs: number;
  /** Extra milliseconds added to the one-second sliding window (clock granularity). */
  windowMarginMs?: number;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  /** Waits `ms` on the same clock as `now` (rejecting if `signal` aborts); injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** How far behind its schedule the pacer may catch up (a burst of at most this many ms of slots). */
const CATCH_UP_MS = 250;

export class Pacer {
  readonly intervalMs: number;
  private readonly capacity: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Answer times of the last `capacity` grants (ring buffer); +Infinity while a message awaits its answer. */
  private readonly recent: number[] = [];
  private recentHead = 0;
  private nextSlot = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private readonly keyLast = new Map<string, number>();
  /** Grants are handed out one caller at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PacerOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError("ratePerSecond must be positive");
    this.intervalMs = 1000 / options.ratePerSecond;
    this.capacity = Math.max(1, Math.floor(options.ratePerSecond));
    this.windowMs = 1000 + (options.windowMarginMs ?? 2);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? sleep;
  }

  /** Stops every grant until `untilMs` (on this pacer's clock), e.g. after a 429 with retry_after. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** When `key` may next be granted (this pacer's clock); callers defer a key that is not ready. */
  keyReadyAt(key: string): number {
    const last = this.keyLast.get(key);
    return last === undefined ? Number.NEGATIVE_INFINITY : last + this.options.perKeyIntervalMs;
  }

  /** Milliseconds on this pacer's clock; for callers scheduling deferred keys. */
  clock(): number {
    return this.now();
  }

  /**
   * Resolves when one message for `key` may be sent now, with a function to
   * call once the platform answered (or the send failed); rejects if `signal`
   * aborts first.
   */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    const grant = this.queue.then(() => this.waitForSlot(key, signal));
    this.queue = grant.catch(() => undefined);
    return grant;
  }

  private async waitForSlot(key: string, signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const oldest = this.recent.length < this.capacity ? Number.NEGATIVE_INFINITY : this.recent[this.recentHead]!;
      const at = Math.max(this.nextSlot, this.pausedUntil, this.keyReadyAt(key), oldest + this.windowMs);
      if (at <= now) return this.record(key, now);
      // A message still awaiting its answer holds its place in the window: look again shortly.
      const wait = Number.isFinite(at) ? Math.ceil(at - now) : Math.ceil(this.intervalMs / 4);
      await this.sleep(Math.max(1, wait), signal);
    }
  }

  private record(key: string, at: number): () => void {
    // Anchor the schedule, so grants made late (timers fire late on a busy machine, a slow
    // answer held the window) are caught up on instead of lost, but by at most CATCH_UP_MS:
    // after an idle spell only a short burst follows (the window still caps any second).
    this.nextSlot = Math.max(this.nextSlot, at - CATCH_UP_MS) + this.intervalMs;
    let slot: number;
    if (this.recent.length < this.capacity) {
      slot = this.recent.push(Number.POSITIVE_INFINITY) - 1;
    } else {
      slot = this.recentHead;
      this.recent[slot] = Number.POSITIVE_INFINITY;
      this.recentHead = (this.recentHead + 1) % this.capacity;
    }
    if (this.options.perKeyIntervalMs > 0) {
      this.keyLast.set(key, at);
      if (this.keyLast.size > 4096) this.forgetOldKeys(at);
    }
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      // Only if the slot was not reused meanwhile (it cannot be while it holds +Infinity).
      if (this.recent[slot] === Number.POSITIVE_INFINITY) this.recent[slot] = this.now();
    };
  }

  private forgetOldKeys(now: number): void {
    for (const [key, last] of this.keyLast) {
      if (last + this.options.perKeyIntervalMs <= now) this.keyLast.delete(key);
    }
  }
}
