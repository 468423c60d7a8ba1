import type Database from "better-sqlite3";
import { createHeapTrimmer } from "./memory.js";
import { type Scope, scopeWhere, sqlText } from "./scope.js";

/**
 * How every export reads the database: assessments with their assignment
 * (position, shown order, form), world and personal ranking blocks,
 * unacceptable answer, timings, the card's layout and opens and the prompt
 * ratings, in pages of a few thousand rows fetched
 * by keyset (the next page starts after the last row of the previous one,
 * following an index, so no page costs more than the first). What belongs
 * to the participant (platform, profile answers) is fetched once per page
 * for the page's participants instead of being joined onto every row.
 *
 * Pages are plain arrays, so a writer can await the disk between pages
 * without holding a statement open; the caller wraps the whole read in one
 * transaction so every page comes from the same snapshot.
 *
 * `assessmentRowsSql` is the same data as one SQL statement with the
 * profile pivoted by joins: the benchmark runs it through the sqlite3 shell
 * for comparison.
 */

export const PREFER_NOT_TO_SAY = "prefer_not_to_say";
export const DEFAULT_PAGE_SIZE = 1000;

/** Every select list starts with the assessment id and the participant id (paging and lookups use them). */
export const FIXED_COLUMNS = [
  "assessment_id",
  "participant_id",
  "study_id",
  "scenario_id",
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
  "world_rationale_parts",
  "personal_ranking",
  "personal_rationale",
  "personal_rationale_language",
  "personal_rationale_confidence",
  "personal_ranked_at",
  "personal_rationale_at",
  "personal_rationale_parts",
  "unacceptable_labels",
  "unacceptable_rationale",
  "unacceptable_rationale_language",
  "unacceptable_rationale_confidence",
  "layout",
  "opens",
  "ratings",
] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** Index of each column in a raw row. */
export const COL = Object.fromEntries(FIXED_COLUMNS.map((name, i) => [name, i])) as Record<FixedColumn, number>;

export type RawRow = unknown[];

export interface ParticipantInfo {
  platform: string;
  /** Answers in `scope.profile` order: a value, "prefer_not_to_say", or null when never answered. */
  profile: (string | null)[];
  /** The answer to the participant's study's language question, if it has one. */
  declaredLanguage: string | null;
}

export interface AssessmentPage {
  rows: RawRow[];
  participants: Map<string, ParticipantInfo>;
}

export type RowOrder = "assessment" | "scenario" | "participant";

const BLOCK_FIELDS = [
  "ranking",
  "rationale",
  "rationale_language",
  "rationale_confidence",
  "ranked_at",
  "rationale_at",
  "rationale_parts",
];

export function seconds(later: string, earlier: string): string {
  return `round((julianday(${later}) - julianday(${earlier})) * 86400.0, 3)`;
}

/** The assessment's context columns (ui_locale … completed_at), in flat-table order. */
export const CONTEXT_SQL = [
  "a.locale",
  "g.position",
  "g.shown_order",
  "g.form",
  "a.started_at",
  "a.reading_done_at",
  "a.completed_at",
];

export const TYPED_SELECT = [
  "a.id",
  "a.participant_id",
  "a.study_id",
  "a.scenario_id",
  ...CONTEXT_SQL,
  seconds("a.reading_done_at", "a.started_at"),
  seconds("a.completed_at", "a.started_at"),
  ...BLOCK_FIELDS.map((field) => `w.${field}`),
  ...BLOCK_FIELDS.map((field) => `pb.${field}`),
  "a.unacceptable_labels",
  "a.unacceptable_rationale",
  "a.unacceptable_rationale_language",
  "a.unacceptable_rationale_confidence",
  "a.layout",
  "a.opens",
  "a.ratings",
].join(", ");

export const FROM = `FROM assessments a
JOIN assignments g ON g.id = a.assignment_id
LEFT JOIN ranking_blocks w ON w.assessment_id = a.id AND w.block = 'world'
LEFT JOIN ranking_blocks pb ON pb.assessment_id = a.id AND pb.block = 'personal'`;

function profileValue(i: number): string {
  return `CASE WHEN q${i}.participant_id IS NULL THEN NULL ELSE coalesce(q${i}.value, '${PREFER_NOT_TO_SAY}') END`;
}

/** The whole export as one statement (profile pivoted by joins), ordered by assessment id. */
export function assessmentRowsSql(scope: Scope): string {
  const indexOf = new Map(scope.profile.map((question, i) => [question.id, i]));
  const languageCases = [...scope.languageQuestion].map(
    ([studyId, questionId]) => `WHEN ${sqlText(studyId)} THEN ${profileValue(indexOf.get(questionId) as number)}`,
  );
  return [
    `SELECT ${TYPED_SELECT}, p.platform, ${languageCases.length > 0 ? `CASE a.study_id ${languageCases.join(" ")} END` : "NULL"}${scope.profile.map((_, i) => `, ${profileValue(i)}`).join("")}`,
    FROM,
    "JOIN participants p ON p.id = a.participant_id",
    ...scope.profile.map(
      (question, i) =>
        `LEFT JOIN profile_answers q${i} ON q${i}.participant_id = a.participant_id AND q${i}.question_id = ${sqlText(question.id)}`,
    ),
    `WHERE ${scopeWhere(scope)}`,
    "ORDER BY a.id",
  ].join("\n");
}

