import type { SqliteConnection } from "./client.js";
import type { AuditOrigin } from "./schema.js";

/** The audit log as stored (src/staff/audit.ts says who records what). */

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  origin: AuditOrigin;
  action: string;
  /** JSON, or null. */
  details: string | null;
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

export function insertAuditEntry(sqlite: SqliteConnection, entry: Omit<AuditRow, "id">): void {
  sqlite
    .prepare("INSERT INTO audit_log (at, actor, origin, action, details) VALUES (?, ?, ?, ?, ?)")
    .run(entry.at, entry.actor, entry.origin, entry.action, entry.details);
}

export function selectAuditEntries(sqlite: SqliteConnection, query: AuditQuery = {}): AuditRow[] {
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
  return sqlite
    .prepare<unknown[], AuditRow>(
      `SELECT id, at, actor, origin, action, details FROM audit_log ${where} ORDER BY id DESC LIMIT ?`,
    )
    .all(...params, query.limit ?? 100);
}
