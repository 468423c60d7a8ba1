import type Database from "better-sqlite3";
import { LABELS, type Label } from "../core/labels.js";
import type { Study } from "../core/study/schema.js";
import { type AnalysisInput, NO_RANKING, NOT_ASKED, type ScenarioInput } from "./analysis/analyze.js";
import {
  type AttentionCheck,
  failsAttentionCheck,
  isSpeeder,
  rankedWithoutOpeningAll,
  rationaleBelowMinimum,
  rationaleBelowMinimumFromPrefix,
} from "./analysis/quality.js";
import { WEAK_ORDERS, weakOrderCode } from "./analysis/weak-orders.js";
import { PREFER_NOT_TO_SAY } from "./export/assessment-rows.js";
import { opensCounts } from "./export/card.js";
import { normaliseSince, ResearchError, ResearchUsageError, resolveScope, sqlText } from "./export/scope.js";

/**
 * Reads one study's world rankings into the compact arrays the analysis
 * works on (a few bytes per assessment), computing the quality flags on
 * the way. Participants are renumbered densely after any exclusion, so the
 * clustered bootstrap draws only people who contribute data.
 */

export const NOT_ANSWERED = "(not answered)";
/** --by values besides profile question ids. */
export const PARTICIPANT_FIELDS = ["locale", "platform"] as const;

export interface AnalysisLoadOptions {
  studyId?: string | undefined;
  /** A profile question id, or locale / platform; two joined by a comma split by their intersections. */
  by?: string | undefined;
  since?: string | undefined;
  excludeFlagged: boolean;
  /** Reference ranking source; default: the study file's, else the most recently imported. */
  reference?: string | undefined;
}

export interface QualitySummary {
  minSecondsPerResponse: number;
  minLetters: number;
  /** Assessments read before any exclusion. */
  assessments: number;
  speeders: number;
  shortRationales: number;
  /** Participants whose world ranking failed at least one attention-check scenario. */
  failedAttentionParticipants: number;
  /** Assessments ranked on a paged card with some response never opened. */
  rankedWithoutOpeningAll: number;
  /** Assessments from before cards, for which that is unknown (not flagged). */
  openingUnknown: number;
  /** Assessments carrying any flag (their own, or their participant's failed attention check). */
  flagged: number;
  excluded: number;
}

export interface LoadedAnalysis {
  study: Study;
  by: string | null;
  reference: { source: string; version: string | null } | null;
  input: AnalysisInput;
  quality: QualitySummary;
}

const SPEEDER = 1;
const SHORT_RATIONALE = 2;
const UNOPENED = 4;

/** The study to analyse: the one named, the only one, or the most recently published. */
export function pickStudy(sqlite: Database.Database, studyId: string | undefined): string {
  if (studyId) return studyId;
  const studies = sqlite
    .prepare<[], { id: string; status: string }>(
      "SELECT id, status FROM studies ORDER BY (status = 'published') DESC, published_at DESC, created_at DESC",
    )
    .all();
  if (studies.length === 0)
    throw new ResearchError("No studies in the database (import one with: chorus study import FILE)");
  const [first] = studies;
  if (studies.length === 1 || first?.status === "published") return (first as { id: string }).id;
  throw new ResearchError(
    `Several studies and none published: choose one with --study (${studies.map((s) => s.id).join(", ")})`,
  );
}

/** Joins an intersection's labels: `18-29 × MX`. */
export const INTERSECTION = " × ";
const MAX_BY_FIELDS = 2;

/** The --by fields: one, or two separated by a comma (their intersections). */
export function byFields(by: string | undefined): string[] {
  if (!by) return [];
  const fields = by.split(",").map((field) => field.trim());
  if (fields.length > MAX_BY_FIELDS || fields.some((field) => field === "") || new Set(fields).size < fields.length) {
    throw new ResearchError(
      `--by ${by}: expected one field or two different ones separated by a comma (age_band,gender)`,
    );
  }
  return fields;
}

