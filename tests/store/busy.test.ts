import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStoreBusy, StoreBusyError } from "../../src/core/errors.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

let db: TestDatabase;
let locker: Database.Database;
const at = "2026-03-01T10:00:00.000Z";

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  db.sqlite.pragma("busy_timeout = 5");
  locker = new Database(db.path);
  locker.exec("BEGIN IMMEDIATE");
});
afterEach(() => {
  if (locker.inTransaction) locker.exec("ROLLBACK");
  locker.close();
  db.cleanup();
});

const claimed = () => db.sqlite.prepare("SELECT event_id FROM processed_events").all();

describe("SurveyStore.transaction while another process holds the write lock", () => {
  it("waits the lock out again: released between attempts, the write goes through once", () => {
    const attempts: number[] = [];
    const store = createSurveyStore(db, {
      busy: {
        retries: 2,
        onBusy: (attempt) => {
          attempts.push(attempt);
          if (attempt === 2) locker.exec("COMMIT");
        },
      },
    });
    let runs = 0;
    store.transaction(() => {
      runs++;
      expect(store.claimEvent("telegram", "u-1", at)).toBe(true);
    });
    expect(attempts).toEqual([1, 2]);
    expect(runs).toBe(1);
    expect(claimed()).toEqual([{ event_id: "u-1" }]);
  });

  it("after the last attempt fails with StoreBusyError, having written nothing", () => {
    const store = createSurveyStore(db, { busy: { retries: 1 } });
    let thrown: unknown;
    try {
      store.transaction(() => store.claimEvent("telegram", "u-2", at));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreBusyError);
    expect((thrown as StoreBusyError).attempts).toBe(2);
    // As a platform library would wrap it (grammY's BotError.error, Bolt's original).
    expect(isStoreBusy({ error: thrown })).toBe(true);
    expect(isStoreBusy({ original: thrown })).toBe(true);
    expect(isStoreBusy(new Error("other"))).toBe(false);
    locker.exec("ROLLBACK");
    expect(claimed()).toEqual([]);
  });

  it("does not retry other errors", () => {
    locker.exec("ROLLBACK");
    const attempts: number[] = [];
    const store = createSurveyStore(db, { busy: { onBusy: (attempt) => attempts.push(attempt) } });
    expect(() =>
      store.transaction(() => {
        store.claimEvent("telegram", "u-3", at);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(attempts).toEqual([]);
    expect(claimed()).toEqual([]);
  });
});
