import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Label } from "../../src/core/labels.js";
import { weightedLetterCount } from "../../src/core/text/measure.js";
import { loadAnalysis } from "../../src/research/analysis-data.js";
import { fillAnswerMeasures } from "../../src/store/answer-measures.js";
import { DEFAULT_MIGRATIONS_FOLDER, openDatabase } from "../../src/store/client.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { seedResearchData } from "../research/fixtures.js";

/** Rationales in the scripts the weights distinguish, with the weight each must get. */
const SCRIPTS: [script: string, text: string, weight: number][] = [
  ["Latin", "Honest, but it should say more about the risks.", 37],
  // 16 clusters (a consonant with its vowel sign is one) × 1.6.
  ["Hindi", "यह उत्तर सबसे अधिक सहायक है।", 16 * 1.6],
  // Six kanji × 3, eight kana × 1.5.
  ["Japanese", "この回答は正直で役に立ちます。", 6 * 3 + 8 * 1.5],
  ["Arabic", "هذه الإجابة صادقة ومفيدة.", 21 * 1.2],
  // Emoji and punctuation count for nothing.
  ["emoji", "👍🏽👍 ok!! — 🙂", 2],
];

const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, second, 125)).toISOString();

let database: TestDatabase;
beforeEach(() => {
  database = createTestDatabase();
});
afterEach(() => database.cleanup());

function measures(sqlite: TestDatabase["sqlite"]) {
  return {
    blocks: sqlite.prepare("SELECT rationale, rationale_weight AS weight FROM ranking_blocks ORDER BY rowid").all() as {
      rationale: string | null;
      weight: number | null;
    }[],
    assessments: sqlite
      .prepare(
        `SELECT unacceptable_rationale AS rationale, unacceptable_rationale_weight AS weight, reading_seconds,
           round((julianday(reading_done_at) - julianday(started_at)) * 86400.0, 3) AS from_times
         FROM assessments ORDER BY id`,
      )
      .all() as {
      rationale: string | null;
      weight: number | null;
      reading_seconds: number | null;
      from_times: number;
    }[],
  };
}

describe("measures kept when an answer is recorded", () => {
  it("stores each rationale's weighted letter count and the reading seconds, for every script", () => {
    const id = seedResearchData(database).participants.p1;
    const store = createSurveyStore(database);
    store.applyEffect(id, {
      type: "assignments_created",
      assignments: [{ scenarioId: "attention", position: 2, shownOrder: "ABCD", form: "long" }],
      at: at(0),
    });
    const [first, ...others] = SCRIPTS;
    store.applyEffect(id, {
      type: "assessment_recorded",
      assessment: {
        position: 2,
        scenarioId: "attention",
        shownOrder: "ABCD",
        form: "long",
        startedAt: at(0),
        readingDoneAt: at(47),
        completedAt: at(90),
        locale: "en",
        blocks: others.slice(0, 2).map(([, text], i) => ({
          block: i === 0 ? "world" : "personal",
          ranking: "A>B>C>D",
          rationale: { text, detectedLanguage: null, detectedConfidence: null },
          rankedAt: at(50),
          rationaleAt: at(60),
        })),
        unacceptable: {
          labels: ["B"] as Label[],
          rationale: { text: (first as (typeof SCRIPTS)[number])[1], detectedLanguage: null, detectedConfidence: null },
        },
      },
    });
    const stored = measures(database.sqlite);
    for (const row of [...stored.blocks, ...stored.assessments]) {
      expect(row.weight).toBe(row.rationale === null ? null : weightedLetterCount(row.rationale));
    }
    for (const [script, text, weight] of SCRIPTS.slice(0, 3)) {
      const row = [...stored.blocks, ...stored.assessments].find((r) => r.rationale === text);
      expect([script, row?.weight]).toEqual([script, expect.closeTo(weight, 9)]);
    }
    const last = stored.assessments.at(-1);
    expect(last?.reading_seconds).toBe(47);
    for (const row of stored.assessments) expect(row.reading_seconds).toBe(row.from_times);
  });

  it("weighs every script as the survey's own check does", () => {
    for (const [script, text, weight] of SCRIPTS) {
      expect([script, weightedLetterCount(text)]).toEqual([script, expect.closeTo(weight, 9)]);
    }
  });
});

/** db/migrations as they stood before the migration that adds the measures. */
function migrationsBeforeMeasures(dir: string): string {
  const folder = join(dir, "migrations-before-measures");
  mkdirSync(join(folder, "meta"), { recursive: true });
  const journal = JSON.parse(readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  // Everything before it: drizzle applies only migrations newer than the last one applied.
  const at = journal.entries.findIndex((entry) => entry.tag.endsWith("_answer_measures"));
  expect(at).toBeGreaterThan(0);
  const kept = journal.entries.slice(0, at);
  writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify({ ...journal, entries: kept }));
  for (const file of readdirSync(DEFAULT_MIGRATIONS_FOLDER)) {
    if (kept.some((entry) => file === `${entry.tag}.sql`))
      copyFileSync(join(DEFAULT_MIGRATIONS_FOLDER, file), join(folder, file));
  }
  return folder;
}

