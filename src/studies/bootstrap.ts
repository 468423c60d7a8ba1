import type { OpenedDatabase } from "../store/client.js";
import { hasAnyStudy, importStudy, publishStudy } from "../store/study-repository.js";
import { loadStudyFile } from "./load.js";

/**
 * First start on an empty database: import and publish the bundled sample
 * study, so a newcomer can take the survey at once. Does nothing once any
 * study exists (so it runs once, and never touches a real deployment's data).
 * The check, the import and the publish are one transaction: two processes
 * starting together on a fresh file import it once, and a crash never leaves
 * an unpublished copy that would keep the next start from publishing it.
 */
export function ensureSampleStudy(database: OpenedDatabase, file: string): { imported: boolean; studyId?: string } {
  if (hasAnyStudy(database.db)) return { imported: false };
  const loaded = loadStudyFile(file);
  return database.sqlite
    .transaction(() => {
      if (hasAnyStudy(database.db)) return { imported: false };
      if (!loaded.ok) throw new Error(`the bundled sample study is invalid:\n${loaded.problems.join("\n")}`);
      const result = importStudy(database.db, loaded.study);
      publishStudy(database.db, result.id);
      return { imported: true, studyId: result.id };
    })
    .immediate();
}
