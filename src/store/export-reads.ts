import type Database from "better-sqlite3";
import type { Scope } from "../research/export/scope.js";

/**
 * Every read the research exports make: assessments with their assignment
 * (position, shown order, form), world and personal ranking blocks,
 * unacceptable answer, timings, the card's layout and opens and the prompt
 * ratings, in pages of a few thousand rows fetched by keyset (the next page
 * starts after the last row of the previous one, following an index, so no
 * page costs more than the first). What belongs to the participant
 * (platform, profile answers) is read once per page for the page's
 * participants instead of being joined onto every row.
 *
 * Pages are plain arrays, so a writer can await the disk between pages
 * without holding a statement open; `inReadSnapshot` wraps the whole export
 * in one transaction so every page comes from the same snapshot.
 *
 * `assessmentRowsSql` is the same data as one SQL statement with the
 * profile pivoted by joins: the benchmark runs it through the sqlite3 shell
 * for comparison.
 */

/** The database handle the export reads from. */
export type ExportDatabase = Database.Database;

export const PREFER_NOT_TO_SAY = "prefer_not_to_say";

/** An assessment's context as every export names it: where it sat, what was shown, when, how long. */
export const CONTEXT_COLUMNS = [
  "ui_locale",
  "position",
  "shown_order",
  "form",
  "started_at",
  "reading_done_at",
  "completed_at",
  "reading_seconds",
  "total_seconds",
] as const;

