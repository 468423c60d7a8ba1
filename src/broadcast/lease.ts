import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type Database from "better-sqlite3";
import type { Platform } from "../core/ports.js";

/**
 * One sender per platform at a time, across every process sharing the
 * database (see `broadcast_leases` in the schema). A holder renews its lease
 * while it works; a lease whose holder crashed expires after `ttlMs`, or is
 * taken over at once when the holder was a process on this host that no
 * longer exists (so `broadcast resume` right after a `kill -9` need not wait).
 */
export interface Lease {
  readonly owner: string;
  /** Takes the platform's lease if free, expired, dead or already ours; false if another live holder has it. */
  acquire(platform: Platform): boolean;
  /** Extends a lease we hold; false if we lost it (someone took it over after it expired). */
  renew(platform: Platform): boolean;
  release(platform: Platform): void;
  /** The current holder, if any and not expired. */
  holder(platform: Platform): string | undefined;
}

export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** Whether `owner` names a process on this host that is gone. */
export function isDeadLocalOwner(owner: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== hostname() || !pid) return false;
  const id = Number(pid);
  if (!Number.isSafeInteger(id) || id <= 0) return false;
  if (id === process.pid) return false;
  try {
    process.kill(id, 0);
    return false;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function createLease(
  sqlite: Database.Database,
  options: { owner?: string; ttlMs?: number; now?: () => number } = {},
): Lease {
  const owner = options.owner ?? newLeaseOwner();
  const ttlMs = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const read = sqlite.prepare<[string], { owner: string; expires_at: number }>(
    "SELECT owner, expires_at FROM broadcast_leases WHERE platform = ?",
  );
  const upsert = sqlite.prepare<[string, string, number]>(
    `INSERT INTO broadcast_leases (platform, owner, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (platform) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
  );
  const extend = sqlite.prepare<[number, string, string]>(
    "UPDATE broadcast_leases SET expires_at = ? WHERE platform = ? AND owner = ?",
  );
  const drop = sqlite.prepare<[string, string]>("DELETE FROM broadcast_leases WHERE platform = ? AND owner = ?");

  const acquire = sqlite.transaction((platform: Platform): boolean => {
    const current = read.get(platform);
    const free = !current || current.owner === owner || current.expires_at <= now() || isDeadLocalOwner(current.owner);
    if (free) upsert.run(platform, owner, now() + ttlMs);
    return free;
  });

  return {
    owner,
    acquire: (platform) => acquire.immediate(platform),
    renew: (platform) => extend.run(now() + ttlMs, platform, owner).changes === 1,
    release: (platform) => {
      drop.run(platform, owner);
    },
    holder(platform) {
      const current = read.get(platform);
      return current && current.expires_at > now() ? current.owner : undefined;
    },
  };
}