function fieldExpression(study: Study, field: string, alias: string): { join: string; value: string } {
  if (field === "locale") return { join: "", value: "p.locale" };
  if (field === "platform") return { join: "", value: "p.platform" };
  if (!study.profile.some((question) => question.id === field)) {
    const options = [...study.profile.map((question) => question.id), ...PARTICIPANT_FIELDS].join(", ");
    throw new ResearchUsageError(
      `--by ${field}: not a profile question of study ${study.id} (choose from: ${options})`,
    );
  }
  return {
    join: `LEFT JOIN profile_answers ${alias} ON ${alias}.participant_id = a.participant_id AND ${alias}.question_id = ${sqlText(field)}`,
    value: `CASE WHEN ${alias}.participant_id IS NULL THEN '${NOT_ANSWERED}' ELSE coalesce(${alias}.value, '${PREFER_NOT_TO_SAY}') END`,
  };
}

function groupExpression(study: Study, fields: readonly string[]): { join: string; value: string } | null {
  if (fields.length === 0) return null;
  const parts = fields.map((field, i) => fieldExpression(study, field, `grp${i}`));
  return {
    join: parts.map((part) => part.join).join("\n"),
    value: parts.map((part) => part.value).join(` || '${INTERSECTION}' || `),
  };
}

/** Group labels in a readable order: each field's options first, then others, then the non-answers. */
function orderGroups(study: Study, fields: readonly string[], labels: Iterable<string>): string[] {
  const rankIn = (field: string | undefined, label: string) => {
    const options = study.profile.find((question) => question.id === field)?.options.map((option) => option.id) ?? [];
    if (label === NOT_ANSWERED) return 3e9;
    if (label === PREFER_NOT_TO_SAY) return 2e9;
    const i = options.indexOf(label);
    return i >= 0 ? i : 1e9;
  };
  const compare = (a: string, b: string) => {
    const as = fields.length > 1 ? a.split(INTERSECTION) : [a];
    const bs = fields.length > 1 ? b.split(INTERSECTION) : [b];
    for (let i = 0; i < as.length; i++) {
      const x = as[i] as string;
      const y = bs[i] ?? "";
      const order = rankIn(fields[i], x) - rankIn(fields[i], y) || x.localeCompare(y);
      if (order !== 0) return order;
    }
    return 0;
  };
  return [...labels].sort(compare);
}

function chooseReference(
  sqlite: Database.Database,
  studyId: string,
  wanted: string | undefined,
): { source: string; version: string | null; rankings: Map<string, string> } | null {
  const sources = sqlite
    .prepare<[string], { source: string; version: string | null; imported: string }>(
      `SELECT source, max(source_version) AS version, max(imported_at) AS imported FROM reference_rankings
       WHERE study_id = ? GROUP BY source ORDER BY (source = 'study-file') DESC, imported DESC`,
    )
    .all(studyId);
  const chosen = wanted ? sources.find((s) => s.source === wanted) : sources[0];
  if (wanted && !chosen) {
    throw new ResearchError(
      `--reference ${wanted}: no reference rankings from that source (sources: ${sources.map((s) => s.source).join(", ") || "none"})`,
    );
  }
  if (!chosen) return null;
  const rows = sqlite
    .prepare<[string, string], { scenario_id: string; ranking: string }>(
      "SELECT scenario_id, ranking FROM reference_rankings WHERE study_id = ? AND source = ?",
    )
    .all(studyId, chosen.source);
  return {
    source: chosen.source,
    version: chosen.version,
    rankings: new Map(rows.map((r) => [r.scenario_id, r.ranking])),
  };
}

