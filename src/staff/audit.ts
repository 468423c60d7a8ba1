import { userInfo } from "node:os";
import { type AuditQuery, type AuditRow, insertAuditEntry, selectAuditEntries } from "../store/audit.js";
import type { SqliteConnection } from "../store/client.js";
import type { AuditOrigin } from "../store/schema.js";

/**
 * The audit log: every staff action (who, what, when, from which platform or
 * the CLI). Written in the same transaction as the action where there is one,
 * so an action and its record stand or fall together.
 *
 * Attempts by people who are not staff are NOT recorded: they may be
 * participants, and their platform ids must not outlive a withdrawal in a
 * table that participant deletion does not reach.
 */
export interface Actor {
  /** `telegram:123`, `slack:U123` or `cli:<os user>`. */
  id: string;
  origin: AuditOrigin;
}

export function cliActor(): Actor {
  let name = "unknown";
  try {
    name = userInfo().username || name;
  } catch {
    // No passwd entry (some containers): the CLI still works, recorded as cli:unknown.
  }
  return { id: `cli:${name}`, origin: "cli" };
}

export function staffActor(platform: "telegram" | "slack", userId: string): Actor {
  return { id: `${platform}:${userId}`, origin: platform };
}

interface AuditEntry extends Omit<AuditRow, "details"> {
  details: Record<string, unknown> | null;
}

export function recordAudit(
  sqlite: SqliteConnection,
  actor: Actor,
  action: string,
  details: Record<string, unknown> = {},
  at = new Date().toISOString(),
): void {
  insertAuditEntry(sqlite, { at, actor: actor.id, origin: actor.origin, action, details: JSON.stringify(details) });
}

export function listAudit(sqlite: SqliteConnection, query: AuditQuery = {}): AuditEntry[] {
  return selectAuditEntries(sqlite, query).map((row) => ({
    ...row,
    details: row.details ? (JSON.parse(row.details) as AuditEntry["details"]) : null,
  }));
}
