import { LABELS, type Label } from "../core/labels.js";
import type { Study } from "../core/study/schema.js";
import { weightedLetterCount } from "../core/text/measure.js";
import {
  type AnswerRules,
  answerCounts,
  candidateResponses,
  type GroupField,
  listStudies,
  onOneSnapshot,
  PACKED,
  participantGroupLabels,
  scenarioRows as readScenarioRows,
  scanAnswers,
} from "../store/analysis-reads.js";
import type { OpenedDatabase } from "../store/client.js";
import { referenceRankingsOf, referenceSources } from "../store/reference-rankings.js";
import { type AnalysisInput, NO_RANKING, NOT_ASKED, type ScenarioInput } from "./analysis/analyze.js";
import { type AttentionCheck, failsAttentionCheck, rankedWithoutOpeningAll } from "./analysis/quality.js";
import { WEAK_ORDERS, weakOrderCode } from "./analysis/weak-orders.js";
import { PREFER_NOT_TO_SAY } from "./export/assessment-rows.js";
import { opensCounts } from "./export/card.js";
import { normaliseSince, ResearchError, ResearchUsageError, resolveScope } from "./export/scope.js";

type Sqlite = OpenedDatabase["sqlite"];

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
const OPENING_YES = 1;
const OPENING_UNKNOWN = 2;

const WEAK_ORDER_TEXTS = WEAK_ORDERS.map((order) => order.text);
/** The quality rules, for the rows the scan cannot decide in SQL (see scanAnswers). */
const SCAN_RULES: AnswerRules = {
  weakOrderCode: (ranking) => weakOrderCode(ranking) ?? PACKED.noCode,
  rationaleWeight: weightedLetterCount,
  opening(layout, opens) {
    const unopened = rankedWithoutOpeningAll(layout, layout === "paged" ? opensCounts(opens) : []);
    return unopened === null ? OPENING_UNKNOWN : unopened ? OPENING_YES : 0;
  },
  unacceptableMask: (labels) => {
    const mask = unacceptableMask(labels);
    return mask === NOT_ASKED ? PACKED.notAsked : mask;
  },
};

/** The study to analyse: the one named, the only one, or the most recently published. */
function pickStudy(sqlite: Sqlite, studyId: string | undefined): string {
  if (studyId) return studyId;
  const studies = listStudies(sqlite);
  if (studies.length === 0)
    throw new ResearchError("No studies in the database (import one with: chorus study import FILE)");
  const [first] = studies;
  if (studies.length === 1 || first?.status === "published") return (first as { id: string }).id;
  throw new ResearchError(
    `Several studies and none published: choose one with --study (${studies.map((s) => s.id).join(", ")})`,
  );
}

/** Joins an intersection's labels: `18-29 × MX`. */
const INTERSECTION = " × ";
const MAX_BY_FIELDS = 2;

/** The --by fields: one, or two separated by a comma (their intersections). */
function byFields(by: string | undefined): string[] {
  if (!by) return [];
  const fields = by.split(",").map((field) => field.trim());
  if (fields.length > MAX_BY_FIELDS || fields.some((field) => field === "") || new Set(fields).size < fields.length) {
    throw new ResearchError(
      `--by ${by}: expected one field or two different ones separated by a comma (age_band,gender)`,
    );
  }
  return fields;
}

function groupField(study: Study, field: string): GroupField {
  if (field === "locale" || field === "platform") return { column: field };
  if (!study.profile.some((question) => question.id === field)) {
    const options = [...study.profile.map((question) => question.id), ...PARTICIPANT_FIELDS].join(", ");
    throw new ResearchUsageError(
      `--by ${field}: not a profile question of study ${study.id} (choose from: ${options})`,
    );
  }
  return { profileQuestion: field };
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
  sqlite: Sqlite,
  studyId: string,
  wanted: string | undefined,
): { source: string; version: string | null; rankings: Map<string, string> } | null {
  const sources = referenceSources(sqlite, studyId);
  const chosen = wanted ? sources.find((s) => s.source === wanted) : sources[0];
  if (wanted && !chosen) {
    throw new ResearchError(
      `--reference ${wanted}: no reference rankings from that source (sources: ${sources.map((s) => s.source).join(", ") || "none"})`,
    );
  }
  if (!chosen) return null;
  return {
    source: chosen.source,
    version: chosen.version,
    rankings: referenceRankingsOf(sqlite, studyId, chosen.source),
  };
}

export function loadAnalysis(sqlite: Sqlite, options: AnalysisLoadOptions): LoadedAnalysis {
  // The counts that size the arrays and the scan that fills them must see the same rows.
  return onOneSnapshot(sqlite, () => loadFromSnapshot(sqlite, options));
}

