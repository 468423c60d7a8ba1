import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupDatabase } from "../../src/store/backup.js";
import { runChorus } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { collectOutput } from "../helpers/output.js";
import { seedParticipants } from "../helpers/participants.js";

/**
 * `chorus restore FILE` after the worst case: a writer killed with SIGKILL,
 * its -wal and -shm still beside the database. The obvious restore (copy the
 * backup over the file) would have SQLite apply that stale WAL to the backup.
 */

const WRITER = fileURLToPath(new URL("../helpers/db-writer.ts", import.meta.url));
let db: TestDatabase;
let child: ChildProcess | undefined;

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  seedParticipants(
    db.sqlite,
    "mini",
    Array.from({ length: 50 }, (_, i) => ({ platform: "telegram" as const, userId: String(20_000 + i) })),
  );
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  db.cleanup();
});

const env = () => ({ DATABASE_PATH: db.path, LOG_LEVEL: "silent" });
const count = (file: string, table = "participants") => {
  const reader = new Database(file, { readonly: true });
  try {
    return (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    reader.close();
  }
};

/** Starts a process that keeps writing to the database; resolves once it has committed. */
async function startWriter(): Promise<ChildProcess> {
  const writer = spawn(process.execPath, ["--import", "tsx", WRITER, db.path, "mini"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  child = writer;
  const output = collectOutput();
  writer.stdout?.on("data", output.append);
  await output.printed("writing");
  return writer;
}

async function sigkill(process: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => process.once("exit", resolve));
  process.kill("SIGKILL");
  await exited;
}

describe("chorus restore", () => {
  it("after a writer was killed with SIGKILL: the backup's content, stale WAL set aside, nothing lost", async () => {
    const backup = join(db.dir, "backup.db");
    await backupDatabase(db.sqlite, backup);
    db.close();
    const inBackup = count(backup);
    expect(inBackup).toBe(50);

    await sigkill(await startWriter());
    // What the killed writer leaves: committed transactions in a -wal that was never checkpointed.
    expect(existsSync(`${db.path}-wal`)).toBe(true);
    expect(existsSync(`${db.path}-shm`)).toBe(true);

    const restored = await runChorus(["restore", backup, "--json"], env());
    expect(restored.code, restored.stderr).toBe(0);
    // No WAL beside the restored file: the stale one went aside with the file it belonged to.
    expect(existsSync(`${db.path}-wal`)).toBe(false);
    const result = JSON.parse(restored.stdout) as {
      database: string;
      replacedBy: string;
      integrity: string;
      foreignKeyViolations: number;
      rows: Record<string, number>;
    };
    expect(result).toMatchObject({ database: db.path, integrity: "ok", foreignKeyViolations: 0 });
    expect(result.rows.participants).toBe(inBackup);
    expect(count(db.path)).toBe(inBackup);
    const integrity = new Database(db.path, { readonly: true });
    expect(integrity.pragma("integrity_check", { simple: true })).toBe("ok");
    integrity.close();
    expect(readdirSync(db.dir).filter((name) => name.includes("restoring"))).toEqual([]);

    // The database it replaced is kept whole: with the writer's rows, its WAL folded in.
    expect(result.replacedBy).toMatch(/chorus\.db\.replaced-/);
    expect(count(result.replacedBy)).toBeGreaterThan(inBackup);
    const replaced = new Database(result.replacedBy, { readonly: true });
    expect(replaced.pragma("integrity_check", { simple: true })).toBe("ok");
    replaced.close();

    // Audited, in the restored database, and the bots can use it: a writer works on it again.
    const audit = new Database(db.path, { readonly: true });
    expect(audit.prepare("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").pluck().get()).toBe("restore");
    audit.close();
    await sigkill(await startWriter());
    expect(count(db.path)).toBeGreaterThan(inBackup);
  }, 60_000);

  it("refuses while another process has the database open, and changes nothing", async () => {
    const backup = join(db.dir, "backup.db");
    await backupDatabase(db.sqlite, backup);
    const writer = await startWriter();
    const restored = await runChorus(["restore", backup], env());
    expect(restored.code).toBe(1);
    expect(restored.stderr.trim()).toBe(
      `${db.path} is open in another process (a bot, npm start, a chorus command): stop it, then restore`,
    );
    await sigkill(writer);
    expect(count(db.path)).toBeGreaterThan(50);
    expect(readdirSync(db.dir).filter((name) => name.includes("replaced") || name.includes("restoring"))).toEqual([]);
  }, 60_000);

  it("refuses a backup that is missing (exit 2), not a database, or not a Chorus database (exit 1)", async () => {
    db.close();
    const missing = await runChorus(["restore", join(db.dir, "nope.db")], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.db: no such file/);

    const text = join(db.dir, "notes.txt");
    writeFileSync(text, "not a database at all, just some words to fill a page of text ".repeat(100));
    const notDb = await runChorus(["restore", text], env());
    expect(notDb.code).toBe(1);
    expect(notDb.stderr.trim()).toMatch(/^.*notes\.txt: cannot read it as a database: /);

    const other = join(db.dir, "other.db");
    const plain = new Database(other);
    plain.exec("CREATE TABLE t (x)");
    plain.close();
    const foreign = await runChorus(["restore", other], env());
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/other\.db: not a Chorus database/);
    expect(count(db.path)).toBe(50);
  }, 60_000);
});
