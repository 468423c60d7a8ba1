import type Database from "better-sqlite3";
import {
  changesQuestionLists,
  describeStranded,
  type QuestionPosition,
  strandedQuestions,
} from "../core/study/compatibility.js";
import type { Scenario, Study } from "../core/study/schema.js";
import { retryWhileBusy } from "./busy.js";
import type { ChorusDb } from "./client.js";
import type { StudyStatus } from "./schema.js";
import { assembleStudy, definitionJson, readStoredStudy, type StoredStudy, StudyStoreError } from "./stored-study.js";

export { StudyStoreError };

/**
 * Importing a study version. The work is split so that no transaction holds
 * the write lock for long (the bots' inputs wait for it): everything is read
 * and checked first without the lock; scenario rows no participant can be
 * given yet are written in short transactions; one short transaction
 * re-checks and makes the version live (the definition the engine reads),
 * with whatever the caller writes along with it (audit entries, publishing);
 * then the rows of scenarios it rewrites or drops follow, in short
 * transactions again. Meanwhile the definition carries the new text of the
 * live scenarios it rewrites (`pendingScenarios`), so every reader sees the
 * new version whole; the last transaction drops it.
 */

interface ImportOptions {
  /** Overwrite a stored study of the same id and version whose content differs. */
  replace?: boolean;
  /** ISO time of the import (defaults to now). */
  at?: string;
  /** Runs inside the transaction that makes the version live: audit entries, publishing. */
  onCommit?: (result: ImportResult) => void;
  /** A transaction is committed after this many milliseconds of writing (default 100). */
  sliceMs?: number;
  /** Called after each committed slice with the scenarios written so far (progress; tests interleave here). */
  onSlice?: (done: number, total: number) => void;
}

export interface ImportResult {
  /**
   * created: new study; updated: a newer version; replaced: same version
   * overwritten; resumed: the same version finished after an interrupted
   * import; unchanged: identical, nothing written.
   */
  action: "created" | "updated" | "replaced" | "resumed" | "unchanged";
  id: string;
  version: number;
  previousVersion: number | null;
  status: StudyStatus;
  scenarios: number;
  addedScenarios: string[];
  removedScenarios: string[];
}

/** Where the scenario text a participant ranked lives: changing it under existing answers is refused. */
export const SOURCE_STUDY_FILE = "study-file";

const DEFAULT_SLICE_MS = 100;

/** A scenario of the study being imported, with its place in the study's order. */
interface Placed {
  scenario: Scenario;
  position: number;
}

/** What a stored scenario row holds, reduced to comparable strings. */
interface StoredScenario {
  /** Prompt and responses. */
  text: string;
  /** Tags, reference ranking and attention check: what the engine reads besides the text. */
  meta: string;
  /** Position and the study-file reference's version: bookkeeping the engine does not read. */
  place: string;
}

/**
 * Imports a validated study. A new id is created as a draft; a higher
 * version updates the stored one (status kept). The same version is a no-op
 * when identical and refused when different unless `replace`. Refused too:
 * removing or rewriting a scenario participants were assigned (give it a new
 * id), and a version that would leave someone on a screening or profile
 * question it no longer has at their place. Called inside a transaction
 * (first-start bootstrap, tests), it all happens in that one transaction.
 */