export function loadAnalysis(sqlite: Database.Database, options: AnalysisLoadOptions): LoadedAnalysis {
  const studyId = pickStudy(sqlite, options.studyId);
  const scope = resolveScope(sqlite, { studyId, since: options.since });
  const study = scope.studies[0] as Study;
  const fields = byFields(options.by);
  const group = groupExpression(study, fields);
  const reference = chooseReference(sqlite, study.id, options.reference);

  const scenarioRows = sqlite
    .prepare<[string], { id: string; position: number; tags: string; attention_check: string | null }>(
      "SELECT id, position, tags, attention_check FROM scenarios WHERE study_id = ? ORDER BY position, id",
    )
    .all(study.id);
  const texts = scenarioTexts(sqlite, study.id);
  const scenarios: ScenarioInput[] = scenarioRows.map((row) => ({
    studyId: study.id,
    scenarioId: row.id,
    tags: JSON.parse(row.tags) as string[],
    reference: reference?.rankings.get(row.id) ?? null,
    attentionCheck: row.attention_check ? (JSON.parse(row.attention_check) as AttentionCheck) : null,
    messages: texts.messages.get(row.id) ?? [],
    responses: texts.responses.get(row.id) ?? [],
  }));

  const minLetters = study.rationale.minLetters;
  const minSeconds = study.quality.minSecondsPerResponse;
  const since = options.since ? normaliseSince(options.since) : null;
  const where = `a.study_id = ${sqlText(study.id)}${since ? ` AND a.completed_at >= ${sqlText(since)}` : ""}`;
  const total = (sqlite.prepare(`SELECT count(*) AS n FROM assessments a WHERE ${where}`).get() as { n: number }).n;
  const maxRowid = (sqlite.prepare("SELECT ifnull(max(rowid), 0) AS n FROM participants").get() as { n: number }).n;

  const maxAssessmentId = (
    sqlite.prepare(`SELECT ifnull(max(a.id), 0) AS n FROM assessments a WHERE ${where}`).get() as { n: number }
  ).n;

  const participantOf = new Uint32Array(total);
  const scenarioOf = new Uint32Array(total);
  const codeOf = new Uint8Array(total);
  const personalOf = new Uint8Array(total).fill(NO_RANKING);
  const unacceptableOf = new Int8Array(total);
  const flagsOf = new Uint8Array(total);
  // Row of each assessment id in scope (-1: not in scope), for the rationale pass.
  const rowOfAssessment = new Int32Array(maxAssessmentId + 1).fill(-1);
  // Participants by their integer rowid (no string ids cross into JavaScript), numbered in order of appearance.
  const participantIndex = new Int32Array(maxRowid + 1).fill(-1);
  let participants = 0;
  const participantGroupLabel: string[] = [];
  const scenarioAtPosition = new Map(scenarioRows.map((row, i) => [row.position, i]));
  const failedAttention = new Set<number>();
  let openingUnknown = 0;
  const rationales = rationaleChecker(minLetters, flagsOf);
  const blockText = sqlite.prepare<[number], { text: string }>(
    "SELECT rationale AS text FROM ranking_blocks WHERE rowid = ?",
  );
  let count = 0;

  // One row per assessment, all integers but the ranking (and the group label when grouping).
  const statement = sqlite
    .prepare(
      `SELECT a.id, p.rowid, s.position, w.ranking,
         round((julianday(a.reading_done_at) - julianday(a.started_at)) * 86400.0, 3),
         ${group ? group.value : "NULL"},
         w.rowid, substr(w.rationale, 1, ${rationalePrefix(minLetters)}), length(w.rationale),
         a.unacceptable_labels, a.layout, a.opens
       FROM assessments a
       JOIN ranking_blocks w ON w.assessment_id = a.id AND w.block = 'world'
       JOIN participants p ON p.id = a.participant_id
       JOIN scenarios s ON s.study_id = a.study_id AND s.id = a.scenario_id
       ${group ? group.join : ""}
       WHERE ${where}`,
    )
    .raw(true);
  for (const row of statement.iterate() as IterableIterator<unknown[]>) {
    const scenario = scenarioAtPosition.get(row[2] as number);
    const code = weakOrderCode(row[3] as string);
    if (scenario === undefined || code === undefined) continue;
    const rowid = row[1] as number;
    let participant = participantIndex[rowid] as number;
    if (participant === -1) {
      participant = participants++;
      participantIndex[rowid] = participant;
      participantGroupLabel.push((row[5] as string | null) ?? "");
    }
    const check = (scenarios[scenario] as ScenarioInput).attentionCheck;
    if (check && failsAttentionCheck(WEAK_ORDERS[code] as (typeof WEAK_ORDERS)[number], check)) {
      failedAttention.add(participant);
    }
    rowOfAssessment[row[0] as number] = count;
    participantOf[count] = participant;
    scenarioOf[count] = scenario;
    codeOf[count] = code;
    unacceptableOf[count] = unacceptableMask(row[9] as string | null);
    // Only a paged card needs its counts read.
    const unopened = rankedWithoutOpeningAll(row[10], row[10] === "paged" ? opensCounts(row[11]) : []);
    if (unopened === null) openingUnknown++;
    flagsOf[count] = (isSpeeder(row[4] as number | null, minSeconds) ? SPEEDER : 0) | (unopened ? UNOPENED : 0);
    rationales.check(count, row[6] as number, row[7] as string | null, row[8] as number | null);
    count++;
  }
  rationales.finish(blockText);
  flagOtherRationales(sqlite, where, rowOfAssessment, minLetters, flagsOf, personalOf);

  const quality: QualitySummary = {
    minSecondsPerResponse: minSeconds,
    minLetters,
    assessments: count,
    speeders: 0,
    shortRationales: 0,
    failedAttentionParticipants: failedAttention.size,
    rankedWithoutOpeningAll: 0,
    openingUnknown,
    flagged: 0,
    excluded: 0,
  };
  const keep = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const flags = flagsOf[r] as number;
    if (flags & SPEEDER) quality.speeders++;
    if (flags & SHORT_RATIONALE) quality.shortRationales++;
    if (flags & UNOPENED) quality.rankedWithoutOpeningAll++;
    const flagged = flags !== 0 || failedAttention.has(participantOf[r] as number);
    if (flagged) quality.flagged++;
    keep[r] = options.excludeFlagged && flagged ? 0 : 1;
  }

  // Compact rows and renumber participants densely.
  const groups = group ? orderGroups(study, fields, new Set(participantGroupLabel)) : [];
  const groupIndex = new Map(groups.map((label, i) => [label, i]));
  const renumber = new Int32Array(participants).fill(-1);
  const participantGroup: number[] = [];
  const kept = keep.reduce((sum, k) => sum + k, 0);
  const rows = {
    count: kept,
    participant: new Uint32Array(kept),
    scenario: new Uint32Array(kept),
    code: new Uint8Array(kept),
    personal: new Uint8Array(kept),
    unacceptable: new Int8Array(kept),
  };
  let out = 0;
  for (let r = 0; r < count; r++) {
    if (!keep[r]) continue;
    const old = participantOf[r] as number;
    if (renumber[old] === -1) {
      renumber[old] = participantGroup.length;
      participantGroup.push(groupIndex.get(participantGroupLabel[old] as string) ?? 0);
    }
    rows.participant[out] = renumber[old] as number;
    rows.scenario[out] = scenarioOf[r] as number;
    rows.code[out] = codeOf[r] as number;
    rows.personal[out] = personalOf[r] as number;
    rows.unacceptable[out] = unacceptableOf[r] as number;
    out++;
  }
  quality.excluded = count - kept;

  return {
    study,
    by: options.by ?? null,
    reference: reference ? { source: reference.source, version: reference.version } : null,
    input: { scenarios, groups, participantGroup: Uint16Array.from(participantGroup), rows },
    quality,
  };
}