describe("measures follow a text changed by hand", () => {
  it("recomputes the reading time and clears a changed rationale's weight (the analysis then measures it)", () => {
    seedResearchData(database);
    database.sqlite.exec(`UPDATE assessments SET reading_done_at = '${at(12)}', started_at = '${at(0)}' WHERE id = 1`);
    database.sqlite.exec("UPDATE ranking_blocks SET rationale = 'changed' WHERE assessment_id = 1 AND block = 'world'");
    database.sqlite.exec("UPDATE ranking_blocks SET rationale_weight = 99 WHERE assessment_id = 2 AND block = 'world'");
    const row = (sql: string) => database.sqlite.prepare(sql).pluck().get();
    expect(row("SELECT reading_seconds FROM assessments WHERE id = 1")).toBe(12);
    expect(row("SELECT rationale_weight FROM ranking_blocks WHERE assessment_id = 1 AND block = 'world'")).toBeNull();
    // A weight written on purpose stays.
    expect(row("SELECT rationale_weight FROM ranking_blocks WHERE assessment_id = 2 AND block = 'world'")).toBe(99);
  });
});

describe("migration 0008 and the fill after it", () => {
  it("fills the rows recorded before it exactly as recording does, in slices", () => {
    // The same answers recorded by this code (measures kept) and in a database from before the migration.
    seedResearchData(database);
    const store = createSurveyStore(database);
    store.applyEffect("p-one", { type: "consent_given", consentVersion: "1", at: at(1) });
    const recorded = measures(database.sqlite);

    const oldPath = join(database.dir, "before.db");
    const old = openDatabase(oldPath, { migrationsFolder: migrationsBeforeMeasures(database.dir) });
    const columns = (table: string) =>
      (old.sqlite.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
        (name) => !["reading_seconds", "rationale_weight", "unacceptable_rationale_weight"].includes(name),
      );
    old.sqlite.exec(`ATTACH DATABASE '${database.path}' AS recorded`);
    // Every table as recorded, without the measures' columns (which that schema does not have).
    const tables = old.sqlite
      .prepare(
        "SELECT name FROM recorded.sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT IN ('backfills', 'sqlite_sequence')",
      )
      .pluck()
      .all() as string[];
    old.sqlite.pragma("foreign_keys = OFF");
    for (const table of tables) {
      const list = columns(table).join(", ");
      old.sqlite.exec(`INSERT INTO main.${table} (${list}) SELECT ${list} FROM recorded.${table}`);
    }
    old.sqlite.exec("DETACH DATABASE recorded");
    old.close();

    // Open it as Chorus does: the migration runs, then the fill, to the end.
    const migrated = openDatabase(oldPath);
    expect(measures(migrated.sqlite)).toEqual(recorded);
    expect(migrated.sqlite.prepare("SELECT count(*) FROM backfills").pluck().get()).toBe(0);

    // Slice by slice, resumed where a slice stopped.
    migrated.sqlite.exec(
      "UPDATE ranking_blocks SET rationale_weight = NULL; UPDATE assessments SET reading_seconds = NULL, unacceptable_rationale_weight = NULL",
    );
    migrated.sqlite
      .prepare(
        "INSERT INTO backfills (name, next_id, last_id) SELECT 'answer_measures', min(id), max(id) FROM assessments",
      )
      .run();
    const assessments = recorded.assessments.length;
    expect(assessments).toBeGreaterThan(3);
    expect(fillAnswerMeasures(migrated.sqlite, { sliceAssessments: 2, maxSlices: 1 })).toEqual({
      slices: 1,
      done: false,
    });
    const partial = measures(migrated.sqlite);
    expect(partial.assessments.map((row) => row.reading_seconds !== null)).toEqual(
      recorded.assessments.map((_, i) => i < 2),
    );
    expect(fillAnswerMeasures(migrated.sqlite, { sliceAssessments: 2 })).toEqual({
      slices: Math.ceil(assessments / 2) - 1,
      done: true,
    });
    expect(measures(migrated.sqlite)).toEqual(recorded);
    migrated.close();
  });

  it("leaves the analysis unchanged whether the measures are stored or not", () => {
    seedResearchData(database);
    database.sqlite.prepare("UPDATE ranking_blocks SET rationale = ? WHERE block = 'personal'").run("यह ठीक है 👍");
    const options = { excludeFlagged: false, by: "age_band" };
    const stored = loadAnalysis(database.sqlite, options);
    expect(stored.quality.shortRationales).toBeGreaterThan(0);
    // Measures missing, and opens counts of two digits (not in the single-digit form SQLite decides alone).
    database.sqlite.exec(
      `UPDATE ranking_blocks SET rationale_weight = NULL;
       UPDATE assessments SET reading_seconds = NULL, unacceptable_rationale_weight = NULL, opens = replace(opens, ':1,', ':10,')`,
    );
    expect(
      database.sqlite.prepare("SELECT count(*) FROM assessments WHERE opens LIKE '%:10,%'").pluck().get(),
    ).toBeGreaterThan(0);
    expect(loadAnalysis(database.sqlite, options)).toEqual(stored);
  });
});
