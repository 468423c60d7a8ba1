import type { MiddlewareFn } from "grammy";

/**
 * Counts updates being handled, so a graceful stop can wait for them:
 * stop taking updates first, then `idle()`, then close the database.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  /** Outermost middleware: tracks the whole handling of an update, error handling included. */
  readonly middleware: MiddlewareFn = async (_ctx, next) => {
    const handling = next();
    this.running.add(handling);
    try {
      await handling;
    } finally {
      this.running.delete(handling);
    }
  };

  /** Resolves once every update being handled now (and any started meanwhile) is done. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
