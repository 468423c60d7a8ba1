import { count, eq, isNotNull, sql } from "drizzle-orm";
import type { Study } from "../core/study/schema.js";
import type { ChorusDb } from "./client.js";
import { assessments, participants, type StudyStatus, scenarios, studies } from "./schema.js";
import { loadStudy, StudyStoreError } from "./stored-study.js";

/**
 * Studies in the store: list, publish, close (plain drizzle queries), and
 * import (study-import.ts: in short transactions, so the bots never wait long).
 */

export {
  type ImportResult,
  importStudy,
  StudyStoreError,
} from "./study-import.js";

export interface StudySummary {
  id: string;
  version: number;
  status: StudyStatus;
  title: Study["title"];
  scenarios: number;
  participants: number;
  admitted: number;
  assessments: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  closedAt: string | null;
}

export function listStudies(db: ChorusDb): StudySummary[] {
  const rows = db
    .select({
      id: studies.id,
      version: studies.version,
      status: studies.status,
      title: studies.title,
      createdAt: studies.createdAt,
      updatedAt: studies.updatedAt,
      publishedAt: studies.publishedAt,
      closedAt: studies.closedAt,
    })
    .from(studies)
    .orderBy(studies.createdAt, studies.id)
    .all();
  const counts = (table: typeof scenarios | typeof participants | typeof assessments, where = sql`1`) =>
    new Map(
      db
        .select({ id: table.studyId, n: count() })
        .from(table)
        .where(where)
        .groupBy(table.studyId)
        .all()
        .map((r) => [r.id, r.n]),
    );
  const scenarioCounts = counts(scenarios);
  const participantCounts = counts(participants);
  const admittedCounts = counts(participants, isNotNull(participants.admittedAt));
  const assessmentCounts = counts(assessments);
  return rows.map((row) => ({
    ...row,
    scenarios: scenarioCounts.get(row.id) ?? 0,
    participants: participantCounts.get(row.id) ?? 0,
    admitted: admittedCounts.get(row.id) ?? 0,
    assessments: assessmentCounts.get(row.id) ?? 0,
  }));
}

/** Whether the database holds any study at all (first start). */
export function hasAnyStudy(db: ChorusDb): boolean {
  return db.select({ id: studies.id }).from(studies).limit(1).get() !== undefined;
}

export function getStudy(db: ChorusDb, id: string): (StudySummary & { definition: Study }) | undefined {
  const listed = listStudies(db).find((s) => s.id === id);
  const definition = listed && loadStudy(db.$client, id);
  return listed && definition ? { ...listed, definition } : undefined;
}

/** Opens a study to newcomers (the engine joins them to the most recently published one). */
export function publishStudy(db: ChorusDb, id: string, at = new Date().toISOString()): StudySummary {
  return setStatus(db, id, { status: "published", publishedAt: at, closedAt: null });
}

/** Stops new participants joining; those already in it can finish. */
export function closeStudy(db: ChorusDb, id: string, at = new Date().toISOString()): StudySummary {
  return setStatus(db, id, { status: "closed", closedAt: at });
}

function setStatus(
  db: ChorusDb,
  id: string,
  values: { status: StudyStatus; publishedAt?: string; closedAt?: string | null },
): StudySummary {
  const changed = db.update(studies).set(values).where(eq(studies.id, id)).run();
  const study = changed.changes === 1 ? listStudies(db).find((s) => s.id === id) : undefined;
  if (!study) throw new StudyStoreError("not_found", `No study with id "${id}" (see: chorus study list)`);
  return study;
}