export function importStudy(db: ChorusDb, study: Study, options: ImportOptions = {}): ImportResult {
  const sqlite = db.$client;
  const at = options.at ?? new Date().toISOString();
  const s = statements(sqlite);
  const inline = sqlite.inTransaction;
  const write = (fn: () => void) => (inline ? fn() : retryWhileBusy(() => sqlite.transaction(fn).immediate()));

  // 1. Read and decide in one read transaction (a consistent snapshot, no write lock).
  const plan = inline
    ? planImport(sqlite, s, study, options)
    : sqlite.transaction(() => planImport(sqlite, s, study, options)).deferred();
  if (plan.result.action === "unchanged") {
    if (options.onCommit) write(() => options.onCommit?.(plan.result));
    return plan.result;
  }
  const live = plan.stored !== undefined && plan.stored.status !== "draft";
  // Serialised before any lock is taken.
  const title = JSON.stringify(study.title);
  const definition = definitionJson(study, plan.pending);

  const slice = (tasks: (() => void)[]) =>
    inSlices(tasks, write, inline, options.sliceMs ?? DEFAULT_SLICE_MS, options.onSlice);
  // Scenarios the live definition lists now: dropped from the rows only once the new version is live (step 4).
  const listedNow = (id: string) => live && plan.definitionIds.has(id);
  // Live scenarios whose text or tags change: their rows follow the switch too (read from the definition meanwhile).
  const pendingIds = new Set(plan.pending.map((scenario) => scenario.id));

  // 2. Rows no participant can be given yet, in slices: a new study (a draft), scenarios the live definition
  //    does not list, positions and reference versions.
  const early: (() => void)[] = [];
  if (!plan.stored) early.push(() => s.insertStudy.run(study.id, study.version, title, definition, at, at));
  for (const placed of plan.rewrite) {
    if (!pendingIds.has(placed.scenario.id)) early.push(() => writeScenario(s, study, placed, at));
  }
  for (const placed of plan.retag) {
    if (!pendingIds.has(placed.scenario.id)) early.push(() => writeMeta(s, study, placed, at));
  }
  for (const id of plan.remove) if (!listedNow(id)) early.push(() => s.deleteScenario.run(study.id, id));
  slice(early);

  // 3. One short transaction: check again what may have changed meanwhile, then make the version live.
  try {
    write(() => {
      refuseInUse(s, study.id, plan.changedInDefinition);
      if (plan.shown) refuseStranding(s, plan.shown, study);
      if (plan.stored) s.updateStudy.run(study.version, title, definition, at, study.id);
      options.onCommit?.(plan.result);
    });
  } catch (error) {
    // Refused at the last moment (someone was assigned a changed scenario meanwhile): new rows go again.
    if (live && error instanceof StudyStoreError) {
      const added = plan.rewrite.filter((placed) => !plan.definitionIds.has(placed.scenario.id));
      slice(added.map((placed) => () => s.deleteScenario.run(study.id, placed.scenario.id)));
    }
    throw error;
  }

  // 4. The rows of scenarios the new version rewrites or drops, in slices. Nobody was assigned them (checked
  //    in 3, and the new version offers only their new text); a crash here is finished by importing again.
  const late: (() => void)[] = [];
  for (const placed of plan.rewrite) {
    if (pendingIds.has(placed.scenario.id)) late.push(() => writeScenario(s, study, placed, at));
  }
  for (const placed of plan.retag) {
    if (pendingIds.has(placed.scenario.id)) late.push(() => writeMeta(s, study, placed, at));
  }
  for (const id of plan.remove) {
    // A process still on the old version for its last second may have assigned it: then the row stays.
    if (listedNow(id)) late.push(() => s.inUse.get(study.id, id) ?? s.deleteScenario.run(study.id, id));
  }
  // The rows hold the new text now: the definition stops carrying it (unless another import came meanwhile).
  if (pendingIds.size > 0) {
    const settled = definitionJson(study);
    late.push(() => s.settleDefinition.run(settled, study.id, study.version, at));
  }
  slice(late);
  return plan.result;
}

interface ImportPlan {
  result: ImportResult;
  stored: StoredStudy | undefined;
  /** The stored study as participants are shown it. */
  shown: Study | undefined;
  /** Scenario ids of the stored definition (what participants can be assigned). */
  definitionIds: Set<string>;
  /** Listed scenarios of a live study whose text, tags or references change: written after the switch. */
  pending: Scenario[];
  /** Scenarios of the stored definition this version rewrites or drops: refused if anyone was assigned one. */
  changedInDefinition: string[];
  /** Scenarios whose row is missing or holds other text. */
  rewrite: Placed[];
  /** Scenarios whose text is stored but whose position, tags or references differ. */
  retag: Placed[];
  /** Rows to delete: scenarios the new version drops (and leftovers of an interrupted import). */
  remove: string[];
}

