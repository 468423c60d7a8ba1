import type Database from "better-sqlite3";
import { LABELS } from "../core/labels.js";
import { readingSecondsSql } from "./answer-measures.js";

/**
 * The reads behind `chorus analyze` (src/research/analysis-data.ts turns
 * them into the analysis input). The one large read is scanAnswers: every
 * ranking block once, joined to its assessment, with what the quality flags
 * need computed by SQLite from the measures kept at record time, so that
 * three numbers and a seven-letter ranking cross into JavaScript per block.
 */

/** Runs every read of `read` on one snapshot of the database (one read transaction; the bots keep writing). */
export function onOneSnapshot<T>(sqlite: Database.Database, read: () => T): T {
  return sqlite.transaction(read).deferred();
}

/** Studies, published first, then the most recently published or created. */
export function listStudies(sqlite: Database.Database): { id: string; status: string }[] {
  return sqlite
    .prepare<[], { id: string; status: string }>(
      "SELECT id, status FROM studies ORDER BY (status = 'published') DESC, published_at DESC, created_at DESC",
    )
    .all();
}

interface ScenarioRow {
  id: string;
  position: number;
  tags: string;
  attention_check: string | null;
  messages: string;
}

export function scenarioRows(sqlite: Database.Database, studyId: string): ScenarioRow[] {
  return sqlite
    .prepare<[string], ScenarioRow>(
      "SELECT id, position, tags, attention_check, messages FROM scenarios WHERE study_id = ? ORDER BY position, id",
    )
    .all(studyId);
}

export function candidateResponses(
  sqlite: Database.Database,
  studyId: string,
): { scenario_id: string; label: string; text: string }[] {
  return sqlite
    .prepare<[string], { scenario_id: string; label: string; text: string }>(
      "SELECT scenario_id, label, text FROM candidate_responses WHERE study_id = ? ORDER BY scenario_id, label",
    )
    .all(studyId);
}

/** Assessments of one study, optionally completed at or after `since` (ISO). */
interface AnswerScope {
  studyId: string;
  since: string | null;
}

const scopeSql = (scope: AnswerScope) =>
  `a.study_id = @study${scope.since === null ? "" : " AND a.completed_at >= @since"}`;
const scopeParams = (scope: AnswerScope) =>
  scope.since === null ? { study: scope.studyId } : { study: scope.studyId, since: scope.since };

/** How many assessments are in scope, and the largest assessment id and participant rowid (to size lookups). */
export function answerCounts(
  sqlite: Database.Database,
  scope: AnswerScope,
): { assessments: number; maxAssessmentId: number; maxParticipantRowid: number } {
  const inScope = sqlite
    .prepare(`SELECT count(*) AS n, ifnull(max(a.id), 0) AS maxId FROM assessments a WHERE ${scopeSql(scope)}`)
    .get(scopeParams(scope)) as { n: number; maxId: number };
  const blocksMax = (
    sqlite.prepare("SELECT ifnull(max(assessment_id), 0) AS n FROM ranking_blocks").get() as { n: number }
  ).n;
  const participants = (sqlite.prepare("SELECT ifnull(max(rowid), 0) AS n FROM participants").get() as { n: number }).n;
  return {
    assessments: inScope.n,
    maxAssessmentId: Math.max(inScope.maxId, blocksMax),
    maxParticipantRowid: participants,
  };
}

/** A --by field: a participant column, or the answer to a profile question. */
export type GroupField = { column: "locale" | "platform" } | { profileQuestion: string };

interface GroupLabelWords {
  /** The label of a participant who never answered the question. */
  notAnswered: string;
  /** The label of a stored null answer. */
  preferNotToSay: string;
  /** Joins the labels of two fields. */
  separator: string;
}

/** Each participant's group label (fields joined by the separator), by participant rowid. */
export function participantGroupLabels(
  sqlite: Database.Database,
  fields: readonly GroupField[],
  words: GroupLabelWords,
): Map<number, string> {
  const params: Record<string, string> = { notAnswered: words.notAnswered, preferNot: words.preferNotToSay };
  const joins: string[] = [];
  const values = fields.map((field, i) => {
    if ("column" in field) return field.column === "locale" ? "p.locale" : "p.platform";
    const alias = `grp${i}`;
    params[`question${i}`] = field.profileQuestion;
    joins.push(
      `LEFT JOIN profile_answers ${alias} ON ${alias}.participant_id = p.id AND ${alias}.question_id = @question${i}`,
    );
    return `CASE WHEN ${alias}.participant_id IS NULL THEN @notAnswered ELSE coalesce(${alias}.value, @preferNot) END`;
  });
  params.separator = words.separator;
  const rows = sqlite
    .prepare(`SELECT p.rowid, ${values.join(" || @separator || ")} FROM participants p ${joins.join(" ")}`)
    .raw(true)
    .all(params) as [number, string][];
  return new Map(rows);
}

