/**
 * A clock the test moves by hand: `sleep` waits until the test runs the
 * timer (`runNext`, which jumps the time to it) or the signal aborts. Code
 * under test that takes `now` and `sleep` then runs the same way on a loaded
 * machine as on an idle one: no wall-clock time is involved at all.
 */
export class ManualClock {
  private time = 0;
  private readonly timers: { at: number; fire: () => void }[] = [];

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = {
        at: this.time + ms,
        fire: () => {
          signal?.removeEventListener("abort", abort);
          resolve();
        },
      };
      const abort = () => {
        this.timers.splice(this.timers.indexOf(timer), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.timers.push(timer);
    });

  /** Calls `fn` when the time reaches `at` (e.g. a platform answering a message later). */
  schedule(at: number, fn: () => void): void {
    this.timers.push({ at, fire: fn });
  }

  /** Lets pending promise callbacks run, so the code under test reaches its next sleep. */
  async settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Jumps to the earliest timer and fires it; false when none is waiting. */
  async runNext(): Promise<boolean> {
    await this.settle();
    if (this.timers.length === 0) return false;
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers.shift() as { at: number; fire: () => void };
    this.time = Math.max(this.time, next.at);
    next.fire();
    await this.settle();
    return true;
  }

  /** Runs timers until `done` settles; rejects if nothing is left to run before that. */
  async runUntil<T>(done: Promise<T>): Promise<T> {
    let finished = false;
    const result = done.finally(() => {
      finished = true;
    });
    while (!finished) {
      if (!(await this.runNext()) && !finished) {
        await this.settle();
        if (!finished) throw new Error("nothing left to run, but the awaited work is not done");
      }
    }
    return result;
  }
}