function planImport(sqlite: Database.Database, s: Statements, study: Study, options: ImportOptions): ImportPlan {
  const stored = readStoredStudy(sqlite, study.id);
  // Validated when it was imported; assembling it is enough to compare with.
  const shown = stored ? assembleStudy(sqlite, stored) : undefined;
  let action: ImportResult["action"] = "created";
  const sameContent = stored !== undefined && shown !== undefined && sameStudy(stored, shown, study);
  if (stored) {
    if (study.version < stored.version) {
      throw new StudyStoreError(
        "older_version",
        `Study "${study.id}" is at version ${stored.version}; the file has older version ${study.version}`,
      );
    }
    if (study.version === stored.version && !sameContent && !options.replace) {
      throw new StudyStoreError(
        "same_version_changed",
        `Study "${study.id}" version ${study.version} is already imported with different content; raise "version" in the file, or use --replace`,
      );
    }
    action = study.version > stored.version ? "updated" : sameContent ? "resumed" : "replaced";
  }

  const live = stored !== undefined && stored.status !== "draft";
  const definitionIds = new Set(stored?.definition.scenarioIds ?? []);
  const rows = storedScenarios(s, study.id);
  const rewrite: Placed[] = [];
  const retag: Placed[] = [];
  const pending: Scenario[] = [];
  study.scenarios.forEach((scenario, position) => {
    const current = rows.get(scenario.id);
    const newText = current?.text !== scenarioText(scenario);
    const newMeta = current?.meta !== scenarioMeta(scenario);
    if (newText) rewrite.push({ scenario, position });
    else if (newMeta || current?.place !== scenarioPlace(study, scenario, position)) retag.push({ scenario, position });
    if (live && definitionIds.has(scenario.id) && (newText || newMeta)) pending.push(scenario);
  });
  const newIds = new Set(study.scenarios.map((scenario) => scenario.id));
  const remove = [...rows.keys()].filter((id) => !newIds.has(id));
  // Judged against what participants are shown (the definition's pending text first), not the rows alone,
  // which lag it after an interrupted import.
  const newText = new Map(study.scenarios.map((scenario) => [scenario.id, scenarioText(scenario)]));
  const changedInDefinition = (shown?.scenarios ?? [])
    .filter((scenario) => newText.get(scenario.id) !== scenarioText(scenario))
    .map((scenario) => scenario.id);
  if (shown) {
    refuseInUse(s, study.id, changedInDefinition);
    refuseStranding(s, shown, study);
  }
  const settled = (stored?.definition.pendingScenarios ?? []).length === 0;
  const nothingToWrite = rewrite.length === 0 && retag.length === 0 && remove.length === 0;
  if (action === "resumed" && nothingToWrite && settled) action = "unchanged";
  return {
    result: {
      action,
      id: study.id,
      version: study.version,
      previousVersion: action === "created" ? null : (stored?.version ?? null),
      status: stored?.status ?? "draft",
      scenarios: study.scenarios.length,
      addedScenarios: stored ? [...newIds].filter((id) => !definitionIds.has(id)) : [],
      removedScenarios: [...definitionIds].filter((id) => !newIds.has(id)),
    },
    stored,
    shown,
    definitionIds,
    pending,
    changedInDefinition,
    rewrite,
    retag,
    remove,
  };
}

/**
 * Whether the file holds what is stored: the same settings and scenario list,
 * and every stored scenario the same (a listed scenario without a row yet is
 * one an interrupted import of this very version did not get to).
 */
function sameStudy(stored: StoredStudy, shown: Study, study: Study): boolean {
  const { scenarios: shownScenarios, ...shownSettings } = shown;
  const { scenarios, ...settings } = study;
  const listed = scenarios.map((scenario) => scenario.id);
  if (canonicalJson([shownSettings, stored.definition.scenarioIds]) !== canonicalJson([settings, listed])) return false;
  const inFile = new Map(scenarios.map((scenario) => [scenario.id, canonicalJson(scenario)]));
  return shownScenarios.every((scenario) => inFile.get(scenario.id) === canonicalJson(scenario));
}

