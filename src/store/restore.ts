import { existsSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { ChorusError } from "../core/errors.js";
import { backupDatabase, checkDatabase } from "./backup.js";
import { openDatabase, pendingMigrations } from "./client.js";

/**
 * Putting a backup back in place of the live database. Copying the file over
 * by hand is how data gets lost: a `-wal` or `-shm` left beside the database
 * by a process that was killed belongs to the old file, and SQLite applies
 * it to the copied-in one, which then opens "fine" and is silently corrupt.
 * So restoring here:
 *
 * 1. checks the backup (a Chorus database, not migrated by newer code,
 *    integrity ok) and copies it with SQLite's backup API next to the live file;
 * 2. refuses while any process has the live database open (a bot, a running
 *    command): it cannot take the exclusive lock then;
 * 3. folds the live file's WAL into it and moves it aside as
 *    `NAME.replaced-TIME` (nothing is deleted), with any -wal/-shm/-journal left;
 * 4. moves the copy into place, applies this code's migrations, and checks
 *    the result (integrity, foreign keys, row counts).
 */

/** A refused restore; `message` is one line for the operator. */
class RestoreError extends ChorusError {
  override readonly name = "RestoreError";
  constructor(
    readonly code: "missing_backup" | "bad_backup" | "in_use" | "unreadable_database",
    message: string,
  ) {
    // A backup that is not there is a bad argument; anything else is refused.
    super(message, { kind: code === "missing_backup" ? "usage" : "failed" });
  }
}

interface RestoreOptions {
  /** Replace a live file even if it is not a readable database (it is moved aside, not deleted). */
  force?: boolean;
  /** Time stamp for the name of the replaced file (default now). */
  at?: string;
  /** Runs on the restored database before it is closed (the audit entry of the restore). */
  onRestored?: (sqlite: Database.Database, result: RestoreResult) => void;
}

interface RestoreResult {
  database: string;
  backup: string;
  /** Where the database that was replaced now is (undefined when there was none). */
  replacedBy: string | undefined;
  /** Stale -wal, -shm or -journal files moved aside with it. */
  setAside: string[];
  integrity: string;
  foreignKeyViolations: number;
  rows: Record<string, number>;
}

const SIDE_FILES = ["-wal", "-shm", "-journal"] as const;

export async function restoreDatabase(
  databasePath: string,
  backupPath: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const database = resolve(databasePath);
  const backup = resolve(backupPath);
  if (!existsSync(backup)) throw new RestoreError("missing_backup", `${backupPath}: no such file`);
  if (backup === database) throw new RestoreError("bad_backup", "The backup file must not be the database itself");

  // 1. A checked, self-contained copy beside the live file (same folder: the final rename is atomic).
  const copy = join(dirname(database), `.${basename(database)}.restoring-${process.pid}`);
  rmSync(copy, { force: true });
  try {
    const source = openBackup(backupPath, backup);
    try {
      const copied = await backupDatabase(source, copy);
      if (copied.integrity !== "ok" || copied.foreignKeyViolations > 0) {
        throw new RestoreError(
          "bad_backup",
          `${backupPath}: the copy does not check out (integrity: ${copied.integrity}, foreign key violations: ${copied.foreignKeyViolations})`,
        );
      }
    } finally {
      source.close();
    }

    // 2 and 3. Nobody else may have the live file open; it goes aside whole.
    const stamp = (options.at ?? new Date().toISOString()).replace(/[:.]/g, "-");
    let replacedBy: string | undefined;
    const setAside: string[] = [];
    if (existsSync(database)) {
      consolidate(databasePath, database, options.force ?? false);
      replacedBy = `${database}.replaced-${stamp}`;
      renameSync(database, replacedBy);
      for (const suffix of SIDE_FILES) {
        if (!existsSync(`${database}${suffix}`)) continue;
        renameSync(`${database}${suffix}`, `${replacedBy}${suffix}`);
        setAside.push(`${replacedBy}${suffix}`);
      }
    }

    // 4. In place, migrated and checked.
    renameSync(copy, database);
    const opened = openDatabase(database);
    try {
      const result = { database, backup, replacedBy, setAside, ...checkDatabase(opened.sqlite) };
      options.onRestored?.(opened.sqlite, result);
      return result;
    } finally {
      opened.close();
    }
  } finally {
    rmSync(copy, { force: true });
  }
}

/** The backup, read-only; refused unless it is a Chorus database this code can run. */
function openBackup(shown: string, path: string): Database.Database {
  let source: Database.Database | undefined;
  try {
    source = new Database(path, { readonly: true, fileMustExist: true });
    const tables = new Set(
      source
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => row.name),
    );
    if (!tables.has("__drizzle_migrations") || !tables.has("participants")) {
      throw new RestoreError("bad_backup", `${shown}: not a Chorus database (no migrations or participants table)`);
    }
    try {
      pendingMigrations(source);
    } catch (error) {
      throw new RestoreError("bad_backup", `${shown}: ${firstLine(error)}`);
    }
    const integrity = source.pragma("integrity_check", { simple: true }) as string;
    if (integrity !== "ok") throw new RestoreError("bad_backup", `${shown}: integrity check failed: ${integrity}`);
    return source;
  } catch (error) {
    source?.close();
    if (error instanceof RestoreError) throw error;
    throw new RestoreError("bad_backup", `${shown}: cannot read it as a database: ${firstLine(error)}`);
  }
}

/**
 * Takes the live file out of WAL mode, which needs every other connection
 * gone: it fails at once (no busy wait) while a bot or a command has it open.
 * Its committed WAL frames are written into it on the way, so the file set
 * aside is whole.
 */
function consolidate(shown: string, path: string, force: boolean): void {
  let live: Database.Database | undefined;
  try {
    live = new Database(path, { fileMustExist: true, timeout: 0 });
    const mode = live.pragma("journal_mode = DELETE", { simple: true }) as string;
    if (mode !== "delete") throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      throw new RestoreError(
        "in_use",
        `${shown} is open in another process (a bot, npm start, a chorus command): stop it, then restore`,
      );
    }
    if (!force) {
      throw new RestoreError(
        "unreadable_database",
        `${shown} cannot be opened as a database (${firstLine(error)}); if no process uses it, pass --force (it is moved aside, not deleted)`,
      );
    }
  } finally {
    live?.close();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
