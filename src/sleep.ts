import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms` milliseconds; if `signal` aborts first, rejects at once with
 * node's AbortError (the timer is cleared). Code that waits takes a Sleep, so
 * a test can pass a clock it moves by hand (tests/helpers/manual-clock.ts).
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The one real sleep: node's timers/promises setTimeout with its abort signal. */
export const sleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);
