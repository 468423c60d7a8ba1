import type { SqliteConnection } from "./client.js";
import type { StudyStatus } from "./schema.js";

/** A study's status, for callers holding the raw connection. */

/** The study's status; undefined when there is no such study. */
export function studyStatus(sqlite: SqliteConnection, studyId: string): StudyStatus | undefined {
  return sqlite.prepare<[string], { status: StudyStatus }>("SELECT status FROM studies WHERE id = ?").get(studyId)
    ?.status;
}
