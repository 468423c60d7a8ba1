import type { Engine, EngineCall, EngineResult } from "./engine-types.js";

interface InputBatcherOptions {
  /** Runs `flush` once the inputs arriving together have been queued (production: setImmediate). */
  defer: (flush: () => void) => void;
  /** Most inputs in one transaction, so one group never holds the write lock long. */
  maxBatch?: number;
}

/** The engine's `handle`, asynchronous, with inputs that arrive together committed together. */
export interface InputBatcher {
  handle(ref: EngineCall["ref"], input: EngineCall["input"], options?: EngineCall["options"]): Promise<EngineResult>;
}

interface Queued {
  call: EngineCall;
  resolve: (result: EngineResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: inputs handed in within one turn of the event loop (the bot
 * runner processes many chats' updates concurrently) run as one store
 * transaction, each in its own savepoint, and every caller hears back only
 * after the commit, so no reply is ever sent for an answer that was not
 * saved. A participant's own inputs stay in order: the platform runner hands
 * them one at a time, and within a group calls run in arrival order.
 */
export function createInputBatcher(engine: Engine, options: InputBatcherOptions): InputBatcher {
  const maxBatch = options.maxBatch ?? 64;
  let queue: Queued[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const group = queue.slice(0, maxBatch);
    queue = queue.slice(group.length);
    if (queue.length > 0) schedule();
    let outcomes: ReturnType<Engine["handleMany"]>;
    try {
      outcomes = engine.handleMany(group.map((queued) => queued.call));
    } catch (error) {
      // The transaction itself failed (busy, disk full): nothing of the group was saved.
      for (const queued of group) queued.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const queued = group[index];
      if (!queued) return;
      if (outcome.ok) queued.resolve(outcome.result);
      else queued.reject(outcome.error);
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    options.defer(flush);
  }

  return {
    handle(ref, input, handleOptions) {
      return new Promise<EngineResult>((resolve, reject) => {
        queue.push({ call: { ref, input, ...(handleOptions ? { options: handleOptions } : {}) }, resolve, reject });
        schedule();
      });
    },
  };
}
