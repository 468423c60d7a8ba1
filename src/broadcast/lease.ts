import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Platform } from "../core/ports.js";
import type { SqliteConnection } from "../store/client.js";
import { createLeaseStore } from "../store/leases.js";

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

function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** Whether `owner` names a process on this host that is gone. */
function isDeadLocalOwner(owner: string): boolean {
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
  sqlite: SqliteConnection,
  options: { owner?: string; ttlMs?: number; now?: () => number } = {},
): Lease {
  const owner = options.owner ?? newLeaseOwner();
  const ttlMs = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const leases = createLeaseStore(sqlite);

  const acquire = sqlite.transaction((platform: Platform): boolean => {
    const current = leases.read(platform);
    const free = !current || current.owner === owner || current.expires_at <= now() || isDeadLocalOwner(current.owner);
    if (free) leases.take(platform, owner, now() + ttlMs);
    return free;
  });

  return {
    owner,
    acquire: (platform) => acquire.immediate(platform),
    renew: (platform) => leases.extend(platform, owner, now() + ttlMs),
    release: (platform) => leases.drop(platform, owner),
    holder(platform) {
      const current = leases.read(platform);
      return current && current.expires_at > now() ? current.owner : undefined;
    },
  };
}
