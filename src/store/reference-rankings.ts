import type { SqliteConnection } from "./client.js";

/** Reference rankings as `chorus reference list` shows them: one row per study and source. */
export interface ReferenceSourceRow {
  study_id: string;
  source: string;
  /** The newest version imported, or "" when none was given. */
  version: string;
  scenarios: number;
  imported: string;
}

export function listReferenceSources(sqlite: SqliteConnection, studyId?: string): ReferenceSourceRow[] {
  return sqlite
    .prepare<unknown[], ReferenceSourceRow>(
      `SELECT study_id, source, coalesce(max(source_version), '') AS version, count(*) AS scenarios, max(imported_at) AS imported
       FROM reference_rankings ${studyId ? "WHERE study_id = ?" : ""}
       GROUP BY study_id, source ORDER BY study_id, source`,
    )
    .all(...(studyId ? [studyId] : []));
}
