import type { SqliteConnection } from "./client.js";
import { SOURCE_STUDY_FILE } from "./study-import.js";

/**
 * Reference rankings: each scenario's responses ranked by an outside source
 * (the study file's own, or `chorus reference import`), kept per source.
 */

interface StoredReference {
  studyId: string;
  scenarioId: string;
  /** Canonical ranking text. */
  ranking: string;
  source: string;
  version: string | null;
}

export function studyIds(sqlite: SqliteConnection): string[] {
  return sqlite.prepare<[], string>("SELECT id FROM studies").pluck().all();
}

/** Whether the study has that scenario. */
export function scenarioLookup(sqlite: SqliteConnection): (studyId: string, scenarioId: string) => boolean {
  const exists = sqlite
    .prepare<[string, string], number>("SELECT 1 FROM scenarios WHERE study_id = ? AND id = ?")
    .pluck();
  return (studyId, scenarioId) => exists.get(studyId, scenarioId) !== undefined;
}

/** Writes the rankings in one transaction, replacing any stored for the same study, scenario and source. */
export function upsertReferenceRankings(
  sqlite: SqliteConnection,
  rankings: readonly StoredReference[],
  at: string,
): { replaced: number } {
  const exists = sqlite
    .prepare<[string, string, string], number>(
      "SELECT 1 FROM reference_rankings WHERE study_id = ? AND scenario_id = ? AND source = ?",
    )
    .pluck();
  const upsert = sqlite.prepare(
    `INSERT INTO reference_rankings (study_id, scenario_id, source, source_version, ranking, imported_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (study_id, scenario_id, source) DO UPDATE SET
       source_version = excluded.source_version, ranking = excluded.ranking, imported_at = excluded.imported_at`,
  );
  return sqlite
    .transaction(() => {
      let replaced = 0;
      for (const r of rankings) {
        if (exists.get(r.studyId, r.scenarioId, r.source) !== undefined) replaced++;
        upsert.run(r.studyId, r.scenarioId, r.source, r.version, r.ranking, at);
      }
      return { replaced };
    })
    .immediate();
}

/** The sources with rankings for a study, the study file's first, then the most recently imported. */
export function referenceSources(
  sqlite: SqliteConnection,
  studyId: string,
): { source: string; version: string | null }[] {
  return sqlite
    .prepare<[string, string], { source: string; version: string | null }>(
      `SELECT source, max(source_version) AS version FROM reference_rankings
       WHERE study_id = ? GROUP BY source ORDER BY (source = ?) DESC, max(imported_at) DESC`,
    )
    .all(studyId, SOURCE_STUDY_FILE);
}

/** One source's ranking of each scenario of the study. */
export function referenceRankingsOf(sqlite: SqliteConnection, studyId: string, source: string): Map<string, string> {
  const rows = sqlite
    .prepare<[string, string], [string, string]>(
      "SELECT scenario_id, ranking FROM reference_rankings WHERE study_id = ? AND source = ?",
    )
    .raw(true)
    .all(studyId, source);
  return new Map(rows);
}

/** Reference rankings as `chorus reference list` shows them: one row per study and source. */
interface ReferenceSourceRow {
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