/**
 * One assessment of scanAnswers, packed into one number (a row crosses into
 * JavaScript for a third of what an array of columns costs): from the low
 * bits up, the world ranking's weak-order code, the personal one's, the
 * flags, the unacceptable labels, the scenario position, the participant
 * rowid. The caller decodes with these.
 */
export const PACKED = {
  /** 7 bits each: a weak-order code, or NO_CODE. */
  worldShift: 0,
  personalShift: 7,
  noCode: 127,
  /** Reading seconds per response below the minimum. */
  speeder: 1 << 14,
  /** A rationale of the assessment (world, personal, unacceptable) weighs less than the minimum. */
  shortRationale: 1 << 15,
  /** 2 bits: ranked without opening every response, 0 no, 1 yes, 2 unknown. */
  openingShift: 16,
  /** 5 bits: bit i for LABELS[i] judged unacceptable, or NOT_ASKED. */
  unacceptableShift: 18,
  notAsked: 16,
  /** Below this: everything but the scenario position and the participant. */
  unit: 2 ** 23,
} as const;

/** Rules the scan applies in JavaScript to what SQLite cannot decide alone (rare rows; see scanAnswers). */
export interface AnswerRules {
  /** Weak-order code of a ranking text, or PACKED.noCode. */
  weakOrderCode(ranking: string): number;
  /** Weighted letters of a rationale without a stored weight. */
  rationaleWeight(text: string): number;
  /** 0, 1 or 2 (see PACKED.openingShift) from a paged card's stored opens. */
  opening(layout: string | null, opens: string | null): number;
  /** The unacceptable bits from the stored labels (never called with null). */
  unacceptableMask(labels: string): number;
}

interface AnswerThresholds {
  minLetters: number;
  minSecondsPerResponse: number;
}

/**
 * The records as the store writes them, as GLOB patterns without wildcards
 * (a pattern with `*` costs about a microsecond a row): the opens counts
 * when each is a single digit, a list of one to four labels. Anything else
 * (a count of 10 or more, a record written by hand) goes to AnswerRules.
 */
const OPENS_AS_WRITTEN = `{${LABELS.map((label) => `"${label}":[0-9]`).join(",")}}`;
const LABEL_PATTERN = `"[${LABELS.join("")}]"`;
// "[[]" is GLOB's literal "[".
const LABELS_AS_WRITTEN = LABELS.map((_, i) => `[[]${Array.from({ length: i + 1 }, () => LABEL_PATTERN).join(",")}]`);

/** Canonical ranking text → weak-order code, a table of this connection only (TEMP), for the scan to join. */
function weakOrderTable(sqlite: Database.Database, codes: readonly string[]): void {
  sqlite.exec(
    "CREATE TEMP TABLE IF NOT EXISTS chorus_weak_orders (ranking TEXT PRIMARY KEY, code INTEGER NOT NULL) WITHOUT ROWID",
  );
  const insert = sqlite.prepare("INSERT OR REPLACE INTO temp.chorus_weak_orders (ranking, code) VALUES (?, ?)");
  codes.forEach((ranking, code) => {
    insert.run(ranking, code);
  });
}

/**
 * Every assessment in scope that has a world ranking, in the order of the
 * ranking blocks (as recorded), one packed number each (see PACKED).
 * SQLite compares the measures stored at record time; where one is missing
 * (rows from before migration 0008 not yet filled, a text changed by hand)
 * or a record is not as the store writes it, it calls `rules`.
 */
