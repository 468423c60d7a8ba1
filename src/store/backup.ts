import Database from "better-sqlite3";

interface BackupResult {
  file: string;
  pages: number;
  /** Times the copy started over because another connection wrote mid-copy (then finished in one step). */
  restarts: number;
  /** `ok`, or the first problem PRAGMA integrity_check found in the copy. */
  integrity: string;
  foreignKeyViolations: number;
  /** Rows per table in the copy. */
  rows: Record<string, number>;
}

/** Pages per backup step while nobody else writes: small enough for a live progress bar. */
const STEP_PAGES = 1024;
/** A step size meaning "everything at once". */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the live database with SQLite's online backup API (better-sqlite3's
 * `.backup()`), safe while other processes (the bots) keep writing: every
 * step copies pages under a read lock, and in WAL mode readers never block
 * writers. If another connection writes between steps SQLite restarts the
 * copy; after the first restart the rest is copied in a single step, so a
 * busy database cannot keep the backup from finishing. The copy is then
 * opened read-only and checked (integrity, foreign keys, row counts).
 */
export async function backupDatabase(
  sqlite: Database.Database,
  file: string,
  onProgress?: (donePages: number, totalPages: number) => void,
): Promise<BackupResult> {
  let restarts = 0;
  let previousRemaining = Number.POSITIVE_INFINITY;
  let totalPages = 0;
  await sqlite.backup(file, {
    progress({ totalPages: total, remainingPages }) {
      totalPages = total;
      if (remainingPages > previousRemaining) restarts++;
      previousRemaining = remainingPages;
      onProgress?.(total - remainingPages, total);
      return restarts > 0 ? ALL_PAGES : STEP_PAGES;
    },
  });
  onProgress?.(totalPages, totalPages);
  // The copy carries the source's WAL flag; make it one self-contained file to move around.
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
  return { file, restarts, ...checkCopy(file) };
}

function checkCopy(file: string): Omit<BackupResult, "file" | "restarts"> {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const pages = copy.pragma("page_count", { simple: true }) as number;
    return { pages, ...checkDatabase(copy) };
  } finally {
    copy.close();
  }
}

/** What a backup or a restore is checked for: integrity, foreign keys, and the rows per table to report. */
export function checkDatabase(
  sqlite: Database.Database,
): Pick<BackupResult, "integrity" | "foreignKeyViolations" | "rows"> {
  const integrity = sqlite.pragma("integrity_check", { simple: true }) as string;
  const foreignKeyViolations = (sqlite.pragma("foreign_key_check") as unknown[]).length;
  const tables = sqlite
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  const rows = Object.fromEntries(
    tables.map(({ name }) => [
      name,
      (sqlite.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n,
    ]),
  );
  return { integrity, foreignKeyViolations, rows };
}
