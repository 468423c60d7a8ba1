import type { SqliteConnection } from "./client.js";
import type { StudyStatus } from "./schema.js";

/** Which study is open to newcomers, and a study's status, for callers holding the raw connection. */

/** The study newcomers join, as the engine picks it: the most recently published one. */
export function newcomersStudyId(sqlite: SqliteConnection): string | undefined {
  return sqlite
    .prepare<[], { id: string }>(
      "SELECT id FROM studies WHERE status = 'published' ORDER BY published_at DESC, id LIMIT 1",
    )
    .get()?.id;
}

/** The study's status; undefined when there is no such study. */
export function studyStatus(sqlite: SqliteConnection, studyId: string): StudyStatus | undefined {
  return sqlite.prepare<[string], { status: StudyStatus }>("SELECT status FROM studies WHERE id = ?").get(studyId)
    ?.status;
}
