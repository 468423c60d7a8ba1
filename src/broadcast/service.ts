import { type BroadcastWorker, type BroadcastWorkerDeps, createBroadcastWorker, type DrainResult } from "./worker.js";

interface BroadcastServiceOptions {
  /** How often to look for broadcasts to send (ms). */
  pollMs: number;
}

export interface BroadcastService {
  name: string;
  /** Looks for work now instead of at the next poll (e.g. right after a staff member confirmed a broadcast). */
  wake(): void;
  /** Stops taking deliveries; the one in flight finishes and is recorded; the lease is released. */
  stop(): Promise<void>;
  readonly worker: BroadcastWorker;
}

/**
 * The long-running sender inside `npm start`: at start and every poll it
 * drains every broadcast in `sending` state on the platforms this process
 * has credentials for. Deliveries a crashed sender left pending are sent
 * then; those marked sent never are.
 */
export function startBroadcastService(deps: BroadcastWorkerDeps, options: BroadcastServiceOptions): BroadcastService {
  const worker = createBroadcastWorker(deps);
  const stopping = new AbortController();
  let wakeUp: (() => void) | undefined;
  let again = false;

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      again = false;
      let results: DrainResult[] = [];
      try {
        results = await worker.drain({ signal: stopping.signal });
      } catch (error) {
        deps.logger?.error({ err: error instanceof Error ? error.message : String(error) }, "broadcast worker failed");
      }
      for (const result of results) {
        const sent = result.counts.sent;
        if (sent > 0) deps.logger?.info({ platform: result.platform, ...result.counts }, "broadcast deliveries done");
      }
      if (again || stopping.signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, options.pollMs);
        function done() {
          clearTimeout(timer);
          stopping.signal.removeEventListener("abort", done);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
        stopping.signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  const running = loop();
  return {
    name: "broadcasts",
    worker,
    wake() {
      again = true;
      wakeUp?.();
    },
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
