import { and, count, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Study } from "../core/study/schema.js";
import type { ChorusDb } from "./client.js";
import {
  assessments,
  assignments,
  candidateResponses,
  participants,
  referenceRankings,
  type StudyStatus,
  scenarios,
  studies,
} from "./schema.js";

/**
 * Studies in the store: import (whole, in one transaction), list, publish,
 * close. Not on the engine's hot path, so plain drizzle queries.
 */

/** A refused study operation. `message` is one line for the operator. */
export class StudyStoreError extends Error {
  override readonly name = "StudyStoreError";
  constructor(
    readonly code: "not_found" | "older_version" | "same_version_changed" | "scenario_in_use",
    message: string,
  ) {
    super(message);
  }
}

export interface ImportOptions {
  /** Overwrite a stored study of the same id and version whose content differs. */
  replace?: boolean;
  /** ISO time of the import (defaults to now). */
  at?: string;
}

export interface ImportResult {
  /** created: new study; updated: a newer version; replaced: same version overwritten; unchanged: identical. */
  action: "created" | "updated" | "replaced" | "unchanged";
  id: string;
  version: number;
  previousVersion: number | null;
  status: StudyStatus;
  scenarios: number;
  addedScenarios: string[];
  removedScenarios: string[];
}

/** Where the scenario text a participant ranked lives: changing it under existing answers is refused. */
const SOURCE_STUDY_FILE = "study-file";

/**
 * Imports a validated study. A new id is created as a draft; a higher
 * version updates the stored one (status kept). The same version is a no-op
 * when identical and refused when different unless `replace`. Scenarios
 * that participants were already assigned cannot be removed or have their
 * prompt or responses changed: give the changed scenario a new id.
 */
export function importStudy(db: ChorusDb, study: Study, options: ImportOptions = {}): ImportResult {
  const at = options.at ?? new Date().toISOString();
  return db.transaction(
    (tx) => {
      const existing = tx.select().from(studies).where(eq(studies.id, study.id)).get();
      let action: ImportResult["action"] = "created";
      if (existing) {
        if (study.version < existing.version) {
          throw new StudyStoreError(
            "older_version",
            `Study "${study.id}" is at version ${existing.version}; the file has older version ${study.version}`,
          );
        }
        if (study.version === existing.version) {
          if (canonicalJson(existing.definition) === canonicalJson(study)) {
            return summary("unchanged", study, existing.version, existing.status, [], []);
          }
          if (!options.replace) {
            throw new StudyStoreError(
              "same_version_changed",
              `Study "${study.id}" version ${study.version} is already imported with different content; raise "version" in the file, or use --replace`,
            );
          }
          action = "replaced";
        } else {
          action = "updated";
        }
      }

      const stored = tx.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.studyId, study.id)).all();
      const storedIds = new Set(stored.map((s) => s.id));
      const newIds = new Set(study.scenarios.map((s) => s.id));
      const removed = [...storedIds].filter((id) => !newIds.has(id));
      const added = [...newIds].filter((id) => !storedIds.has(id));
      if (existing) refuseChangesToAssignedScenarios(tx, study, removed);

      if (existing) {
        tx.update(studies)
          .set({ version: study.version, title: study.title, definition: study, updatedAt: at })
          .where(eq(studies.id, study.id))
          .run();
      } else {
        tx.insert(studies)
          .values({
            id: study.id,
            version: study.version,
            title: study.title,
            definition: study,
            createdAt: at,
            updatedAt: at,
          })
          .run();
      }
      if (removed.length > 0) {
        tx.delete(scenarios)
          .where(and(eq(scenarios.studyId, study.id), inArray(scenarios.id, removed)))
          .run();
      }
      tx.delete(candidateResponses).where(eq(candidateResponses.studyId, study.id)).run();
      tx.delete(referenceRankings)
        .where(and(eq(referenceRankings.studyId, study.id), eq(referenceRankings.source, SOURCE_STUDY_FILE)))
        .run();
      study.scenarios.forEach((scenario, position) => {
        const row = {
          position,
          messages: scenario.messages,
          tags: scenario.tags,
          referenceRanking: scenario.referenceRanking ?? null,
          attentionCheck: scenario.attentionCheck ?? null,
        };
        tx.insert(scenarios)
          .values({ studyId: study.id, id: scenario.id, ...row })
          .onConflictDoUpdate({ target: [scenarios.studyId, scenarios.id], set: row })
          .run();
        tx.insert(candidateResponses)
          .values(
            scenario.responses.map((r) => ({
              studyId: study.id,
              scenarioId: scenario.id,
              label: r.label,
              text: r.text,
            })),
          )
          .run();
        if (scenario.referenceRanking) {
          tx.insert(referenceRankings)
            .values({
              studyId: study.id,
              scenarioId: scenario.id,
              source: SOURCE_STUDY_FILE,
              sourceVersion: String(study.version),
              ranking: scenario.referenceRanking,
              importedAt: at,
            })
            .run();
        }
      });
      return summary(action, study, existing?.version ?? null, existing?.status ?? "draft", added, removed);
    },
    { behavior: "immediate" },
  );
}

function summary(
  action: ImportResult["action"],
  study: Study,
  previousVersion: number | null,
  status: StudyStatus,
  added: string[],
  removed: string[],
): ImportResult {
  return {
    action,
    id: study.id,
    version: study.version,
    previousVersion: action === "created" ? null : previousVersion,
    status,
    scenarios: study.scenarios.length,
    addedScenarios: action === "created" ? [] : added,
    removedScenarios: removed,
  };
}

