import type { ChorusDb } from "../store/client.js";
import { importStudy, listStudies, publishStudy } from "../store/study-repository.js";
import { loadStudyFile } from "./load.js";

/**
 * First start on an empty database: import and publish the bundled sample
 * study, so a newcomer can take the survey at once. Does nothing once any
 * study exists (so it runs once, and never touches a real deployment's data).
 */
export function ensureSampleStudy(db: ChorusDb, file: string): { imported: boolean; studyId?: string } {
  if (listStudies(db).length > 0) return { imported: false };
  const loaded = loadStudyFile(file);
  if (!loaded.ok) throw new Error(`the bundled sample study is invalid:\n${loaded.problems.join("\n")}`);
  const result = importStudy(db, loaded.study);
  publishStudy(db, result.id);
  return { imported: true, studyId: result.id };
}
