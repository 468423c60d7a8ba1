import { accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { type MigrationMeta, readMigrationFiles } from "drizzle-orm/migrator";
import { ChorusError } from "../core/errors.js";
import { ensureFolder } from "../files.js";
import { fillAnswerMeasures } from "./answer-measures.js";
import * as schema from "./schema.js";

/**
 * The raw better-sqlite3 connection, as the rest of Chorus names it: code
 * outside src/store holds it to pass to store functions and to set
 * transaction boundaries, never to write SQL.
 */
export type SqliteConnection = Database.Database;

/** Drizzle over the shared connection; `$client` is that better-sqlite3 connection. */
export type ChorusDb = BetterSQLite3Database<typeof schema> & { $client: SqliteConnection };

export interface OpenedDatabase {
  /** The raw connection, for prepared statements on hot paths and pragmas. */
  sqlite: SqliteConnection;
  /** Drizzle over the same connection, with the schema for typed queries. */
  db: ChorusDb;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** Defaults to db/migrations in the package (resolved from this file, not the working directory). */
  migrationsFolder?: string;
  /** Milliseconds a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  /**
   * Open for reading only (exports, lists, status): the file must exist and
   * nothing is ever written through this connection. Pending migrations are
   * applied first through a short-lived writing connection.
   */
  readonly?: boolean;
}

/**
 * The database could not be opened, created or migrated. `message` is one
 * line meant for the operator; the entry point prints it and exits 1.
 */
export class DatabaseOpenError extends ChorusError {
  readonly code = "DATABASE_OPEN_FAILED";
  override readonly name = "DatabaseOpenError";
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot open database ${path}: ${reason}`, options);
  }
}

export const DEFAULT_MIGRATIONS_FOLDER = fileURLToPath(new URL("../../db/migrations", import.meta.url));

/** drizzle's own bookkeeping table, so drizzle-kit tooling sees the same history. */
const MIGRATIONS_TABLE = "__drizzle_migrations";

/**
 * Opens (creating if needed) the shared SQLite file, sets the pragmas every
 * process must agree on, and applies pending migrations from db/migrations.
 *
 * - WAL: readers never block the writer; several processes share one file.
 * - busy_timeout: a writer waits for another process's write instead of failing.
 * - foreign_keys: ON DELETE CASCADE is what makes withdrawal erase everything.
 * - synchronous=NORMAL: durable at checkpoints, safe with WAL, much faster.
 * - cache_size: a larger page cache for the participant tables.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const inMemory = path === ":memory:";
  const shownPath = inMemory ? path : resolve(path);
  const migrations = () =>
    readMigrationFiles({ migrationsFolder: options.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER });
  let sqlite: Database.Database | undefined;
  try {
    if (options.readonly && !inMemory) {
      sqlite = openReadOnly(shownPath, options, migrations);
    } else {
      if (!inMemory) ensureFolder(dirname(shownPath));
      sqlite = new Database(shownPath, { timeout: options.busyTimeoutMs ?? 5000 });
      if (!inMemory) ensureWritable(shownPath);
      sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("synchronous = NORMAL");
      // 32 MiB page cache per connection (default 2 MiB): the working set of a large study stays in memory.
      sqlite.pragma("cache_size = -32000");
      applyMigrations(sqlite, migrations());
      sqlite.pragma("foreign_keys = ON");
      // What a migration left to fill in slices (nothing, after the first start that follows it).
      fillAnswerMeasures(sqlite);
    }
  } catch (error) {
    sqlite?.close();
    throw new DatabaseOpenError(shownPath, describe(error), { cause: error });
  }
  const connection = sqlite;
  return {
    sqlite: connection,
    db: drizzle({ client: connection, schema }),
    close: () => {
      if (connection.open) connection.close();
    },
  };
}

/**
 * A reading connection. If this code knows migrations the file has not had
 * yet, a writing connection applies them first (so a researcher's export
 * right after an upgrade still works); a file too new for this code, or one
 * that cannot be migrated, is refused with the reason.
 */
function openReadOnly(
  path: string,
  options: OpenDatabaseOptions,
  migrations: () => MigrationMeta[],
): Database.Database {
  if (!existsSync(path)) throw new Error("no database file there (check DATABASE_PATH)");
  const known = migrations();
  const open = () =>
    new Database(path, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
  let sqlite = open();
  const pending = pendingMigrations(sqlite, known);
  if (pending > 0) {
    sqlite.close();
    try {
      openDatabase(path, { ...options, readonly: false }).close();
    } catch (error) {
      const reason = error instanceof DatabaseOpenError ? error.reason : String(error);
      throw new Error(`it needs ${pending} migration(s) that could not be applied: ${reason}`);
    }
    sqlite = open();
  }
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  sqlite.pragma("cache_size = -32000");
  return sqlite;
}

/**
 * SQLite opens a file it may not write read-only without a word, and every
 * participant's input would then fail. Say so at start instead. (WAL needs
 * the folder too, to create the -wal and -shm files beside the database.)
 */
function ensureWritable(path: string): void {
  const problem = (target: string, what: string) => {
    try {
      accessSync(target, constants.W_OK);
      return undefined;
    } catch (error) {
      return `${what} is read-only for this user (${(error as NodeJS.ErrnoException).code ?? "EACCES"}); Chorus must write to it`;
    }
  };
  const reason =
    problem(path, "the file") ?? (existsSync(`${path}-wal`) ? undefined : problem(dirname(path), "its folder"));
  if (reason) throw new Error(reason);
}

/**
 * Applies drizzle-kit migrations in one BEGIN IMMEDIATE transaction, reading
 * the applied history inside the lock (and, when the history read without a
 * lock shows nothing pending, not taking the lock at all). drizzle's stock migrator reads the
 * history before taking the lock, so two processes starting together on a
 * fresh file both try to create the tables and one crashes. Foreign keys are
 * off meanwhile (SQLite ignores that pragma inside a transaction), so a
 * migration that rebuilds a table cannot cascade-delete child rows; the
 * result is checked with foreign_key_check before committing.
 */
function applyMigrations(sqlite: Database.Database, migrations: MigrationMeta[]): void {
  // The usual case, every start of every process and CLI command: nothing to apply, so no write lock either.
  if (pendingMigrations(sqlite, migrations) === 0) return;
  sqlite.pragma("foreign_keys = OFF");
  sqlite.exec(
    `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
  );
  const record = sqlite.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" (hash, created_at) VALUES (?, ?)`);
  const run = sqlite.transaction(() => {
    // Read again under the lock: another process starting at the same time may have applied them.
    const last = lastAppliedMigration(sqlite);
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= last) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== "") sqlite.exec(statement);
      }
      record.run(migration.hash, migration.folderMillis);
      applied++;
    }
    // Checks every row of the database: only worth it (2.7 s at a million assessments) after a migration ran.
    if (applied === 0) return;
    const violations = sqlite.pragma("foreign_key_check") as unknown[];
    if (violations.length > 0) throw new Error(`a migration left ${violations.length} foreign key violation(s)`);
  });
  run.immediate();
}

