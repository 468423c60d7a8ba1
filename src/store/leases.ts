import type { SqliteConnection } from "./client.js";

/** A platform's broadcast lease as stored in `broadcast_leases`. */
interface LeaseRow {
  owner: string;
  /** Epoch milliseconds. */
  expires_at: number;
}

/** The lease table's statements, prepared once per lease (renewed every few seconds while sending). */
interface LeaseStore {
  read(platform: string): LeaseRow | undefined;
  /** Writes `owner` as the holder, whoever held it before. */
  take(platform: string, owner: string, expiresAt: number): void;
  /** Moves the expiry of a lease `owner` holds; false if it does not hold it. */
  extend(platform: string, owner: string, expiresAt: number): boolean;
  drop(platform: string, owner: string): void;
}

export function createLeaseStore(sqlite: SqliteConnection): LeaseStore {
  const read = sqlite.prepare<[string], LeaseRow>("SELECT owner, expires_at FROM broadcast_leases WHERE platform = ?");
  const take = sqlite.prepare<[string, string, number]>(
    `INSERT INTO broadcast_leases (platform, owner, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (platform) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
  );
  const extend = sqlite.prepare<[number, string, string]>(
    "UPDATE broadcast_leases SET expires_at = ? WHERE platform = ? AND owner = ?",
  );
  const drop = sqlite.prepare<[string, string]>("DELETE FROM broadcast_leases WHERE platform = ? AND owner = ?");
  return {
    read: (platform) => read.get(platform),
    take: (platform, owner, expiresAt) => {
      take.run(platform, owner, expiresAt);
    },
    extend: (platform, owner, expiresAt) => extend.run(expiresAt, platform, owner).changes === 1,
    drop: (platform, owner) => {
      drop.run(platform, owner);
    },
  };
}