/** Runs `tasks` in write transactions of about `sliceMs` each (all at once when already inside one). */
function inSlices(
  tasks: (() => void)[],
  write: (fn: () => void) => void,
  inline: boolean,
  sliceMs: number,
  onSlice?: (done: number, total: number) => void,
): void {
  let next = 0;
  while (next < tasks.length) {
    const first = next;
    write(() => {
      // A retried slice (the lock was busy) starts again from its first task: the failed attempt rolled back.
      next = first;
      const started = performance.now();
      do tasks[next++]?.();
      while (next < tasks.length && (inline || performance.now() - started < sliceMs));
    });
    onSlice?.(next, tasks.length);
  }
}

function refuseInUse(s: Statements, studyId: string, ids: string[]): void {
  const inUse = ids.filter((id) => s.inUse.get(studyId, id) !== undefined);
  if (inUse.length === 0) return;
  throw new StudyStoreError(
    "scenario_in_use",
    `Study "${studyId}": scenario(s) ${inUse.join(", ")} were already assigned to participants; they cannot be removed and their prompt and responses cannot change (use a new scenario id)`,
  );
}

/** Participants on a screening or profile question: refuse a version that moves or drops their question. */
function refuseStranding(s: Statements, stored: Study, next: Study): void {
  if (!changesQuestionLists(stored, next)) return;
  const positions: QuestionPosition[] = s.questionPositions.all(next.id).map((row) => ({
    phase: row.phase,
    questionIndex: row.question_index,
    participants: row.n,
  }));
  const stranded = strandedQuestions(stored, next, positions);
  if (stranded.length > 0) throw new StudyStoreError("would_strand", describeStranded(next.id, next.version, stranded));
}

function writeScenario(s: Statements, study: Study, { scenario, position }: Placed, at: string): void {
  s.upsertScenario.run(
    study.id,
    scenario.id,
    position,
    JSON.stringify(scenario.messages),
    JSON.stringify(scenario.tags),
    scenario.referenceRanking ?? null,
    scenario.attentionCheck ? JSON.stringify(scenario.attentionCheck) : null,
  );
  s.deleteResponses.run(study.id, scenario.id);
  for (const response of scenario.responses) s.insertResponse.run(study.id, scenario.id, response.label, response.text);
  writeReference(s, study, scenario, at);
}

function writeMeta(s: Statements, study: Study, { scenario, position }: Placed, at: string): void {
  s.updateMeta.run(
    position,
    JSON.stringify(scenario.tags),
    scenario.referenceRanking ?? null,
    scenario.attentionCheck ? JSON.stringify(scenario.attentionCheck) : null,
    study.id,
    scenario.id,
  );
  writeReference(s, study, scenario, at);
}

/** The study file's own reference ranking is the source `study-file` (kept up to date by every import). */
function writeReference(s: Statements, study: Study, scenario: Scenario, at: string): void {
  s.deleteReference.run(study.id, scenario.id, SOURCE_STUDY_FILE);
  if (scenario.referenceRanking) {
    s.insertReference.run(
      study.id,
      scenario.id,
      SOURCE_STUDY_FILE,
      String(study.version),
      scenario.referenceRanking,
      at,
    );
  }
}

function storedScenarios(s: Statements, studyId: string): Map<string, StoredScenario> {
  const responses = new Map<string, { label: string; text: string }[]>();
  for (const response of s.responsesOf.iterate(studyId)) {
    const list = responses.get(response.scenario_id) ?? [];
    list.push({ label: response.label, text: response.text });
    responses.set(response.scenario_id, list);
  }
  const references = new Map(
    s.referencesOf.all(studyId, SOURCE_STUDY_FILE).map((row) => [row.scenario_id, row.source_version]),
  );
  const stored = new Map<string, StoredScenario>();
  for (const row of s.scenariosOf.iterate(studyId)) {
    const messages = JSON.parse(row.messages) as unknown;
    stored.set(row.id, {
      text: canonicalJson([messages, sortedResponses(responses.get(row.id) ?? [])]),
      meta: canonicalJson([
        JSON.parse(row.tags),
        row.reference_ranking,
        row.attention_check === null ? null : JSON.parse(row.attention_check),
      ]),
      place: canonicalJson([row.position, references.get(row.id) ?? null]),
    });
  }
  return stored;
}

function scenarioText(scenario: Scenario): string {
  return canonicalJson([scenario.messages, sortedResponses(scenario.responses)]);
}

