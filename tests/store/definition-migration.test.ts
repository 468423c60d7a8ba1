import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendScenarios } from "../../src/cli/scenario.js";
import type { Study } from "../../src/core/study/schema.js";
import { cliActor } from "../../src/staff/audit.js";
import { DEFAULT_MIGRATIONS_FOLDER, openDatabase } from "../../src/store/client.js";
import { loadStudy } from "../../src/store/stored-study.js";
import { importStudy } from "../../src/store/study-repository.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { loadMiniStudy } from "../helpers/db.js";

/**
 * A database written before definitions lost their scenario texts (every
 * scenario inside `studies.definition`, the rows beside it) keeps working
 * after the migration: the same study loads, its definition lists ids only,
 * and the engine, re-imports and appends carry on.
 */

const MIGRATION = "definitions_without_scenario_text";

let dir: string;
let file: string;
let study: Study;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-definition-migration-"));
  file = join(dir, "chorus.db");
  study = loadMiniStudy();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** db/migrations as it was before this migration (whatever number it is given). */
function migrationsBefore(): string {
  const older = join(dir, "older-migrations");
  cpSync(DEFAULT_MIGRATIONS_FOLDER, older, { recursive: true });
  const journalPath = join(older, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag.endsWith(MIGRATION));
  expect(at).toBeGreaterThan(0);
  for (const entry of journal.entries.splice(at)) rmSync(join(older, `${entry.tag}.sql`));
  writeFileSync(journalPath, JSON.stringify(journal));
  return older;
}

/**
 * The mini study as the previous code stored it, published, with one
 * participant who ranked `weather`. The rows of `headache` lag the
 * definition (an import cut short after its switch) and `attention` has no
 * row's responses yet: the definition is what participants were shown.
 */
function writeOldDatabase(): void {
  const old = openDatabase(file, { migrationsFolder: migrationsBefore() });
  const { sqlite } = old;
  const at = "2026-01-01T00:00:00.000Z";
  sqlite
    .prepare(
      `INSERT INTO studies (id, version, title, definition, status, created_at, updated_at, published_at)
       VALUES (?, ?, ?, ?, 'published', ?, ?, ?)`,
    )
    .run(study.id, study.version, JSON.stringify(study.title), JSON.stringify(study), at, at, at);
  const scenario = sqlite.prepare(
    `INSERT INTO scenarios (study_id, id, position, messages, tags, reference_ranking, attention_check)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const response = sqlite.prepare(
    "INSERT INTO candidate_responses (study_id, scenario_id, label, text) VALUES (?, ?, ?, ?)",
  );
  study.scenarios.forEach((s, position) => {
    scenario.run(
      study.id,
      s.id,
      position,
      JSON.stringify(s.id === "headache" ? [{ role: "user", content: "An older prompt" }] : s.messages),
      JSON.stringify(s.tags),
      s.referenceRanking ?? null,
      s.attentionCheck ? JSON.stringify(s.attentionCheck) : null,
    );
    if (s.referenceRanking) {
      sqlite
        .prepare(
          `INSERT INTO reference_rankings (study_id, scenario_id, source, source_version, ranking, imported_at)
           VALUES (?, ?, 'study-file', '1', ?, ?)`,
        )
        .run(study.id, s.id, s.referenceRanking, at);
    }
    if (s.id === "attention") return;
    for (const r of s.responses) response.run(study.id, s.id, r.label, s.id === "headache" ? "older" : r.text);
  });
  sqlite
    .prepare(
      `INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, created_at, updated_at)
       VALUES ('p1', 'console', 'u1', 'mini', 'en', 'active', ?, ?)`,
    )
    .run(at, at);
  sqlite
    .prepare(
      `INSERT INTO assignments (participant_id, study_id, scenario_id, position, shown_order, form, assigned_at)
       VALUES ('p1', 'mini', 'weather', 0, 'ABCD', 'long', ?)`,
    )
    .run(at);
  old.close();
}

describe("the migration to definitions without scenario text", () => {
  it("keeps the study whole: the definition's text goes to the rows, the definition keeps the ids", () => {
    writeOldDatabase();
    const database = openDatabase(file);
    try {
      expect(loadStudy(database.sqlite, "mini")).toEqual(study);
      const definition = JSON.parse(
        database.sqlite.prepare("SELECT definition FROM studies WHERE id = 'mini'").pluck().get() as string,
      ) as Record<string, unknown>;
      expect(definition.scenarios).toBeUndefined();
      expect(definition.scenarioIds).toEqual(["weather", "headache", "attention"]);
      const { scenarios, ...settings } = study;
      expect(definition).toEqual({ ...settings, scenarioIds: ["weather", "headache", "attention"] });
      const texts = database.sqlite
        .prepare(
          "SELECT scenario_id, label, text FROM candidate_responses WHERE scenario_id <> 'weather' ORDER BY 1, 2",
        )
        .all();
      expect(texts).toEqual(
        scenarios
          .filter((s) => s.id !== "weather")
          .flatMap((s) => s.responses.map((r) => ({ scenario_id: s.id, label: r.label, text: r.text })))
          .sort((a, b) => a.scenario_id.localeCompare(b.scenario_id) || a.label.localeCompare(b.label)),
      );
      // The participant's assignment and the scenario counters are untouched.
      expect(database.sqlite.prepare("SELECT count(*) FROM assignments").pluck().get()).toBe(1);
    } finally {
      database.close();
    }
  });

  it("the engine, a re-import and an append go on working on the migrated file", async () => {
    writeOldDatabase();
    const database = openDatabase(file);
    try {
      const store = createSurveyStore(database);
      expect(store.openStudy()).toEqual(study);
      expect(importStudy(database.db, study).action).toBe("unchanged");
      const next = { ...study, version: 2, briefing: "Read all four first." };
      expect(importStudy(database.db, next)).toMatchObject({ action: "updated", previousVersion: 1 });
      async function* one() {
        yield { scenario: { ...(study.scenarios[1] as Study["scenarios"][number]), id: "later" }, line: 1 };
      }
      const appended = await appendScenarios(database, "mini", one(), cliActor(), "2026-02-01T00:00:00.000Z");
      expect(appended).toMatchObject({ ok: true, version: 3, scenarios: 4 });
      const loaded = loadStudy(database.sqlite, "mini");
      expect(loaded?.briefing).toBe("Read all four first.");
      expect(loaded?.scenarios.map((s) => s.id)).toEqual(["weather", "headache", "attention", "later"]);
      expect(loaded?.scenarios[3]?.responses).toEqual(study.scenarios[1]?.responses);
    } finally {
      database.close();
    }
  });
});