/** The columns of a typed row: the assessment id and participant id first (paging and lookups use them). */
export const FIXED_COLUMNS = [
  "assessment_id",
  "participant_id",
  "study_id",
  "scenario_id",
  ...CONTEXT_COLUMNS,
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

/** Index of each column in a typed row. */
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

/**
 * "typed": one value per FIXED_COLUMNS column. "csv": the flat CSV's runs of
 * columns that can never need quoting joined by SQLite (see CSV_COLUMN).
 */
export type RowShape = "typed" | "csv";

/** SQL text literal (ids are slugs already; quotes are doubled regardless). */
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The WHERE clause restricting assessments `a` to the scope. */
export function scopeWhere(scope: Scope): string {
  const clauses = [`a.study_id IN (${scope.studies.map((study) => sqlText(study.id)).join(", ") || "NULL"})`];
  if (scope.since) clauses.push(`a.completed_at >= ${sqlText(scope.since)}`);
  return clauses.join(" AND ");
}

const BLOCK_FIELDS = [
  "ranking",
  "rationale",
  "rationale_language",
  "rationale_confidence",
  "ranked_at",
  "rationale_at",
  "rationale_parts",
];

function seconds(later: string, earlier: string): string {
  return `round((julianday(${later}) - julianday(${earlier})) * 86400.0, 3)`;
}

/** The assessment's context columns (ui_locale … completed_at), in flat-table order. */
const CONTEXT_SQL = [
  "a.locale",
  "g.position",
  "g.shown_order",
  "g.form",
  "a.started_at",
  "a.reading_done_at",
  "a.completed_at",
];

const TYPED_SELECT = [
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

const FROM = `FROM assessments a
JOIN assignments g ON g.id = a.assignment_id
LEFT JOIN ranking_blocks w ON w.assessment_id = a.id AND w.block = 'world'
LEFT JOIN ranking_blocks pb ON pb.assessment_id = a.id AND pb.block = 'personal'`;

/**
 * The CSV shape. Most flat-table columns can never need CSV quoting: ids
 * are slugs, rankings are `B>A=C>D`, languages are codes, timestamps ISO
 * 8601, forms and shown orders fixed words. SQLite joins those runs of
 * columns with commas itself (one string crosses into JavaScript instead of
 * seven); the writer checks each run has exactly its expected commas and
 * no quote or line break, and formats the free text and the numbers.
 */

/** Block prefix: "world,B>A=C>D," (block, ranking, and the empty unacceptable_labels before the rationale). */
function blockPrefix(alias: string, name: string): string {
  return `CASE WHEN ${alias}.ranking IS NULL THEN NULL ELSE '${name},' || ${alias}.ranking || ',' END`;
}

/** Seconds between two timestamps with three decimals ("40.000"), empty when either is missing. */
function secondsText(later: string, earlier: string): string {
  return `iif(${later} IS NULL OR ${earlier} IS NULL, '', printf('%.3f', ${seconds(later, earlier)}))`;
}

function joined(columns: string[]): string {
  return columns.map((column) => `ifnull(${column}, '')`).join(" || ',' || ");
}

const CSV_SELECT = [
  "a.id",
  "a.participant_id",
  joined(["a.study_id", "a.scenario_id"]),
  ...["w", "pb"].flatMap((alias, i) => [
    blockPrefix(alias, i === 0 ? "world" : "personal"),
    `${alias}.rationale`,
    `ifnull(${alias}.rationale_language, '')`,
    `${alias}.rationale_confidence`,
    `${alias}.rationale_parts`,
    joined([`${alias}.ranked_at`, `${alias}.rationale_at`]),
  ]),
  "a.unacceptable_labels",
  "a.unacceptable_rationale",
  "ifnull(a.unacceptable_rationale_language, '')",
  "a.unacceptable_rationale_confidence",
  joined([
    ...CONTEXT_SQL,
    secondsText("a.reading_done_at", "a.started_at"),
    secondsText("a.completed_at", "a.started_at"),
  ]),
  "a.layout",
  "a.opens",
  "a.ratings",
].join(", ");

/** Indexes into a CSV-shaped row (the id and participant id are where a typed row has them). */
export const CSV_COLUMN = {
  id: 0,
  participant: 1,
  /** "study,scenario". */
  head: 2,
  /** Each block: prefix, rationale, language, confidence, parts, "ranked_at,rationale_at". */
  blocks: [3, 9],
  unacceptableLabels: 15,
  unacceptableRationale: 16,
  unacceptableLanguage: 17,
  unacceptableConfidence: 18,
  /** ui_locale … total_seconds, nine columns. */
  context: 19,
  layout: 20,
  opens: 21,
  ratings: 22,
} as const;

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

/**
 * Participant id → platform and profile answers, for the ids of one page in
 * one statement: each participant's answers come from one seek into the
 * (participant, question) index and a scan of its few entries, gathered as
 * one JSON object (question id → value, null = prefer not to say). Measured
 * against forms without JSON (a correlated subquery per question, a GROUP BY
 * pivot, one row per answer, exact-size parameter lists; bench/README.md,
 * run E): each was slower in every round, by 0.3 to 6.5 s on a million
 * assessments, since they seek the index once per question or carry eight
 * rows per participant into JavaScript.
 */
function participantReader(sqlite: Database.Database, scope: Scope) {
  const statement = sqlite
    .prepare<[string], [string, string, string, string | null]>(
      `SELECT p.id, p.platform, p.study_id,
         (SELECT json_group_object(q.question_id, q.value) FROM profile_answers q WHERE q.participant_id = p.id)
       FROM participants p WHERE p.id IN (SELECT value FROM json_each(?))`,
    )
    .raw(true);
  return (ids: readonly string[]): Map<string, ParticipantInfo> => {
    const found = new Map<string, ParticipantInfo>();
    for (const [id, platform, studyId, answers] of statement.all(JSON.stringify(ids))) {
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

interface ScenarioRow {
  study_id: string;
  id: string;
  /** JSON: the prompt's chat messages. */
  messages: string;
  /** JSON: the scenario's tags. */
  tags: string;
}

interface ResponseRow {
  study_id: string;
  scenario_id: string;
  label: string;
  text: string;
}

export interface ExportReads {
  /** Assessments in scope. */
  count(): number;
  /** The assessments in scope page by page: by assessment id, by prompt (study, scenario, then id) or by participant. */
  pages(order: RowOrder, pageSize: number, shape?: RowShape): Generator<AssessmentPage>;
  /** One assessment as a typed row (the CSV writer's fallback for a row its fast path cannot vouch for). */
  typedRow(assessmentId: number): RawRow;
  /** The scenarios of the studies in scope and their candidate responses (by study, scenario, label). */
  prompts(): { scenarios: ScenarioRow[]; responses: ResponseRow[] };
}

export function createExportReads(sqlite: Database.Database, scope: Scope): ExportReads {
  const where = scopeWhere(scope);
  const studyIds = scope.studies.map((study) => study.id);
  const inStudies = `study_id IN (${studyIds.map(sqlText).join(", ") || "NULL"})`;
  let typedStatement: Database.Statement<[number]> | undefined;
  return {
    count: () => (sqlite.prepare(`SELECT count(*) AS n FROM assessments a WHERE ${where}`).get() as { n: number }).n,
    pages: (order, pageSize, shape = "typed") =>
      assessmentPages(sqlite, scope, order, pageSize, shape === "csv" ? CSV_SELECT : TYPED_SELECT),
    typedRow(assessmentId) {
      typedStatement ??= sqlite.prepare<[number]>(`SELECT ${TYPED_SELECT} ${FROM} WHERE a.id = ?`).raw(true);
      return typedStatement.get(assessmentId) as RawRow;
    },
    prompts: () => ({
      scenarios: sqlite
        .prepare<[], ScenarioRow>(`SELECT study_id, id, messages, tags FROM scenarios WHERE ${inStudies}`)
        .all(),
      responses: sqlite
        .prepare<[], ResponseRow>(
          `SELECT study_id, scenario_id, label, text FROM candidate_responses WHERE ${inStudies}
           ORDER BY study_id, scenario_id, label`,
        )
        .all(),
    }),
  };
}

function* assessmentPages(
  sqlite: Database.Database,
  scope: Scope,
  order: RowOrder,
  pageSize: number,
  select: string,
): Generator<AssessmentPage> {
  const participants = participantReader(sqlite, scope);
  const where = scopeWhere(scope);
  const limit = `LIMIT ${Math.max(1, Math.floor(pageSize))}`;
  const page = (statement: Database.Statement, params: unknown[]): AssessmentPage | null => {
    const rows = statement.all(...params) as RawRow[];
    if (rows.length === 0) return null;
    return { rows, participants: participants([...new Set(rows.map((row) => row[COL.participant_id] as string))]) };
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

/**
 * Runs `read` inside one read transaction, so everything it reads comes from
 * one snapshot (WAL readers never block the bots) and files written from it
 * agree with each other even while participants keep answering.
 */
export async function inReadSnapshot<T>(sqlite: Database.Database, read: () => Promise<T>): Promise<T> {
  sqlite.exec("BEGIN");
  try {
    return await read();
  } finally {
    sqlite.exec("COMMIT");
  }
}
