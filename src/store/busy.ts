import Database from "better-sqlite3";
import { StoreBusyError } from "../core/errors.js";

/** Attempts after the first when another writer still holds the lock (each waits up to busy_timeout). */
const DEFAULT_BUSY_RETRIES = 2;

export interface BusyRetryOptions {
  /** Attempts after the first; default DEFAULT_BUSY_RETRIES. */
  retries?: number;
  /** Called before each retry with the attempt that failed (1-based); tests release a lock here. */
  onBusy?: (attempt: number) => void;
}

/** SQLITE_BUSY and its extended codes (…_RECOVERY, …_SNAPSHOT, …_TIMEOUT): another connection holds the lock. */
export function isBusyError(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith("SQLITE_BUSY");
}

/**
 * Runs a write transaction, again when SQLite answers busy (another process
 * held the lock longer than busy_timeout, e.g. a long import or an
 * operator's sqlite3 shell). A failed attempt rolled back whole, so a retry
 * cannot apply anything twice. After the last attempt a StoreBusyError says
 * the input was not saved.
 */
export function retryWhileBusy<T>(write: () => T, options: BusyRetryOptions = {}): T {
  const retries = options.retries ?? DEFAULT_BUSY_RETRIES;
  for (let attempt = 1; ; attempt++) {
    try {
      return write();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      if (attempt > retries) throw new StoreBusyError(attempt);
      options.onBusy?.(attempt);
    }
  }
}