/** Bit i for each label judged unacceptable; NOT_ASKED when the question was not asked. */
function unacceptableMask(stored: string | null): number {
  if (stored === null) return NOT_ASKED;
  if (stored === "[]") return 0;
  let mask = 0;
  for (const label of JSON.parse(stored) as Label[]) {
    const i = LABELS.indexOf(label);
    if (i >= 0) mask |= 1 << i;
  }
  return mask;
}

/** The prompt and responses of every scenario of the study (for the report). */
function scenarioTexts(sqlite: Database.Database, studyId: string) {
  const messages = new Map(
    sqlite
      .prepare<[string], { id: string; messages: string }>("SELECT id, messages FROM scenarios WHERE study_id = ?")
      .all(studyId)
      .map((row) => [row.id, JSON.parse(row.messages) as { role: string; content: string }[]]),
  );
  const responses = new Map<string, { label: Label; text: string }[]>();
  for (const row of sqlite
    .prepare<[string], { scenario_id: string; label: Label; text: string }>(
      "SELECT scenario_id, label, text FROM candidate_responses WHERE study_id = ? ORDER BY scenario_id, label",
    )
    .all(studyId)) {
    const list = responses.get(row.scenario_id) ?? [];
    list.push({ label: row.label, text: row.text });
    responses.set(row.scenario_id, list);
  }
  return { messages, responses };
}

