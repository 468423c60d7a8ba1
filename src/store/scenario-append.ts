import type Database from "better-sqlite3";
import { ChorusError } from "../core/errors.js";
import type { Scenario } from "../core/study/schema.js";
import { readStoredStudy, type StoredStudy } from "./stored-study.js";

/**
 * Appending scenarios to a stored study (`chorus scenario add`) in short
 * write transactions, however many there are. The rows (scenario,
 * candidate responses, study-file reference ranking) go in batches first;
 * the engine does not see them until the last transaction lists their ids
 * in the study definition and raises its version, so the addition still
 * lands all at once for participants. A run that fails or is killed part-way leaves
 * only rows no definition lists, which `removeUnlistedScenarios` deletes
 * (every append starts with it).
 */

const STUDY_FILE_SOURCE = "study-file";

/** The stored study an append starts from: its definition (no scenario texts) and the ids it lists. */
interface StoredStudyHead {
  stored: StoredStudy;
  ids: Set<string>;
}

export function readStudyHead(sqlite: Database.Database, studyId: string): StoredStudyHead | undefined {
  const stored = readStoredStudy(sqlite, studyId);
  return stored ? { stored, ids: new Set(stored.definition.scenarioIds) } : undefined;
}

/** Deletes scenario rows of the study that its definition does not list (left by an interrupted append). */
export function removeUnlistedScenarios(sqlite: Database.Database, studyId: string, listed: Set<string>): number {
  const rows = sqlite
    .prepare<[string], { id: string }>(
      `SELECT s.id FROM scenarios s WHERE s.study_id = ?
       AND NOT EXISTS (SELECT 1 FROM assignments g WHERE g.study_id = s.study_id AND g.scenario_id = s.id)`,
    )
    .all(studyId)
    .filter((row) => !listed.has(row.id));
  const remove = sqlite.prepare<[string, string]>("DELETE FROM scenarios WHERE study_id = ? AND id = ?");
  const removeResponses = sqlite.prepare<[string, string]>(
    "DELETE FROM candidate_responses WHERE study_id = ? AND scenario_id = ?",
  );
  for (let start = 0; start < rows.length; start += 500) {
    sqlite
      .transaction(() => {
        for (const { id } of rows.slice(start, start + 500)) {
          removeResponses.run(studyId, id);
          remove.run(studyId, id);
        }
      })
      .immediate();
  }
  return rows.length;
}

interface ScenarioRowOptions {
  /** ISO time recorded on study-file reference rankings. */
  at: string;
  /** source_version of study-file reference rankings (the study version; null until an append is published). */
  referenceVersion: string | null;
  /** Update scenarios that already have a row (a study re-import) instead of failing on them. */
  upsert: boolean;
}

/**
 * Writes scenario rows, their four candidate responses and their study-file
 * reference ranking with prepared statements, inside the caller's
 * transaction (about 4 µs a row; drizzle's query builder took ~60 µs, which
 * held a 20,000-scenario import's write lock for seconds).
 */
function writeScenarioRows(
  sqlite: Database.Database,
  studyId: string,
  scenarios: readonly Scenario[],
  firstPosition: number,
  options: ScenarioRowOptions,
): void {
  const scenario = sqlite.prepare(
    `INSERT INTO scenarios (study_id, id, position, messages, tags, reference_ranking, attention_check)
     VALUES (?, ?, ?, ?, ?, ?, ?)${
       options.upsert
         ? ` ON CONFLICT (study_id, id) DO UPDATE SET position = excluded.position, messages = excluded.messages,
             tags = excluded.tags, reference_ranking = excluded.reference_ranking, attention_check = excluded.attention_check`
         : ""
     }`,
  );
  const response = sqlite.prepare(
    "INSERT INTO candidate_responses (study_id, scenario_id, label, text) VALUES (?, ?, ?, ?)",
  );
  const reference = sqlite.prepare(
    `INSERT INTO reference_rankings (study_id, scenario_id, source, source_version, ranking, imported_at)
     VALUES (?, ?, '${STUDY_FILE_SOURCE}', ?, ?, ?)`,
  );
  scenarios.forEach((item, i) => {
    scenario.run(
      studyId,
      item.id,
      firstPosition + i,
      JSON.stringify(item.messages),
      JSON.stringify(item.tags),
      item.referenceRanking ?? null,
      item.attentionCheck ? JSON.stringify(item.attentionCheck) : null,
    );
    for (const r of item.responses) response.run(studyId, item.id, r.label, r.text);
    if (item.referenceRanking) {
      reference.run(studyId, item.id, options.referenceVersion, item.referenceRanking, options.at);
    }
  });
}

/** Writes one batch of an append in one short transaction; `position` is the first one's. */
export function insertScenarioRows(
  sqlite: Database.Database,
  studyId: string,
  batch: readonly Scenario[],
  position: number,
  at: string,
): void {
  sqlite
    .transaction(() =>
      writeScenarioRows(sqlite, studyId, batch, position, { at, referenceVersion: null, upsert: false }),
    )
    .immediate();
}

class AppendConflictError extends ChorusError {
  override readonly name = "AppendConflictError";
}

/**
 * The last, short transaction: the definition lists the new scenario ids
 * and moves to the next version (unless another import changed the study
 * meanwhile), study-file reference rankings carry that version; `within`
 * runs in the same transaction (the caller's audit entry).
 */
export function publishAppendedScenarios(
  sqlite: Database.Database,
  head: StoredStudyHead,
  added: readonly string[],
  at: string,
  within: (version: number) => void,
): { version: number; scenarios: number } {
  const { stored } = head;
  const version = stored.version + 1;
  const scenarioIds = [...stored.definition.scenarioIds, ...added];
  const definition = JSON.stringify({ ...stored.definition, version, scenarioIds });
  return sqlite
    .transaction(() => {
      const changed = sqlite
        .prepare(
          "UPDATE studies SET version = ?, definition = ?, updated_at = ? WHERE id = ? AND version = ? AND updated_at = ?",
        )
        .run(version, definition, at, stored.id, stored.version, stored.updatedAt);
      if (changed.changes !== 1) {
        throw new AppendConflictError(
          `Study "${stored.id}" changed while the scenarios were being added; nothing was added, run the command again`,
        );
      }
      sqlite
        .prepare("UPDATE reference_rankings SET source_version = ? WHERE study_id = ? AND source = ?")
        .run(String(version), stored.id, STUDY_FILE_SOURCE);
      within(version);
      return { version, scenarios: scenarioIds.length };
    })
    .immediate();
}
