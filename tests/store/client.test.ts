import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseOpenError, DEFAULT_MIGRATIONS_FOLDER, openDatabase } from "../../src/store/client.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

const TABLES = [
  "assessments",
  "assignments",
  "audit_log",
  "broadcasts",
  "candidate_responses",
  "deliveries",
  "flow_states",
  "participants",
  "processed_events",
  "profile_answers",
  "ranking_blocks",
  "reference_rankings",
  "scenarios",
  "screening_answers",
  "staff",
  "studies",
];

/** Every migration drizzle-kit generated (others add theirs; the test follows the journal). */
const MIGRATIONS = readMigrationFiles({ migrationsFolder: DEFAULT_MIGRATIONS_FOLDER }).length;

describe("openDatabase", () => {
  let database: TestDatabase | undefined;
  afterEach(() => database?.cleanup());

  it("creates the folder, applies every migration and sets the pragmas", () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-client-"));
    try {
      const path = join(dir, "nested", "deeper", "chorus.db");
      const opened = openDatabase(path);
      expect(existsSync(path)).toBe(true);
      expect(opened.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(opened.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(opened.sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
      expect(opened.sqlite.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
      expect(opened.sqlite.pragma("cache_size", { simple: true })).toBe(-32000);
      const tables = opened.sqlite
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' ORDER BY name",
        )
        .pluck()
        .all();
      expect(tables).toEqual(expect.arrayContaining(TABLES));
      const triggers = opened.sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .pluck()
        .all();
      expect(triggers).toEqual([
        "assessments_count_delete",
        "assessments_count_insert",
        "assessments_rationale_weight_update",
        "assessments_reading_seconds_update",
        "flow_states_revision",
        "ranking_blocks_rationale_weight_update",
      ]);
      const applied = opened.sqlite.prepare("SELECT count(*) FROM __drizzle_migrations").pluck().get();
      expect(applied).toBe(MIGRATIONS);
      opened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the per-input event table to one b-tree (WITHOUT ROWID, no secondary index)", () => {
    database = createTestDatabase();
    const sql = database.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'processed_events'").pluck().get();
    expect(sql).toMatch(/WITHOUT ROWID\s*$/);
    const indexes = database.sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'processed_events' AND sql IS NOT NULL",
      )
      .all();
    expect(indexes).toEqual([]);
  });

  it("reopening an up-to-date file applies nothing twice and keeps data", () => {
    database = createTestDatabase();
    database.sqlite
      .prepare(
        "INSERT INTO staff (platform, platform_user_id, role, added_at, added_by) VALUES ('console', 'me', 'admin', 'now', 'test')",
      )
      .run();
    database.close();
    const again = openDatabase(database.path);
    expect(again.sqlite.prepare("SELECT count(*) FROM __drizzle_migrations").pluck().get()).toBe(MIGRATIONS);
    expect(again.sqlite.prepare("SELECT role FROM staff").pluck().get()).toBe("admin");
    again.close();
  });

  it("enforces foreign keys on the connection it returns", () => {
    database = createTestDatabase();
    expect(() =>
      database?.sqlite
        .prepare("INSERT INTO flow_states (participant_id, state, step, updated_at) VALUES ('nobody', '{}', 0, 'now')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it("two processes opening a fresh file at the same moment both succeed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-race-"));
    try {
      const path = join(dir, "chorus.db");
      const { spawn } = await import("node:child_process");
      const script = `import { openDatabase } from ${JSON.stringify(new URL("../../src/store/client.ts", import.meta.url).pathname)};
        const db = openDatabase(process.argv[1]); db.close(); console.log("ok");`;
      const run = () =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, path], {
            cwd: process.cwd(),
          });
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.on("data", (d) => (out += d));
          child.on("close", (code) => resolve({ code, out }));
        });
      const results = await Promise.all([run(), run(), run()]);
      for (const result of results) expect(result, result.out).toMatchObject({ code: 0 });
      const check = openDatabase(path);
      expect(check.sqlite.prepare("SELECT count(*) FROM __drizzle_migrations").pluck().get()).toBe(MIGRATIONS);
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an unwritable path throws a typed error with a one-line message", () => {
    const attempt = () => openDatabase("/proc/chorus-nope/chorus.db");
    expect(attempt).toThrow(DatabaseOpenError);
    try {
      attempt();
    } catch (error) {
      const e = error as DatabaseOpenError;
      expect(e.code).toBe("DATABASE_OPEN_FAILED");
      expect(e.message).toMatch(/^Cannot open database \/proc\/chorus-nope\/chorus\.db: /);
      expect(e.message).not.toContain("\n");
    }
  });

  it("a read-only folder gives the same one-line error", () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; /proc covers this case for root
    const dir = mkdtempSync(join(tmpdir(), "chorus-ro-"));
    mkdirSync(join(dir, "ro"));
    chmodSync(join(dir, "ro"), 0o500);
    try {
      expect(() => openDatabase(join(dir, "ro", "chorus.db"))).toThrow(/^Cannot open database .*: [^\n]+$/);
    } finally {
      chmodSync(join(dir, "ro"), 0o700);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
