import type Database from "better-sqlite3";
import { ChorusError } from "../core/errors.js";
import type { Label } from "../core/labels.js";
import { type ChatMessage, type Scenario, type Study, StudySchema } from "../core/study/schema.js";
import type { StudyStatus } from "./schema.js";

/**
 * A study as the store keeps it, and the one place it is read back. The
 * definition (`studies.definition`) is the study without its scenarios'
 * texts: it lists the scenario ids in order, and the texts live once, in
 * `scenarios` and `candidate_responses`. So adding scenarios to a study of
 * 50 MB rewrites a list of ids, not 50 MB of JSON, and every reader builds
 * the full Study from the tables here.
 */

/** What `studies.definition` holds. */
export interface StoredDefinition extends Omit<Study, "scenarios"> {
  /** The study's scenarios, in the study's order. */
  scenarioIds: string[];
  /**
   * Scenarios of a live study whose rows an import is still rewriting (it
   * makes the version live first, then catches the rows up in short
   * transactions): their new text is read from here meanwhile, and the
   * import drops them once the rows hold it. Absent otherwise.
   */
  pendingScenarios?: Scenario[];
}

/** A refused or impossible study operation. `message` is one line for the operator. */
export class StudyStoreError extends ChorusError {
  override readonly name = "StudyStoreError";
  constructor(
    readonly code:
      | "not_found"
      | "older_version"
      | "same_version_changed"
      | "scenario_in_use"
      | "would_strand"
      | "invalid_stored_study",
    message: string,
  ) {
    super(message);
  }
}

/** The `studies` row of a study, its definition parsed. */
export interface StoredStudy {
  id: string;
  version: number;
  status: StudyStatus;
  /** When the current version was imported (with the version, what tells one stored version from another). */
  updatedAt: string;
  definition: StoredDefinition;
}

/** The definition JSON to store for `study`; `pending` are scenarios whose rows are not written yet. */
export function definitionJson(study: Study, pending: readonly Scenario[] = []): string {
  const { scenarios, ...settings } = study;
  const definition: StoredDefinition = { ...settings, scenarioIds: scenarios.map((scenario) => scenario.id) };
  if (pending.length > 0) definition.pendingScenarios = [...pending];
  return JSON.stringify(definition);
}

interface StudyRow {
  id: string;
  version: number;
  status: StudyStatus;
  updated_at: string;
  definition: string;
}

const STUDY_COLUMNS = "id, version, status, updated_at, definition";

/** The stored study without its scenarios' texts (cheap whatever its size); undefined for an unknown id. */
export function readStoredStudy(sqlite: Database.Database, studyId: string): StoredStudy | undefined {
  const row = sqlite.prepare<[string], StudyRow>(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = ?`).get(studyId);
  return row ? storedStudyOf(row) : undefined;
}

/** Every stored study (oldest first), without scenario texts. */
export function readStoredStudies(sqlite: Database.Database): StoredStudy[] {
  return sqlite
    .prepare<[], StudyRow>(`SELECT ${STUDY_COLUMNS} FROM studies ORDER BY created_at, id`)
    .all()
    .map(storedStudyOf);
}

function storedStudyOf(row: StudyRow): StoredStudy {
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    updatedAt: row.updated_at,
    definition: JSON.parse(row.definition) as StoredDefinition,
  };
}

/**
 * The full Study as stored, unvalidated: the definition with its listed
 * scenarios built from their rows (a pending scenario from the definition).
 * A listed scenario without a row (a new study whose import was cut short)
 * is left out; `loadStudy` refuses such a study.
 */
export function assembleStudy(sqlite: Database.Database, stored: StoredStudy): Study {
  const { scenarioIds, pendingScenarios, ...settings } = stored.definition;
  const byId = new Map<string, Scenario>();
  for (const scenario of scenarioRows(sqlite, stored.id)) byId.set(scenario.id, scenario);
  for (const scenario of pendingScenarios ?? []) byId.set(scenario.id, scenario);
  const scenarios: Scenario[] = [];
  for (const id of scenarioIds) {
    const scenario = byId.get(id);
    if (scenario) scenarios.push(scenario);
  }
  return { ...settings, scenarios };
}

/** The stored study, validated: what the engine, exports, stats and broadcasts work with. */
export function studyOf(sqlite: Database.Database, stored: StoredStudy): Study {
  const study = assembleStudy(sqlite, stored);
  if (study.scenarios.length < stored.definition.scenarioIds.length) {
    throw new StudyStoreError(
      "invalid_stored_study",
      `Stored study ${stored.id} v${stored.version} lists scenarios that are not stored (an interrupted import); import it again`,
    );
  }
  const parsed = StudySchema.safeParse(study);
  if (!parsed.success) {
    throw new StudyStoreError(
      "invalid_stored_study",
      `Stored study ${stored.id} v${stored.version} no longer matches the study schema; re-import it`,
    );
  }
  return parsed.data;
}

/** The full, validated study of that id, or undefined for an unknown id. */
export function loadStudy(sqlite: Database.Database, studyId: string): Study | undefined {
  return loadStoredStudy(sqlite, studyId)?.study;
}

/**
 * The stored row and its full, validated study, read in one transaction so
 * the definition and the scenario rows it lists come from the same snapshot
 * (an import may be rewriting them meanwhile). Undefined for an unknown id.
 */
export function loadStoredStudy(
  sqlite: Database.Database,
  studyId: string,
): { stored: StoredStudy; study: Study } | undefined {
  return sqlite
    .transaction(() => {
      const stored = readStoredStudy(sqlite, studyId);
      return stored && { stored, study: studyOf(sqlite, stored) };
    })
    .deferred();
}

/** Which study newcomers join: the most recently published one (the engine prepares this once). */
export const NEWCOMER_STUDY_SQL =
  "SELECT id FROM studies WHERE status = 'published' ORDER BY published_at DESC, id LIMIT 1";

export function newcomerStudyId(sqlite: Database.Database): string | undefined {
  return sqlite.prepare<[], { id: string }>(NEWCOMER_STUDY_SQL).get()?.id;
}

interface ScenarioRow {
  id: string;
  messages: string;
  tags: string;
  reference_ranking: string | null;
  attention_check: string | null;
}

/** Every scenario row of the study with its four responses (in the order they were written). */
function scenarioRows(sqlite: Database.Database, studyId: string): Scenario[] {
  const responses = new Map<string, Scenario["responses"]>();
  const responseRows = sqlite
    .prepare<[string], { scenario_id: string; label: Label; text: string }>(
      "SELECT scenario_id, label, text FROM candidate_responses WHERE study_id = ? ORDER BY rowid",
    )
    .iterate(studyId);
  for (const row of responseRows) {
    const list = responses.get(row.scenario_id) ?? [];
    list.push({ label: row.label, text: row.text });
    responses.set(row.scenario_id, list);
  }
  const rows = sqlite
    .prepare<[string], ScenarioRow>(
      "SELECT id, messages, tags, reference_ranking, attention_check FROM scenarios WHERE study_id = ?",
    )
    .all(studyId);
  return rows.map((row) => {
    const scenario: Scenario = {
      id: row.id,
      messages: JSON.parse(row.messages) as ChatMessage[],
      responses: responses.get(row.id) ?? [],
      tags: JSON.parse(row.tags) as string[],
    };
    if (row.reference_ranking !== null) scenario.referenceRanking = row.reference_ranking;
    if (row.attention_check !== null)
      scenario.attentionCheck = JSON.parse(row.attention_check) as Scenario["attentionCheck"];
    return scenario;
  });
}