export function countAssessments(sqlite: Database.Database, scope: Scope): number {
  const row = sqlite.prepare(`SELECT count(*) AS n FROM assessments a WHERE ${scopeWhere(scope)}`).get() as {
    n: number;
  };
  return row.n;
}

function participantReader(sqlite: Database.Database, scope: Scope) {
  // One row per participant, the profile as a JSON object (question id → value, null = prefer not to say).
  const statement = sqlite
    .prepare<[string], [string, string, string, string | null]>(
      `SELECT p.id, p.platform, p.study_id,
         (SELECT json_group_object(q.question_id, q.value) FROM profile_answers q WHERE q.participant_id = p.id)
       FROM participants p WHERE p.id IN (SELECT value FROM json_each(?))`,
    )
    .raw(true);
  return (ids: Iterable<string>): Map<string, ParticipantInfo> => {
    const found = new Map<string, ParticipantInfo>();
    for (const [id, platform, studyId, answers] of statement.all(JSON.stringify([...ids]))) {
      const byQuestion = answers ? (JSON.parse(answers) as Record<string, string | null>) : {};
      const value = (questionId: string) =>
        questionId in byQuestion ? (byQuestion[questionId] ?? PREFER_NOT_TO_SAY) : null;
      const language = scope.languageQuestion.get(studyId);
      found.set(id, {
        platform,
        profile: scope.profile.map((question) => value(question.id)),
        declaredLanguage: language === undefined ? null : value(language),
      });
    }
    return found;
  };
}

/**
 * Yields the assessments in scope page by page, in the given order:
 * by assessment id, by prompt (study, scenario, then id) or by participant.
 */
export function* assessmentPages(
  sqlite: Database.Database,
  scope: Scope,
  order: RowOrder,
  pageSize = DEFAULT_PAGE_SIZE,
  select = TYPED_SELECT,
): Generator<AssessmentPage> {
  const participants = participantReader(sqlite, scope);
  const trimHeap = createHeapTrimmer();
  const where = scopeWhere(scope);
  const limit = `LIMIT ${Math.max(1, Math.floor(pageSize))}`;
  const page = (statement: Database.Statement, params: unknown[]): AssessmentPage | null => {
    trimHeap();
    const rows = statement.all(...params) as RawRow[];
    if (rows.length === 0) return null;
    return { rows, participants: participants(new Set(rows.map((row) => row[COL.participant_id] as string))) };
  };
  const lastOf = (next: AssessmentPage) => next.rows.at(-1) as RawRow;
  if (order === "assessment") {
    const statement = sqlite
      .prepare(`SELECT ${select} ${FROM} WHERE ${where} AND a.id > ? ORDER BY a.id ${limit}`)
      .raw(true);
    for (let next = page(statement, [0]); next; next = page(statement, [lastOf(next)[COL.assessment_id]])) yield next;
  } else if (order === "participant") {
    const statement = sqlite
      .prepare(
        `SELECT ${select} ${FROM} WHERE ${where} AND (a.participant_id, a.id) > (?, ?) ORDER BY a.participant_id, a.id ${limit}`,
      )
      .raw(true);
    const after = (next: AssessmentPage) => [lastOf(next)[COL.participant_id], lastOf(next)[COL.assessment_id]];
    for (let next = page(statement, ["", 0]); next; next = page(statement, after(next))) yield next;
  } else {
    // By prompt: scenario after scenario (a short list), each following the (study, scenario) index.
    const scenarios = sqlite
      .prepare(`SELECT DISTINCT a.study_id, a.scenario_id FROM assessments a WHERE ${where} ORDER BY 1, 2`)
      .raw(true)
      .all() as [string, string][];
    const statement = sqlite
      .prepare(
        `SELECT ${select} ${FROM} WHERE ${where} AND a.study_id = ? AND a.scenario_id = ? AND a.id > ? ORDER BY a.id ${limit}`,
      )
      .raw(true);
    for (const [study, scenario] of scenarios) {
      const params = (after: unknown) => [study, scenario, after];
      for (
        let next = page(statement, params(0));
        next;
        next = page(statement, params(lastOf(next)[COL.assessment_id]))
      ) {
        yield next;
      }
    }
  }
}

/** Each row of each page with its participant's details. */
export function* assessmentRows(
  sqlite: Database.Database,
  scope: Scope,
  order: RowOrder,
  pageSize = DEFAULT_PAGE_SIZE,
): Generator<{ row: RawRow; participant: ParticipantInfo; endOfPage: boolean }> {
  for (const page of assessmentPages(sqlite, scope, order, pageSize)) {
    const last = page.rows.length - 1;
    for (let i = 0; i <= last; i++) {
      const row = page.rows[i] as RawRow;
      const participant = page.participants.get(row[COL.participant_id] as string);
      if (!participant) throw new Error(`assessment ${row[COL.assessment_id]} has no participant`);
      yield { row, participant, endOfPage: i === last };
    }
  }
}

/** The demographics of a participant: profile question id → answer. */
export function demographicsOf(participant: ParticipantInfo, scope: Scope): Record<string, string | null> {
  const demographics: Record<string, string | null> = {};
  scope.profile.forEach((question, i) => {
    demographics[question.id] = participant.profile[i] ?? null;
  });
  return demographics;
}
