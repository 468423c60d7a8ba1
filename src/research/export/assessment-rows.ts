import type Database from "better-sqlite3";
import { type Scope, scopeWhere, sqlText } from "./scope.js";

/**
 * The one join every export reads: an assessment with its assignment
 * (position, shown order, form), participant (platform), world and personal
 * ranking blocks, unacceptable answer, timings and profile answers pivoted
 * into columns. Rows come back as arrays (better-sqlite3 `raw`) and are
 * iterated, never collected, so memory stays flat whatever the study size.
 * The benchmark runs this same SQL through the sqlite3 shell for comparison.
 */

export const PREFER_NOT_TO_SAY = "prefer_not_to_say";

const BLOCK_FIELDS = [
  "ranking",
  "rationale",
  "rationale_language",
  "rationale_confidence",
  "ranked_at",
  "rationale_at",
];

export const FIXED_COLUMNS = [
  "assessment_id",
  "study_id",
  "scenario_id",
  "participant_id",
  "platform",
  "ui_locale",
  "position",
  "shown_order",
  "form",
  "started_at",
  "reading_done_at",
  "completed_at",
  "reading_seconds",
  "total_seconds",
  "world_ranking",
  "world_rationale",
  "world_rationale_language",
  "world_rationale_confidence",
  "world_ranked_at",
  "world_rationale_at",
  "personal_ranking",
  "personal_rationale",
  "personal_rationale_language",
  "personal_rationale_confidence",
  "personal_ranked_at",
  "personal_rationale_at",
  "unacceptable_labels",
  "unacceptable_rationale",
  "unacceptable_rationale_language",
  "unacceptable_rationale_confidence",
  "declared_native_language",
] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** Index of each fixed column in a raw row; profile answers follow at PROFILE_START + i. */
export const COL = Object.fromEntries(FIXED_COLUMNS.map((name, i) => [name, i])) as Record<FixedColumn, number>;
export const PROFILE_START = FIXED_COLUMNS.length;

export type RawRow = unknown[];

export type RowOrder = "assessment" | "scenario" | "participant";

const ORDER_BY: Record<RowOrder, string> = {
  assessment: "a.id",
  // Both orders follow an index (rowid is the tail of every index), so SQLite never sorts.
  scenario: "a.study_id, a.scenario_id, a.id",
  participant: "a.participant_id, a.id",
};

function seconds(later: string, earlier: string): string {
  return `round((julianday(${later}) - julianday(${earlier})) * 86400.0, 3)`;
}

function blockColumns(alias: string): string[] {
  return BLOCK_FIELDS.map((field) => `${alias}.${field}`);
}

export function assessmentRowsSql(scope: Scope, order: RowOrder): string {
  const profileJoins = scope.profile.map(
    (question, i) =>
      `LEFT JOIN profile_answers q${i} ON q${i}.participant_id = a.participant_id AND q${i}.question_id = ${sqlText(question.id)}`,
  );
  const profileValue = (i: number) =>
    `CASE WHEN q${i}.participant_id IS NULL THEN NULL ELSE coalesce(q${i}.value, '${PREFER_NOT_TO_SAY}') END`;
  const indexOf = new Map(scope.profile.map((question, i) => [question.id, i]));
  const languageCases = [...scope.languageQuestion].map(
    ([studyId, questionId]) => `WHEN ${sqlText(studyId)} THEN ${profileValue(indexOf.get(questionId) as number)}`,
  );
  const declaredLanguage = languageCases.length > 0 ? `CASE a.study_id ${languageCases.join(" ")} END` : "NULL";
  const columns = [
    "a.id",
    "a.study_id",
    "a.scenario_id",
    "a.participant_id",
    "p.platform",
    "a.locale",
    "g.position",
    "g.shown_order",
    "g.form",
    "a.started_at",
    "a.reading_done_at",
    "a.completed_at",
    seconds("a.reading_done_at", "a.started_at"),
    seconds("a.completed_at", "a.started_at"),
    ...blockColumns("w"),
    ...blockColumns("pb"),
    "a.unacceptable_labels",
    "a.unacceptable_rationale",
    "a.unacceptable_rationale_language",
    "a.unacceptable_rationale_confidence",
    declaredLanguage,
    ...scope.profile.map((_, i) => profileValue(i)),
  ];
  return [
    `SELECT ${columns.join(", ")}`,
    "FROM assessments a",
    "JOIN assignments g ON g.id = a.assignment_id",
    "JOIN participants p ON p.id = a.participant_id",
    "LEFT JOIN ranking_blocks w ON w.assessment_id = a.id AND w.block = 'world'",
    "LEFT JOIN ranking_blocks pb ON pb.assessment_id = a.id AND pb.block = 'personal'",
    ...profileJoins,
    `WHERE ${scopeWhere(scope)}`,
    `ORDER BY ${ORDER_BY[order]}`,
  ].join("\n");
}

/** Streams the rows; the caller must finish (or `return()`) the iterator before using the connection again. */
export function iterateAssessmentRows(
  sqlite: Database.Database,
  scope: Scope,
  order: RowOrder,
): IterableIterator<RawRow> {
  return sqlite.prepare(assessmentRowsSql(scope, order)).raw(true).iterate() as IterableIterator<RawRow>;
}

export function countAssessments(sqlite: Database.Database, scope: Scope): number {
  const row = sqlite.prepare(`SELECT count(*) AS n FROM assessments a WHERE ${scopeWhere(scope)}`).get() as {
    n: number;
  };
  return row.n;
}

/** The demographics of a row: profile question id → answer ("prefer_not_to_say"; null when never answered). */
export function demographicsOf(row: RawRow, scope: Scope): Record<string, string | null> {
  const demographics: Record<string, string | null> = {};
  scope.profile.forEach((question, i) => {
    demographics[question.id] = (row[PROFILE_START + i] as string | null) ?? null;
  });
  return demographics;
}
