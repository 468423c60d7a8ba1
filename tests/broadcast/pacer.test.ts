import { describe, expect, it } from "vitest";
import { Pacer } from "../../src/broadcast/pacer.js";

/** Grants `count` messages one after another (each answered at once); returns grant times. */
async function grantTimes(pacer: Pacer, keys: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const key of keys) {
    const answered = await pacer.acquire(key);
    times.push(performance.now());
    answered();
  }
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
    const pacer = new Pacer({ ratePerSecond: 40, perKeyIntervalMs: 1000 });
    const times = await grantTimes(
      pacer,
      Array.from({ length: 81 }, (_, i) => `chat-${i}`),
    );
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(40);
    const seconds = ((times.at(-1) as number) - (times[0] as number)) / 1000;
    // 80 intervals at 40/s: 2 s; timers only ever make it later, the load of a shared machine a bit more.
    expect(seconds).toBeGreaterThanOrEqual(1.95);
    expect(seconds).toBeLessThan(2.6);
  });

  it("spaces messages to the same chat by the per-key interval", async () => {
    const pacer = new Pacer({ ratePerSecond: 100, perKeyIntervalMs: 300 });
    const times = await grantTimes(pacer, ["a", "a", "a"]);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(295);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(295);
    expect(pacer.keyReadyAt("a")).toBeGreaterThan(pacer.clock());
    expect(pacer.keyReadyAt("b")).toBe(Number.NEGATIVE_INFINITY);
  });

  it("holds every grant during a pause (a 429's retry_after)", async () => {
    const pacer = new Pacer({ ratePerSecond: 100, perKeyIntervalMs: 0 });
    const start = performance.now();
    pacer.pauseFor(400);
    await grantTimes(pacer, ["x"]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(395);
  });

  it("a message awaiting its answer keeps its place in the window", async () => {
    const pacer = new Pacer({ ratePerSecond: 2, perKeyIntervalMs: 0 });
    const first = await pacer.acquire("a");
    await (await pacer.acquire("b"))();
    const start = performance.now();
    setTimeout(first, 1500);
    await pacer.acquire("c");
    // The first message was answered after 1.5 s: the third waits a second after that answer.
    expect(performance.now() - start).toBeGreaterThanOrEqual(2400);
  });

  it("an abort while waiting rejects and grants nothing", async () => {
    const pacer = new Pacer({ ratePerSecond: 1, perKeyIntervalMs: 0 });
    await (await pacer.acquire("a"))();
    const abort = new AbortController();
    const waiting = pacer.acquire("b", abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow();
  });
});