function loadFromSnapshot(sqlite: Sqlite, options: AnalysisLoadOptions): LoadedAnalysis {
  const studyId = pickStudy(sqlite, options.studyId);
  const scope = resolveScope(sqlite, { studyId, since: options.since });
  const study = scope.studies[0] as Study;
  const fields = byFields(options.by);
  const groupFields = fields.map((field) => groupField(study, field));
  const reference = chooseReference(sqlite, study.id, options.reference);

  const scenarioRows = readScenarioRows(sqlite, study.id);
  const responses = scenarioResponses(sqlite, study.id);
  const scenarios: ScenarioInput[] = scenarioRows.map((row) => ({
    studyId: study.id,
    scenarioId: row.id,
    tags: JSON.parse(row.tags) as string[],
    reference: reference?.rankings.get(row.id) ?? null,
    attentionCheck: row.attention_check ? (JSON.parse(row.attention_check) as AttentionCheck) : null,
    messages: JSON.parse(row.messages) as { role: string; content: string }[],
    responses: responses.get(row.id) ?? [],
  }));
  // Per scenario, which of the 75 weak orders fail its attention check (null: no check).
  const failsCheck = scenarios.map((scenario) => {
    const check = scenario.attentionCheck;
    return check ? Uint8Array.from(WEAK_ORDERS, (order) => (failsAttentionCheck(order, check) ? 1 : 0)) : null;
  });

  const minLetters = study.rationale.minLetters;
  const minSeconds = study.quality.minSecondsPerResponse;
  const answers = { studyId: study.id, since: options.since ? normaliseSince(options.since) : null };
  const counts = answerCounts(sqlite, answers);
  const total = counts.assessments;

  const participantOf = new Uint32Array(total);
  const scenarioOf = new Uint32Array(total);
  const codeOf = new Uint8Array(total);
  const personalOf = new Uint8Array(total);
  const unacceptableOf = new Int8Array(total);
  const flagsOf = new Uint8Array(total);
  // Participants by their integer rowid (no string ids cross into JavaScript), numbered in order of appearance.
  const participantIndex = new Int32Array(counts.maxParticipantRowid + 1).fill(-1);
  const participantRowid: number[] = [];
  const scenarioAtPosition = new Map(scenarioRows.map((row, i) => [row.position, i]));
  const failedAttention = new Uint8Array(counts.maxParticipantRowid + 1);
  let count = 0;
  let openingUnknown = 0;

  const scan = scanAnswers(
    sqlite,
    answers,
    { minLetters, minSecondsPerResponse: minSeconds },
    SCAN_RULES,
    WEAK_ORDER_TEXTS,
  );
  const participantUnit = 2 ** scan.participantShift;
  for (const packed of scan.rows) {
    const low = packed % PACKED.unit;
    const code = (low >> PACKED.worldShift) & 127;
    const scenario = scenarioAtPosition.get(Math.floor((packed % participantUnit) / PACKED.unit));
    if (scenario === undefined || code === PACKED.noCode) continue;
    const rowid = Math.floor(packed / participantUnit);
    let participant = participantIndex[rowid] as number;
    if (participant === -1) {
      participant = participantRowid.length;
      participantIndex[rowid] = participant;
      participantRowid.push(rowid);
    }
    if (failsCheck[scenario]?.[code]) failedAttention[participant] = 1;
    participantOf[count] = participant;
    scenarioOf[count] = scenario;
    codeOf[count] = code;
    const personal = (low >> PACKED.personalShift) & 127;
    personalOf[count] = personal === PACKED.noCode ? NO_RANKING : personal;
    const unacceptable = (low >> PACKED.unacceptableShift) & 31;
    unacceptableOf[count] = unacceptable === PACKED.notAsked ? NOT_ASKED : unacceptable;
    const opening = (low >> PACKED.openingShift) & 3;
    if (opening === OPENING_UNKNOWN) openingUnknown++;
    flagsOf[count] =
      (low & PACKED.speeder ? SPEEDER : 0) |
      (low & PACKED.shortRationale ? SHORT_RATIONALE : 0) |
      (opening === OPENING_YES ? UNOPENED : 0);
    count++;
  }

  const quality: QualitySummary = {
    minSecondsPerResponse: minSeconds,
    minLetters,
    assessments: count,
    speeders: 0,
    shortRationales: 0,
    failedAttentionParticipants: failedAttention.reduce((sum, failed) => sum + failed, 0),
    rankedWithoutOpeningAll: 0,
    openingUnknown,
    flagged: 0,
    excluded: 0,
  };
  const keep = new Uint8Array(count);
  let kept = 0;
  for (let r = 0; r < count; r++) {
    const flags = flagsOf[r] as number;
    if (flags & SPEEDER) quality.speeders++;
    if (flags & SHORT_RATIONALE) quality.shortRationales++;
    if (flags & UNOPENED) quality.rankedWithoutOpeningAll++;
    const flagged = flags !== 0 || failedAttention[participantOf[r] as number] === 1;
    if (flagged) quality.flagged++;
    keep[r] = options.excludeFlagged && flagged ? 0 : 1;
    kept += keep[r] as number;
  }

  // Compact rows and renumber participants densely.
  const labels = groupFields.length > 0 ? groupLabels(sqlite, groupFields) : null;
  const participantGroupLabel = labels ? participantRowid.map((rowid) => labels.get(rowid) ?? "") : [];
  const groups = labels ? orderGroups(study, fields, new Set(participantGroupLabel)) : [];
  const groupIndex = new Map(groups.map((label, i) => [label, i]));
  const renumber = new Int32Array(participantRowid.length).fill(-1);
  const participantGroup: number[] = [];
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
      participantGroup.push(groupIndex.get(participantGroupLabel[old] ?? "") ?? 0);
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

function groupLabels(sqlite: Sqlite, fields: readonly GroupField[]): Map<number, string> {
  return participantGroupLabels(sqlite, fields, {
    notAnswered: NOT_ANSWERED,
    preferNotToSay: PREFER_NOT_TO_SAY,
    separator: INTERSECTION,
  });
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

/** The four responses of every scenario of the study (for the report). */
function scenarioResponses(sqlite: Sqlite, studyId: string): Map<string, { label: Label; text: string }[]> {
  const responses = new Map<string, { label: Label; text: string }[]>();
  for (const row of candidateResponses(sqlite, studyId)) {
    const list = responses.get(row.scenario_id) ?? [];
    list.push({ label: row.label as Label, text: row.text });
    responses.set(row.scenario_id, list);
  }
  return responses;
}