export function scanAnswers(
  sqlite: Database.Database,
  scope: AnswerScope,
  thresholds: AnswerThresholds,
  rules: AnswerRules,
  /** The weak orders' canonical texts, by code. */
  weakOrders: readonly string[],
): { participantShift: number; rows: IterableIterator<number> } {
  weakOrderTable(sqlite, weakOrders);
  sqlite.function("chorus_weak_order", { deterministic: true }, (text) => rules.weakOrderCode(String(text)));
  sqlite.function("chorus_rationale_weight", { deterministic: true }, (text) =>
    text === null ? null : rules.rationaleWeight(String(text)),
  );
  sqlite.function("chorus_opening", { deterministic: true }, (layout, opens) =>
    rules.opening(layout as string | null, opens as string | null),
  );
  sqlite.function("chorus_unacceptable", { deterministic: true }, (labels) => rules.unacceptableMask(String(labels)));
  const maxPosition = (
    sqlite.prepare("SELECT ifnull(max(position), 0) AS n FROM scenarios WHERE study_id = ?").get(scope.studyId) as {
      n: number;
    }
  ).n;
  const maxRowid = (sqlite.prepare("SELECT ifnull(max(rowid), 0) AS n FROM participants").get() as { n: number }).n;
  const participantShift = 23 + Math.max(1, Math.ceil(Math.log2(maxPosition + 1)));
  if (participantShift + Math.ceil(Math.log2(maxRowid + 1)) > 53) {
    throw new Error(`too many participants or scenarios to pack (${maxRowid}, ${maxPosition})`);
  }
  // Each JavaScript call guarded, so that it is made only for the rows that need it.
  const below = (weight: string, text: string) =>
    `CASE WHEN ${weight} IS NOT NULL THEN ${weight} < @minLetters
      WHEN ${text} IS NOT NULL THEN chorus_rationale_weight(${text}) < @minLetters ELSE 0 END`;
  const code = (alias: string, block: string) =>
    `CASE WHEN ${alias}.code IS NOT NULL THEN ${alias}.code
      WHEN ${block}.ranking IS NOT NULL THEN chorus_weak_order(${block}.ranking) ELSE ${PACKED.noCode} END`;
  const letters = LABELS.map((label, i) => `(instr(a.unacceptable_labels, '"${label}"') > 0) * ${1 << i}`).join(" + ");
  const sql = `SELECT
      (${code("wc", "w")})
      + (${code("pc", "pb")}) * ${1 << PACKED.personalShift}
      + ifnull(ifnull(a.reading_seconds, ${readingSecondsSql("a.started_at", "a.reading_done_at")}) / ${LABELS.length}.0
          < @minSeconds, 0) * ${PACKED.speeder}
      + (${below("w.rationale_weight", "w.rationale")} OR ${below("pb.rationale_weight", "pb.rationale")}
          OR ${below("a.unacceptable_rationale_weight", "a.unacceptable_rationale")}) * ${PACKED.shortRationale}
      + (CASE
          WHEN a.layout = 'all' THEN 0
          WHEN a.layout IS NOT 'paged' THEN 2
          WHEN a.opens GLOB '${OPENS_AS_WRITTEN}' THEN instr(a.opens, ':0,') > 0 OR instr(a.opens, ':0}') > 0
          ELSE chorus_opening(a.layout, a.opens) END) * ${1 << PACKED.openingShift}
      + (CASE
          WHEN a.unacceptable_labels IS NULL THEN ${PACKED.notAsked}
          WHEN a.unacceptable_labels = '[]' THEN 0
          WHEN ${LABELS_AS_WRITTEN.map((pattern) => `a.unacceptable_labels GLOB '${pattern}'`).join(" OR ")} THEN ${letters}
          ELSE chorus_unacceptable(a.unacceptable_labels) END) * ${1 << PACKED.unacceptableShift}
      + s.position * ${PACKED.unit}
      + p.rowid * ${2 ** participantShift}
    FROM ranking_blocks w
    CROSS JOIN assessments a ON a.id = w.assessment_id
    JOIN participants p ON p.id = a.participant_id
    JOIN scenarios s ON s.study_id = a.study_id AND s.id = a.scenario_id
    LEFT JOIN temp.chorus_weak_orders wc ON wc.ranking = w.ranking
    LEFT JOIN ranking_blocks pb ON pb.assessment_id = a.id AND pb.block = 'personal'
    LEFT JOIN temp.chorus_weak_orders pc ON pc.ranking = pb.ranking
    WHERE w.block = 'world' AND ${scopeSql(scope)}`;
  const rows = sqlite
    .prepare(sql)
    .pluck()
    .iterate({
      ...scopeParams(scope),
      minLetters: thresholds.minLetters,
      minSeconds: thresholds.minSecondsPerResponse,
    }) as IterableIterator<number>;
  return { participantShift, rows };
}