function rationalePrefix(minLetters: number): number {
  return 2 * minLetters + 12;
}

/**
 * Checks rationales against the study minimum from their first few dozen
 * characters (which settles nearly every one: a prefix never counts more
 * than the whole) and remembers the rest, to be read whole at the end.
 */
function rationaleChecker(minLetters: number, flags: Uint8Array) {
  const prefix = rationalePrefix(minLetters);
  const undecided: [row: number, key: number][] = [];
  const mark = (row: number) => {
    flags[row] = (flags[row] as number) | SHORT_RATIONALE;
  };
  return {
    check(row: number, key: number, start: string | null, length: number | null) {
      if (start === null) return;
      const below = rationaleBelowMinimumFromPrefix(start, (length ?? 0) <= prefix, minLetters);
      if (below) mark(row);
      else if (below === undefined) undecided.push([row, key]);
    },
    finish(whole: Database.Statement<[number], { text: string }>) {
      for (const [row, key] of undecided) {
        if (rationaleBelowMinimum(whole.get(key)?.text ?? "", minLetters)) mark(row);
      }
      undecided.length = 0;
    },
  };
}

/**
 * The personal-block and unacceptable rationales (the world rationale is
 * checked with the main pass): two sequential scans of the rows that have
 * them, a quarter of the assessments each in a typical study.
 */
function flagOtherRationales(
  sqlite: Database.Database,
  where: string,
  rowOf: Int32Array,
  minLetters: number,
  flags: Uint8Array,
  personalCodes: Uint8Array,
): void {
  const prefix = rationalePrefix(minLetters);
  const passes = [
    {
      // Every personal block: its ranking for the personal analysis, its rationale for the flag.
      scan: `SELECT b.assessment_id, b.rowid, substr(b.rationale, 1, ${prefix}), length(b.rationale), b.ranking
             FROM ranking_blocks b WHERE b.block = 'personal'`,
      whole: sqlite.prepare<[number], { text: string }>("SELECT rationale AS text FROM ranking_blocks WHERE rowid = ?"),
    },
    {
      scan: `SELECT a.id, a.id, substr(a.unacceptable_rationale, 1, ${prefix}), length(a.unacceptable_rationale)
             FROM assessments a WHERE ${where} AND a.unacceptable_rationale IS NOT NULL`,
      whole: sqlite.prepare<[number], { text: string }>(
        "SELECT unacceptable_rationale AS text FROM assessments WHERE id = ?",
      ),
    },
  ];
  for (const pass of passes) {
    const checker = rationaleChecker(minLetters, flags);
    for (const [id, key, start, length, ranking] of sqlite.prepare(pass.scan).raw(true).iterate() as IterableIterator<
      [number, number, string | null, number | null, string | undefined]
    >) {
      const row = id < rowOf.length ? (rowOf[id] as number) : -1;
      if (row < 0) continue;
      checker.check(row, key, start, length);
      if (ranking !== undefined) personalCodes[row] = weakOrderCode(ranking) ?? NO_RANKING;
    }
    checker.finish(pass.whole);
  }
}
