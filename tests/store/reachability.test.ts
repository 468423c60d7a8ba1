import { afterEach, describe, expect, it } from "vitest";
import { createReachability } from "../../src/store/reachability.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

let db: TestDatabase | undefined;
afterEach(() => {
  db?.cleanup();
  db = undefined;
});

function addParticipant(database: TestDatabase, userId: string, status: string, state?: Record<string, unknown>) {
  const at = "2026-01-01T00:00:00.000Z";
  database.sqlite
    .prepare(
      `INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, created_at, updated_at)
       VALUES (?, 'telegram', ?, 'mini', 'en', ?, ?, ?)`,
    )
    .run(`p-${userId}`, userId, status, at, at);
  if (state) {
    database.sqlite
      .prepare("INSERT INTO flow_states (participant_id, state, step, updated_at) VALUES (?, ?, 1, ?)")
      .run(`p-${userId}`, JSON.stringify(state), at);
  }
}

const statusOf = (database: TestDatabase, userId: string) =>
  (
    database.sqlite.prepare("SELECT status FROM participants WHERE platform_user_id = ?").get(userId) as {
      status: string;
    }
  ).status;

describe("reachability", () => {
  it("marks unreachable once, and only existing participants", () => {
    db = createTestDatabase();
    seedMiniStudy(db);
    addParticipant(db, "1", "active", { phase: "task", paused: false });
    const reachability = createReachability(db);
    expect(reachability.markUnreachable("telegram", "1", "2026-02-01T00:00:00.000Z")).toBe(true);
    expect(statusOf(db, "1")).toBe("unreachable");
    expect(reachability.markUnreachable("telegram", "1", "2026-02-01T00:00:00.000Z")).toBe(false);
    expect(reachability.markUnreachable("telegram", "404", "2026-02-01T00:00:00.000Z")).toBe(false);
    expect(reachability.markUnreachable("slack", "1", "2026-02-01T00:00:00.000Z")).toBe(false);
  });

  it("restores the status the saved journey implies, only for unreachable participants", () => {
    db = createTestDatabase();
    seedMiniStudy(db);
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ["10", { phase: "task", paused: false }, "active"],
      ["11", { phase: "task", paused: true }, "paused"],
      ["12", { phase: "completed", paused: false }, "completed"],
      ["13", { phase: "quota_full", paused: false }, "quota_full"],
      ["14", { phase: "screened_out", paused: false }, "screened_out"],
      ["15", undefined, "active"],
    ];
    for (const [userId, state] of cases) addParticipant(db, userId, "unreachable", state);
    addParticipant(db, "20", "completed", { phase: "completed", paused: false });
    const reachability = createReachability(db);
    for (const [userId, , expected] of cases) {
      expect(reachability.markReachable("telegram", userId, "2026-02-01T00:00:00.000Z")).toBe(true);
      expect(statusOf(db, userId)).toBe(expected);
    }
    expect(reachability.markReachable("telegram", "20", "2026-02-01T00:00:00.000Z")).toBe(false);
    expect(statusOf(db, "20")).toBe("completed");
  });
});
