import { describe, expect, it } from "vitest";
import { Pacer, type PacerOptions } from "../../src/broadcast/pacer.js";
import { ManualClock } from "../helpers/manual-clock.js";

/**
 * The pacer on a clock the test moves by hand: every grant time is exact, so
 * the rate, the window and the pauses are checked to the millisecond, and no
 * assertion depends on how busy the machine is.
 */

function pacerOn(clock: ManualClock, options: Omit<PacerOptions, "now" | "sleep">): Pacer {
  return new Pacer({ ...options, now: clock.now, sleep: clock.sleep });
}

/** Grants one message per key, one after another (each answered at once); the grant times. */
async function grantTimes(clock: ManualClock, pacer: Pacer, keys: string[]): Promise<number[]> {
  const times: number[] = [];
  await clock.runUntil(
    (async () => {
      for (const key of keys) {
        const answered = await pacer.acquire(key);
        times.push(clock.now());
        answered();
      }
    })(),
  );
  return times;
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("Pacer", () => {
  it("keeps the overall rate: never more than the rate in any one-second window, and close to it", async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock, { ratePerSecond: 40, perKeyIntervalMs: 1000 });
    const times = await grantTimes(
      clock,
      pacer,
      Array.from({ length: 81 }, (_, i) => `chat-${i}`),
    );
    expect(maxInWindow(times, 1000)).toBe(40);
    // 81 grants in 2.004 s: the rate, less the window's 2 ms margin each second.
    expect(times[0]).toBe(0);
    expect(times.at(-1)).toBe(2004);
    // Slots missed while waiting are caught up on by at most 250 ms: bursts of at most 11 (250 / 25 + 1).
    const burst = Math.max(...times.map((time) => times.filter((other) => other === time).length));
    expect(burst).toBe(11);
  });

  it("spaces messages to the same chat by the per-key interval", async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock, { ratePerSecond: 100, perKeyIntervalMs: 300 });
    const times = await grantTimes(clock, pacer, ["a", "a", "a"]);
    expect(times).toEqual([0, 300, 600]);
    expect(pacer.keyReadyAt("a")).toBe(900);
    expect(pacer.keyReadyAt("b")).toBe(Number.NEGATIVE_INFINITY);
  });

  it("holds every grant during a pause (a 429's retry_after)", async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock, { ratePerSecond: 100, perKeyIntervalMs: 0 });
    pacer.pauseFor(400);
    const times = await grantTimes(clock, pacer, ["x", "y"]);
    expect(times[0]).toBe(400);
    expect(times.every((time) => time >= 400)).toBe(true);
  });

  it("a message awaiting its answer keeps its place in the window", async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock, { ratePerSecond: 2, perKeyIntervalMs: 0 });
    const first = await pacer.acquire("a");
    await clock.runUntil(pacer.acquire("b").then((answered) => answered()));
    // The platform answers the first message only at 1,500 ms.
    clock.schedule(1500, first);
    await clock.runUntil(pacer.acquire("c"));
    // The third waits a full window after that answer (1,000 ms plus the 2 ms margin).
    expect(clock.now()).toBe(2502);
  });

  it("an abort while waiting rejects and grants nothing", async () => {
    const clock = new ManualClock();
    const pacer = pacerOn(clock, { ratePerSecond: 1, perKeyIntervalMs: 0 });
    (await pacer.acquire("a"))();
    const abort = new AbortController();
    const waiting = pacer.acquire("b", abort.signal);
    await clock.settle();
    abort.abort();
    await expect(waiting).rejects.toThrow();
    expect(clock.now()).toBe(0);
  });
});
