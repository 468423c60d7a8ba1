import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms` milliseconds: node's timers/promises setTimeout with its abort
 * signal. If `signal` aborts first, rejects at once with node's AbortError
 * (the timer is cleared). Code whose waits tests must control takes a
 * `(ms, signal) => Promise<void>` of the same shape, so a test can pass a
 * clock it moves by hand (tests/helpers/manual-clock.ts).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}
