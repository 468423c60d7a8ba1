import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_FOLDER, openDatabase } from "../../src/store/client.js";
import { runChorusInProcess } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

/**
 * Opening the database must not wait for, or take, another process's write
 * lock unless there is a migration to apply; commands that only read open
 * read-only; a file Chorus may not write is refused at start, in one line.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let db: TestDatabase;
let locker: Database.Database | undefined;

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
});
afterEach(() => {
  if (locker?.inTransaction) locker.exec("ROLLBACK");
  locker?.close();
  locker = undefined;
  db.cleanup();
});

/** Another process holds the write lock (a long import, an operator's sqlite3 shell). */
function holdWriteLock(): void {
  locker = new Database(db.path);
  locker.exec("BEGIN IMMEDIATE");
}

describe("opening the database while another process holds the write lock", () => {
  it("a writing connection opens at once when no migration is pending (nothing waits for the lock)", () => {
    holdWriteLock();
    // With a busy timeout of 0 any wait for the lock would fail at once instead.
    const opened = openDatabase(db.path, { busyTimeoutMs: 0 });
    expect(opened.sqlite.prepare("SELECT id FROM studies").pluck().all()).toEqual(["mini"]);
    opened.close();
  });

  it("read commands run to the end: study list, stats, audit, export", async () => {
    holdWriteLock();
    const env = { DATABASE_PATH: db.path, EXPORT_SECRET: "a-secret-of-sixteen-chars", LOG_LEVEL: "silent" };
    for (const args of [
      ["study", "list", "--json"],
      ["stats", "--json"],
      ["audit", "--json"],
    ]) {
      const run = await runChorusInProcess(args, env);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
    }
    const exported = await runChorusInProcess(["export", "--format", "csv", "--out", join(db.dir, "x.csv")], env);
    expect(exported.code, exported.stderr).toBe(0);
  });

  it("a read-only connection refuses writes", () => {
    const reader = openDatabase(db.path, { readonly: true });
    expect(() => reader.sqlite.prepare("DELETE FROM studies").run()).toThrow(/readonly/);
    reader.close();
  });

  it("a read-only open applies migrations this code knows and the file lacks, then reads", () => {
    const older = join(db.dir, "older-migrations");
    cpSync(DEFAULT_MIGRATIONS_FOLDER, older, { recursive: true });
    const journalPath = join(older, "meta", "_journal.json");
    // The installation before the newest migration.
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    const last = journal.entries.pop();
    rmSync(join(older, `${last?.tag}.sql`));
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(db.dir, "upgraded.db");
    openDatabase(file, { migrationsFolder: older }).close();

    const reader = openDatabase(file, { readonly: true });
    const applied = reader.sqlite.prepare("SELECT count(*) FROM __drizzle_migrations").pluck().get();
    expect(applied).toBe(readdirSync(DEFAULT_MIGRATIONS_FOLDER).filter((name) => name.endsWith(".sql")).length);
    reader.close();
  });

  it("a read-only open of a missing file says there is none", () => {
    expect(() => openDatabase(join(db.dir, "missing.db"), { readonly: true })).toThrow(
      /^Cannot open database .*missing\.db: no database file there \(check DATABASE_PATH\)$/,
    );
  });
});

describe("a database file Chorus may not write", () => {
  // Root may write any file, so the processes run as "nobody" when the tests run as root.
  const otherUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  function runAs(args: string[], dir: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ["--import", "tsx", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir, DATABASE_PATH: join(dir, "chorus.db"), LOG_LEVEL: "silent" },
      ...otherUser,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function readOnlyCopy(fileMode: number, folderMode: number): string {
    const dir = mkdtempSync(join(tmpdir(), "chorus-readonly-"));
    db.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    cpSync(db.path, join(dir, "chorus.db"));
    chmodSync(join(dir, "chorus.db"), fileMode);
    chmodSync(dir, folderMode);
    return dir;
  }

  it("npm start's entry point refuses a read-only file at start with one line; read commands still work", () => {
    const dir = readOnlyCopy(0o444, 0o777);
    try {
      const started = runAs(["src/main.ts"], dir);
      expect(started.status).toBe(1);
      expect(started.stderr.trim().split("\n")).toEqual([
        `Cannot open database ${join(dir, "chorus.db")}: the file is read-only for this user (EACCES); Chorus must write to it`,
      ]);
      const listed = runAs(["src/cli/index.ts", "study", "list"], dir);
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toContain("mini");
    } finally {
      chmodSync(dir, 0o700);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a folder where the -wal file cannot be created is refused the same way", () => {
    const dir = readOnlyCopy(0o666, 0o555);
    try {
      const started = runAs(["src/main.ts"], dir);
      expect(started.status).toBe(1);
      expect(started.stderr.trim().split("\n")).toEqual([
        `Cannot open database ${join(dir, "chorus.db")}: its folder is read-only for this user (EACCES); Chorus must write to it`,
      ]);
    } finally {
      chmodSync(dir, 0o700);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
