import { userInfo } from "node:os";
import type Database from "better-sqlite3";
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

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  origin: AuditOrigin;
  action: string;
  details: Record<string, unknown> | null;
}

export function recordAudit(
  sqlite: Database.Database,
  actor: Actor,
  action: string,
  details: Record<string, unknown> = {},
  at = new Date().toISOString(),
): void {
  sqlite
    .prepare("INSERT INTO audit_log (at, actor, origin, action, details) VALUES (?, ?, ?, ?, ?)")
    .run(at, actor.id, actor.origin, action, JSON.stringify(details));
}

export interface AuditQuery {
  /** Most recent first, at most this many (default 100). */
  limit?: number;
  /** Only entries at or after this ISO time. */
  since?: string;
  /** Only this action, or actions starting with it followed by a dot (`broadcast` matches `broadcast.send`). */
  action?: string;
  actor?: string;
}

export function listAudit(sqlite: Database.Database, query: AuditQuery = {}): AuditEntry[] {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.since) {
    clauses.push("at >= ?");
    params.push(query.since);
  }
  if (query.action) {
    clauses.push("(action = ? OR action LIKE ? ESCAPE '\\')");
    params.push(query.action, `${query.action.replace(/[\\%_]/g, "\\$&")}.%`);
  }
  if (query.actor) {
    clauses.push("actor = ?");
    params.push(query.actor);
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
  const rows = sqlite
    .prepare<unknown[], Omit<AuditEntry, "details"> & { details: string | null }>(
      `SELECT id, at, actor, origin, action, details FROM audit_log ${where} ORDER BY id DESC LIMIT ?`,
    )
    .all(...params, query.limit ?? 100);
  return rows.map((row) => ({
    ...row,
    details: row.details ? (JSON.parse(row.details) as AuditEntry["details"]) : null,
  }));
}
