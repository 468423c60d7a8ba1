import type { ParticipantStatus } from "../core/flow/effects.js";
import type { SqliteConnection } from "./client.js";

/** The counts behind `chorus stats` and the in-chat stats (src/staff/stats.ts assembles them). */

export function participantsByStatusAndPlatform(
  sqlite: SqliteConnection,
  studyId: string,
): { status: ParticipantStatus; platform: string; n: number }[] {
  return sqlite
    .prepare<[string], { status: ParticipantStatus; platform: string; n: number }>(
      "SELECT status, platform, count(*) AS n FROM participants WHERE study_id = ? GROUP BY status, platform",
    )
    .all(studyId);
}

/** Participants who passed the quota check. */
export function admittedCount(sqlite: SqliteConnection, studyId: string): number {
  return (
    sqlite
      .prepare<[string], { n: number }>(
        "SELECT count(*) AS n FROM participants WHERE study_id = ? AND admitted_at IS NOT NULL",
      )
      .get(studyId)?.n ?? 0
  );
}

/** Each scenario in study order: assessments stored, assignments made, and those not completed. */
export function scenarioCounts(
  sqlite: SqliteConnection,
  studyId: string,
): { id: string; assessments: number; assigned: number; inProgress: number }[] {
  return sqlite
    .prepare<[string], { id: string; assessments: number; assigned: number; inProgress: number }>(
      `SELECT s.id, s.assessment_count AS assessments,
         (SELECT count(*) FROM assignments a WHERE a.study_id = s.study_id AND a.scenario_id = s.id) AS assigned,
         (SELECT count(*) FROM assignments a WHERE a.study_id = s.study_id AND a.scenario_id = s.id
            AND a.completed_at IS NULL) AS inProgress
       FROM scenarios s WHERE s.study_id = ? ORDER BY s.position, s.id`,
    )
    .all(studyId);
}

/**
 * Admitted participants counted by their answers to the `questionIds`: one
 * row per combination present, `values[i]` the answer to `questionIds[i]`
 * or `unanswered` where they gave none.
 */
export function admittedByAnswers(
  sqlite: SqliteConnection,
  studyId: string,
  questionIds: readonly string[],
  unanswered: string,
): { values: string[]; n: number }[] {
  const columns = questionIds
    .map(
      (_, i) =>
        `COALESCE((SELECT value FROM profile_answers a WHERE a.participant_id = p.id AND a.question_id = ?), ?) AS d${i}`,
    )
    .join(", ");
  const groupBy = questionIds.map((_, i) => `d${i}`).join(", ");
  return sqlite
    .prepare<unknown[], Record<string, string | number>>(
      `SELECT ${columns}, count(*) AS n FROM participants p
       WHERE p.study_id = ? AND p.admitted_at IS NOT NULL GROUP BY ${groupBy}`,
    )
    .all(...questionIds.flatMap((id) => [id, unanswered]), studyId)
    .map((row) => ({ values: questionIds.map((_, i) => String(row[`d${i}`])), n: Number(row.n) }));
}