type Tx = Parameters<Parameters<ChorusDb["transaction"]>[0]>[0];

function refuseChangesToAssignedScenarios(tx: Tx, study: Study, removed: string[]): void {
  const inUse = new Set(
    tx
      .selectDistinct({ id: assignments.scenarioId })
      .from(assignments)
      .where(eq(assignments.studyId, study.id))
      .all()
      .map((row) => row.id),
  );
  if (inUse.size === 0) return;
  const removedInUse = removed.filter((id) => inUse.has(id));
  if (removedInUse.length > 0) {
    throw new StudyStoreError(
      "scenario_in_use",
      `Study "${study.id}": scenario(s) ${removedInUse.join(", ")} were already assigned to participants and cannot be removed`,
    );
  }
  const storedText = storedScenarioText(tx, study.id);
  const changed = study.scenarios
    .filter((scenario) => inUse.has(scenario.id))
    .filter((scenario) => storedText.get(scenario.id) !== scenarioText(scenario.messages, scenario.responses))
    .map((scenario) => scenario.id);
  if (changed.length > 0) {
    throw new StudyStoreError(
      "scenario_in_use",
      `Study "${study.id}": scenario(s) ${changed.join(", ")} were already assigned to participants; their prompt and responses cannot change (use a new scenario id)`,
    );
  }
}

function storedScenarioText(tx: Tx, studyId: string): Map<string, string> {
  const responses = tx
    .select()
    .from(candidateResponses)
    .where(eq(candidateResponses.studyId, studyId))
    .orderBy(candidateResponses.scenarioId, candidateResponses.label)
    .all();
  const byScenario = new Map<string, { label: string; text: string }[]>();
  for (const r of responses) {
    const list = byScenario.get(r.scenarioId) ?? [];
    list.push({ label: r.label, text: r.text });
    byScenario.set(r.scenarioId, list);
  }
  const rows = tx
    .select({ id: scenarios.id, messages: scenarios.messages })
    .from(scenarios)
    .where(eq(scenarios.studyId, studyId))
    .all();
  return new Map(rows.map((row) => [row.id, scenarioText(row.messages, byScenario.get(row.id) ?? [])]));
}

function scenarioText(messages: unknown, responses: { label: string; text: string }[]): string {
  const sorted = [...responses].sort((a, b) => a.label.localeCompare(b.label)).map((r) => [r.label, r.text]);
  return canonicalJson([messages, sorted]);
}

/** JSON with object keys sorted, so equal content compares equal whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export interface StudySummary {
  id: string;
  version: number;
  status: StudyStatus;
  title: Study["title"];
  scenarios: number;
  participants: number;
  admitted: number;
  assessments: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  closedAt: string | null;
}

export function listStudies(db: ChorusDb): StudySummary[] {
  const rows = db
    .select({
      id: studies.id,
      version: studies.version,
      status: studies.status,
      title: studies.title,
      createdAt: studies.createdAt,
      updatedAt: studies.updatedAt,
      publishedAt: studies.publishedAt,
      closedAt: studies.closedAt,
    })
    .from(studies)
    .orderBy(studies.createdAt, studies.id)
    .all();
  const counts = (table: typeof scenarios | typeof participants | typeof assessments, where = sql`1`) =>
    new Map(
      db
        .select({ id: table.studyId, n: count() })
        .from(table)
        .where(where)
        .groupBy(table.studyId)
        .all()
        .map((r) => [r.id, r.n]),
    );
  const scenarioCounts = counts(scenarios);
  const participantCounts = counts(participants);
  const admittedCounts = counts(participants, isNotNull(participants.admittedAt));
  const assessmentCounts = counts(assessments);
  return rows.map((row) => ({
    ...row,
    scenarios: scenarioCounts.get(row.id) ?? 0,
    participants: participantCounts.get(row.id) ?? 0,
    admitted: admittedCounts.get(row.id) ?? 0,
    assessments: assessmentCounts.get(row.id) ?? 0,
  }));
}

/** Whether the database holds any study at all (first start). */
export function hasAnyStudy(db: ChorusDb): boolean {
  return db.select({ id: studies.id }).from(studies).limit(1).get() !== undefined;
}

export function getStudy(db: ChorusDb, id: string): (StudySummary & { definition: Study }) | undefined {
  const row = db.select({ definition: studies.definition }).from(studies).where(eq(studies.id, id)).get();
  const listed = listStudies(db).find((s) => s.id === id);
  return row && listed ? { ...listed, definition: row.definition } : undefined;
}

/** Opens a study to newcomers (the engine joins them to the most recently published one). */
export function publishStudy(db: ChorusDb, id: string, at = new Date().toISOString()): StudySummary {
  return setStatus(db, id, { status: "published", publishedAt: at, closedAt: null });
}

/** Stops new participants joining; those already in it can finish. */
export function closeStudy(db: ChorusDb, id: string, at = new Date().toISOString()): StudySummary {
  return setStatus(db, id, { status: "closed", closedAt: at });
}

function setStatus(
  db: ChorusDb,
  id: string,
  values: { status: StudyStatus; publishedAt?: string; closedAt?: string | null },
): StudySummary {
  const changed = db.update(studies).set(values).where(eq(studies.id, id)).run();
  const study = changed.changes === 1 ? listStudies(db).find((s) => s.id === id) : undefined;
  if (!study) throw new StudyStoreError("not_found", `No study with id "${id}" (see: chorus study list)`);
  return study;
}
