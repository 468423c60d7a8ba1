import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/core/engine-types.js";
import { createInputBatcher } from "../../src/core/input-batcher.js";
import type { SurveyStore } from "../../src/core/ports.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { createTestEngine } from "../helpers/engine.js";

/** Group commit on a real database: one transaction for inputs that arrive together, failures alone. */

let db: TestDatabase;
let engine: Engine;
let outerTransactions: number;
let depth: number;

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  outerTransactions = 0;
  depth = 0;
  // Counts the outermost transactions (commits); nested ones are savepoints.
  engine = createTestEngine(
    db,
    undefined,
    (real): SurveyStore => ({
      ...real,
      transaction<T>(fn: () => T): T {
        if (depth === 0) outerTransactions++;
        depth++;
        try {
          return real.transaction(fn);
        } finally {
          depth--;
        }
      },
    }),
  );
});

afterEach(() => db.cleanup());

/** A deferred flush the test runs by hand: the hand-off is explicit, no timers. */
function manualDefer() {
  const pending: Array<() => void> = [];
  return {
    defer: (flush: () => void) => pending.push(flush),
    run: () => {
      for (const flush of pending.splice(0)) flush();
    },
  };
}

const ref = (id: number) => ({ platform: "telegram" as const, platformUserId: String(id) });
const participants = () => (db.sqlite.prepare("SELECT count(*) AS n FROM participants").get() as { n: number }).n;

describe("group commit", () => {
  it("commits inputs that arrive together in one transaction and answers each after it", async () => {
    const scheduler = manualDefer();
    const batcher = createInputBatcher(engine, { defer: scheduler.defer });
    const answers = Array.from({ length: 16 }, (_, i) =>
      batcher.handle(ref(i), { kind: "start" }, { eventId: `u${i}` }),
    );
    expect(participants()).toBe(0);
    scheduler.run();
    const results = await Promise.all(answers);
    expect(outerTransactions).toBe(1);
    expect(results.every((result) => result.participantId !== undefined)).toBe(true);
    expect(participants()).toBe(16);
  });

  it("rolls back a failing input alone: the others of its group are saved", async () => {
    const scheduler = manualDefer();
    const batcher = createInputBatcher(engine, { defer: scheduler.defer });
    await Promise.all(
      [0, 1].map((i) => {
        const started = batcher.handle(ref(i), { kind: "start" });
        scheduler.run();
        return started;
      }),
    );
    // Participant 1's state no longer validates: their input throws inside its savepoint.
    db.sqlite
      .prepare("UPDATE flow_states SET state = '{\"schemaVersion\":99}' WHERE participant_id = 'participant-2'")
      .run();
    const good = batcher.handle(ref(0), { kind: "choice", step: 1, choice: "es" });
    const bad = batcher.handle(ref(1), { kind: "choice", step: 1, choice: "es" });
    const newcomer = batcher.handle(ref(2), { kind: "start" });
    scheduler.run();
    await expect(bad).rejects.toThrow(/invalid/);
    expect((await good).locale).toBe("es");
    expect((await newcomer).participantId).toBe("participant-3");
    expect(participants()).toBe(3);
  });

  it("splits a long queue into groups of at most maxBatch", async () => {
    const scheduler = manualDefer();
    const batcher = createInputBatcher(engine, { defer: scheduler.defer, maxBatch: 4 });
    const answers = Array.from({ length: 10 }, (_, i) => batcher.handle(ref(i), { kind: "start" }));
    scheduler.run();
    scheduler.run();
    scheduler.run();
    await Promise.all(answers);
    expect(outerTransactions).toBe(3);
  });
});