function scenarioMeta(scenario: Scenario): string {
  return canonicalJson([scenario.tags, scenario.referenceRanking ?? null, scenario.attentionCheck ?? null]);
}

function scenarioPlace(study: Study, scenario: Scenario, position: number): string {
  return canonicalJson([position, scenario.referenceRanking ? String(study.version) : null]);
}

function sortedResponses(responses: readonly { label: string; text: string }[]): [string, string][] {
  return [...responses].sort((a, b) => a.label.localeCompare(b.label)).map((r) => [r.label, r.text]);
}

/** JSON with object keys sorted, so equal content compares equal whatever the key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

type Statements = ReturnType<typeof statements>;

function statements(sqlite: Database.Database) {
  return {
    scenariosOf: sqlite.prepare<
      [string],
      {
        id: string;
        position: number;
        messages: string;
        tags: string;
        reference_ranking: string | null;
        attention_check: string | null;
      }
    >("SELECT id, position, messages, tags, reference_ranking, attention_check FROM scenarios WHERE study_id = ?"),
    responsesOf: sqlite.prepare<[string], { scenario_id: string; label: string; text: string }>(
      "SELECT scenario_id, label, text FROM candidate_responses WHERE study_id = ?",
    ),
    referencesOf: sqlite.prepare<[string, string], { scenario_id: string; source_version: string | null }>(
      "SELECT scenario_id, source_version FROM reference_rankings WHERE study_id = ? AND source = ?",
    ),
    inUse: sqlite.prepare<[string, string], { one: number }>(
      "SELECT 1 AS one FROM assignments WHERE study_id = ? AND scenario_id = ? LIMIT 1",
    ),
    questionPositions: sqlite.prepare<[string], { phase: "screening" | "profile"; question_index: number; n: number }>(
      `SELECT json_extract(f.state, '$.phase') AS phase, json_extract(f.state, '$.questionIndex') AS question_index,
         count(*) AS n
       FROM participants p JOIN flow_states f ON f.participant_id = p.id
       WHERE p.study_id = ? AND json_extract(f.state, '$.phase') IN ('screening', 'profile')
       GROUP BY 1, 2`,
    ),
    insertStudy: sqlite.prepare<[string, number, string, string, string, string]>(
      `INSERT INTO studies (id, version, title, definition, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'draft', ?, ?)`,
    ),
    updateStudy: sqlite.prepare<[number, string, string, string, string]>(
      "UPDATE studies SET version = ?, title = ?, definition = ?, updated_at = ? WHERE id = ?",
    ),
    settleDefinition: sqlite.prepare<[string, string, number, string]>(
      "UPDATE studies SET definition = ? WHERE id = ? AND version = ? AND updated_at = ?",
    ),
    upsertScenario: sqlite.prepare<[string, string, number, string, string, string | null, string | null]>(
      `INSERT INTO scenarios (study_id, id, position, messages, tags, reference_ranking, attention_check)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (study_id, id) DO UPDATE SET position = excluded.position, messages = excluded.messages,
         tags = excluded.tags, reference_ranking = excluded.reference_ranking, attention_check = excluded.attention_check`,
    ),
    updateMeta: sqlite.prepare<[number, string, string | null, string | null, string, string]>(
      `UPDATE scenarios SET position = ?, tags = ?, reference_ranking = ?, attention_check = ?
       WHERE study_id = ? AND id = ?`,
    ),
    deleteScenario: sqlite.prepare<[string, string]>("DELETE FROM scenarios WHERE study_id = ? AND id = ?"),
    deleteResponses: sqlite.prepare<[string, string]>(
      "DELETE FROM candidate_responses WHERE study_id = ? AND scenario_id = ?",
    ),
    insertResponse: sqlite.prepare<[string, string, string, string]>(
      "INSERT INTO candidate_responses (study_id, scenario_id, label, text) VALUES (?, ?, ?, ?)",
    ),
    deleteReference: sqlite.prepare<[string, string, string]>(
      "DELETE FROM reference_rankings WHERE study_id = ? AND scenario_id = ? AND source = ?",
    ),
    insertReference: sqlite.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO reference_rankings (study_id, scenario_id, source, source_version, ranking, imported_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
  };
}
