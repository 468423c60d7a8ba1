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

/** Studies, published first, then the most recently published or created. */
export function listStudies(sqlite: Database.Database): { id: string; status: string }[] {
  return sqlite
    .prepare<[], { id: string; status: string }>(
      "SELECT id, status FROM studies ORDER BY (status = 'published') DESC, published_at DESC, created_at DESC",
    )
    .all();
}

export interface ScenarioRow {
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
export interface AnswerScope {
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

export interface GroupLabelWords {
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
 * The bits of scanAnswers' `flags`. MEASURE_* marks a value SQLite could not
 * decide from the stored measures (a row recorded before they were kept and
 * not yet filled, a text changed by hand, a record not in the form Chorus
 * writes): the caller reads that one value with the functions below.
 */
export const ANSWER_FLAGS = {
  /** The block is the personal one (else world). */
  personal: 1,
  /** The block's rationale weighs less than the minimum. */
  shortRationale: 2,
  /** The block's rationale has no stored weight: read it with blockRationale. */
  measureRationale: 4,
  /** World rows only: reading seconds per response below the minimum. */
  speeder: 8,
  /** The unacceptable rationale weighs less than the minimum. */
  shortUnacceptable: 16,
  /** The unacceptable rationale has no stored weight: read it with unacceptableRationale. */
  measureUnacceptable: 32,
} as const;
/** Bits 6–7 of `flags`: ranked without opening every response (a paged card with some response opened 0 times). */
export const OPENING_SHIFT = 6;
export const OPENING = { no: 0, yes: 1, unknown: 2, measure: 3 } as const;
/** Bits 8–12: the unacceptable labels, bit i for LABELS[i]; NOT_ASKED or MEASURE when not a mask. */
export const UNACCEPTABLE_SHIFT = 8;
export const UNACCEPTABLE = { notAsked: 16, measure: 17 } as const;
/** `flags` is below this; the scenario position is the rest (flags + position × POSITION_UNIT). */
export const POSITION_UNIT = 2 ** 13;

/**
 * The records as the store writes them, as GLOB patterns without wildcards
 * (a pattern with `*` costs about a microsecond a row): the opens counts
 * when each is a single digit, a list of one to four labels. Anything else
 * (a count of 10 or more, a record written by hand) is left to JavaScript.
 */
const OPENS_AS_WRITTEN = `{${LABELS.map((label) => `"${label}":[0-9]`).join(",")}}`;
const LABEL_PATTERN = `"[${LABELS.join("")}]"`;
// "[[]" is GLOB's literal "[".
const LABELS_AS_WRITTEN = LABELS.map((_, i) => `[[]${Array.from({ length: i + 1 }, () => LABEL_PATTERN).join(",")}]`);

export interface AnswerThresholds {
  minLetters: number;
  minSecondsPerResponse: number;
}

/**
 * Every ranking block once, in table order: [assessment id, participant
 * rowid, ranking text, flags + scenario position × POSITION_UNIT]. A world
 * block of an assessment in scope carries its assessment's flags too; a
 * world block outside the scope has a null participant; a personal block
 * carries only its own rationale bits (its assessment's scope is the world
 * block's).
 */
export function scanAnswers(
  sqlite: Database.Database,
  scope: AnswerScope,
  thresholds: AnswerThresholds,
): IterableIterator<[number, number | null, string, number]> {
  const f = ANSWER_FLAGS;
  const letters = LABELS.map((label, i) => `(instr(a.unacceptable_labels, '"${label}"') > 0) * ${1 << i}`).join(" + ");
  // A weight is compared where stored; a rationale without one is left to the caller.
  const rationaleBits = (weight: string, text: string, short: number, measure: number) =>
    `CASE WHEN ${weight} IS NOT NULL THEN (${weight} < @minLetters) * ${short} WHEN ${text} IS NOT NULL THEN ${measure} ELSE 0 END`;
  const sql = `SELECT b.assessment_id, p.rowid, b.ranking,
      CASE WHEN b.block = 'personal' THEN ${f.personal} ELSE 0 END
      + ${rationaleBits("b.rationale_weight", "b.rationale", f.shortRationale, f.measureRationale)}
      + CASE WHEN a.id IS NULL THEN 0 ELSE
          ifnull(ifnull(a.reading_seconds, ${readingSecondsSql("a.started_at", "a.reading_done_at")}) / ${LABELS.length}.0
            < @minSeconds, 0) * ${f.speeder}
          + ${rationaleBits("a.unacceptable_rationale_weight", "a.unacceptable_rationale", f.shortUnacceptable, f.measureUnacceptable)}
          + (CASE
              WHEN a.layout = 'all' THEN ${OPENING.no}
              WHEN a.layout IS NOT 'paged' THEN ${OPENING.unknown}
              WHEN a.opens GLOB '${OPENS_AS_WRITTEN}' THEN (instr(a.opens, ':0,') > 0 OR instr(a.opens, ':0}') > 0) * ${OPENING.yes}
              ELSE ${OPENING.measure} END) * ${1 << OPENING_SHIFT}
          + (CASE
              WHEN a.unacceptable_labels IS NULL THEN ${UNACCEPTABLE.notAsked}
              WHEN a.unacceptable_labels = '[]' THEN 0
              WHEN ${LABELS_AS_WRITTEN.map((pattern) => `a.unacceptable_labels GLOB '${pattern}'`).join(" OR ")} THEN ${letters}
              ELSE ${UNACCEPTABLE.measure} END) * ${1 << UNACCEPTABLE_SHIFT}
          + s.position * ${POSITION_UNIT}
        END
    FROM ranking_blocks b
    LEFT JOIN assessments a ON b.block = 'world' AND a.id = b.assessment_id AND ${scopeSql(scope)}
    LEFT JOIN participants p ON p.id = a.participant_id
    LEFT JOIN scenarios s ON s.study_id = a.study_id AND s.id = a.scenario_id`;
  return sqlite
    .prepare(sql)
    .raw(true)
    .iterate({
      ...scopeParams(scope),
      minLetters: thresholds.minLetters,
      minSeconds: thresholds.minSecondsPerResponse,
    }) as IterableIterator<[number, number | null, string, number]>;
}

/** Single values scanAnswers left to JavaScript (see ANSWER_FLAGS). */
export function answerDetails(sqlite: Database.Database) {
  const rationale = sqlite.prepare<[number, string], { text: string | null }>(
    "SELECT rationale AS text FROM ranking_blocks WHERE assessment_id = ? AND block = ?",
  );
  const assessment = sqlite.prepare<
    [number],
    {
      unacceptable_rationale: string | null;
      unacceptable_labels: string | null;
      layout: string | null;
      opens: string | null;
    }
  >("SELECT unacceptable_rationale, unacceptable_labels, layout, opens FROM assessments WHERE id = ?");
  return {
    blockRationale: (assessmentId: number, block: "world" | "personal") =>
      rationale.get(assessmentId, block)?.text ?? null,
    assessment: (assessmentId: number) => assessment.get(assessmentId),
  };
}