/** The newest applied migration's timestamp (0 on a fresh file), read without taking any lock beyond a read. */
function lastAppliedMigration(sqlite: Database.Database): number {
  const table = sqlite
    .prepare<[string], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(MIGRATIONS_TABLE);
  if (!table) return 0;
  const row = sqlite
    .prepare<[], { created_at: number }>(
      `SELECT created_at FROM "${MIGRATIONS_TABLE}" ORDER BY created_at DESC LIMIT 1`,
    )
    .get();
  return Number(row?.created_at ?? 0);
}

/** How many of `migrations` (default: this code's) the file has not had; refuses a file migrated by newer code. */
export function pendingMigrations(
  sqlite: Database.Database,
  migrations: MigrationMeta[] = readMigrationFiles({ migrationsFolder: DEFAULT_MIGRATIONS_FOLDER }),
): number {
  const last = lastAppliedMigration(sqlite);
  const newest = migrations.at(-1)?.folderMillis ?? 0;
  if (last > newest) throw new Error("it was migrated by a newer version of Chorus; upgrade this installation");
  return migrations.filter((migration) => migration.folderMillis > last).length;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const firstLine = error.message.split("\n")[0] ?? "";
    return code && !firstLine.includes(code) ? `${firstLine} (${code})` : firstLine;
  }
  return String(error);
}
