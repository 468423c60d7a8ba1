import type { SqliteConnection } from "./client.js";

/** A study's scenarios as `chorus scenario list` shows them (appending them is scenario-append.ts). */
interface ScenarioListing {
  id: string;
  /** Zero-based, in study order. */
  position: number;
  tags: string[];
  assessments: number;
  reference: string | null;
}

export function listScenarios(sqlite: SqliteConnection, studyId: string): ScenarioListing[] {
  return sqlite
    .prepare<[string], Omit<ScenarioListing, "tags"> & { tags: string }>(
      `SELECT id, position, tags, assessment_count AS assessments, reference_ranking AS reference
       FROM scenarios WHERE study_id = ? ORDER BY position, id`,
    )
    .all(studyId)
    .map((row) => ({ ...row, tags: JSON.parse(row.tags) as string[] }));
}
