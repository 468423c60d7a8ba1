import { createHmac } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createAnnotatorIds } from "../../src/research/annotator-id.js";
import { writeCsv } from "../../src/research/export/csv-export.js";
import { silentProgress } from "../../src/research/export/progress.js";
import { TAKEN_KEYS } from "../../src/research/export/ratings.js";
import { EXPORT_FORMATS, type ExportFormat, runExport } from "../../src/research/export/run.js";
import { ResearchError, resolveScope } from "../../src/research/export/scope.js";
import { createExportReads } from "../../src/store/export-reads.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { PROMPT_RATINGS, RATIONALES, SECRET, type Seeded, seedResearchData } from "./fixtures.js";
import { pythonMissing, runPython } from "./python/python.js";

let database: TestDatabase;
let seeded: Seeded;

beforeEach(() => {
  database = createTestDatabase();
  seeded = seedResearchData(database);
});
afterEach(() => database.cleanup());

function exportTo(
  format: ExportFormat,
  out: string,
  extra: { secret?: string; since?: string; studyId?: string; pageSize?: number; redact?: boolean } = {},
) {
  return runExport(database.sqlite, {
    format,
    out: join(database.dir, out),
    secret: SECRET,
    progress: () => silentProgress,
    ...extra,
  });
}

function hmac(participantId: string, secret = SECRET): string {
  return createHmac("sha256", secret).update(participantId).digest("hex").slice(0, 32);
}

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface DbAssessment {
  id: number;
  participant_id: string;
  study_id: string;
  scenario_id: string;
  locale: string;
  started_at: string;
  reading_done_at: string | null;
  completed_at: string;
  unacceptable_labels: string | null;
  unacceptable_rationale: string | null;
  unacceptable_rationale_language: string | null;
  unacceptable_rationale_confidence: number | null;
  shown_order: string;
  form: string;
  position: number;
  platform: string;
  layout: string | null;
  opens: string | null;
  ratings: string | null;
}

interface DbBlock {
  assessment_id: number;
  block: string;
  ranking: string;
  rationale: string | null;
  rationale_language: string | null;
  rationale_confidence: number | null;
  ranked_at: string;
  rationale_at: string | null;
  rationale_parts: number | null;
}

function dbAssessments(): DbAssessment[] {
  return database.sqlite
    .prepare(
      `SELECT a.*, g.shown_order, g.form, g.position, p.platform FROM assessments a
       JOIN assignments g ON g.id = a.assignment_id JOIN participants p ON p.id = a.participant_id ORDER BY a.id`,
    )
    .all() as DbAssessment[];
}

function dbBlocks(assessmentId: number): Map<string, DbBlock> {
  const rows = database.sqlite
    .prepare("SELECT * FROM ranking_blocks WHERE assessment_id = ?")
    .all(assessmentId) as DbBlock[];
  return new Map(rows.map((row) => [row.block, row]));
}

function dbProfile(participantId: string): Record<string, string | null> {
  const answers = database.sqlite
    .prepare("SELECT question_id, value FROM profile_answers WHERE participant_id = ?")
    .all(participantId) as { question_id: string; value: string | null }[];
  const profile: Record<string, string | null> = { age_band: null, country_of_residence: null, native_language: null };
  for (const answer of answers) profile[answer.question_id] = answer.value ?? "prefer_not_to_say";
  return profile;
}

/** The flag, computed here from the stored columns: unknown without a layout, else "paged" with a response never opened. */
function expectedUnopened(db: DbAssessment): boolean | null {
  if (db.layout === null) return null;
  if (db.layout === "all") return false;
  return Object.values(JSON.parse(db.opens as string) as Record<string, number>).some((count) => count === 0);
}

function dbRatings(db: DbAssessment): Record<string, string> {
  return db.ratings === null ? {} : (JSON.parse(db.ratings) as Record<string, string>);
}

/** The label of a prompt rating's option in the study language (en). */
function ratingLabel(ratingId: string, optionId: string | undefined): string | null {
  const option = PROMPT_RATINGS.find((rating) => rating.id === ratingId)?.options.find((o) => o.id === optionId);
  if (!option) return null;
  return typeof option.text === "string" ? option.text : option.text.en;
}

const RATING_KEYS = PROMPT_RATINGS.flatMap((rating) => [rating.id, `${rating.id}_label`]);

function seconds(later: string | null, earlier: string): number | null {
  return later === null ? null : (Date.parse(later) - Date.parse(earlier)) / 1000;
}

function allText(folder: string): string {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".parquet") && !entry.name.endsWith(".db"))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

describe("ca1 export", () => {
  it("writes comparisons.jsonl that matches the database field by field", async () => {
    const summary = await exportTo("ca1", "ca1");
    const lines = jsonl(join(database.dir, "ca1/comparisons.jsonl"));
    const assessments = dbAssessments();
    expect(summary.assessments).toBe(assessments.length);
    expect(assessments).toHaveLength(5);
    expect(lines.map((line) => line.prompt_id).sort()).toEqual(["attention", "headache", "weather"]);

    let seen = 0;
    for (const line of lines) {
      const scenario = database.sqlite
        .prepare("SELECT messages, tags FROM scenarios WHERE study_id = ? AND id = ?")
        .get(seeded.study.id, line.prompt_id) as { messages: string; tags: string };
      expect(line.study_id).toBe(seeded.study.id);
      expect(line.prompt).toEqual({ messages: JSON.parse(scenario.messages) });
      const responses = database.sqlite
        .prepare("SELECT label, text FROM candidate_responses WHERE study_id = ? AND scenario_id = ? ORDER BY label")
        .all(seeded.study.id, line.prompt_id) as { label: string; text: string }[];
      expect(line.responses).toEqual(
        responses.map((r) => ({ response_index: r.label, messages: [{ role: "assistant", content: r.text }] })),
      );
      const metadata = line.metadata as { tags: string[]; assessments: Record<string, unknown>[] };
      expect(metadata.tags).toEqual(JSON.parse(scenario.tags));
      for (const assessment of metadata.assessments) {
        seen++;
        const db = assessments.find((a) => a.id === assessment.assessment_id) as DbAssessment;
        expect(db.scenario_id).toBe(line.prompt_id);
        expect(assessment.annotator_id).toBe(hmac(db.participant_id));
        expect(assessment.shown_order).toBe(db.shown_order);
        expect(assessment.form).toBe(db.form);
        expect(assessment.position).toBe(db.position);
        expect(assessment.ui_locale).toBe(db.locale);
        expect(assessment.started_at).toBe(db.started_at);
        expect(assessment.reading_done_at).toBe(db.reading_done_at);
        expect(assessment.completed_at).toBe(db.completed_at);
        expect(assessment.reading_seconds).toBe(seconds(db.reading_done_at, db.started_at));
        expect(assessment.total_seconds).toBe(seconds(db.completed_at, db.started_at));
        expect(assessment.layout).toBe(db.layout);
        expect(assessment.opens).toEqual(db.opens === null ? null : JSON.parse(db.opens));
        expect(assessment.ranked_without_opening_all).toBe(expectedUnopened(db));
        for (const rating of PROMPT_RATINGS) {
          const chosen = dbRatings(db)[rating.id];
          expect(assessment[rating.id]).toBe(chosen ?? null);
          expect(assessment[`${rating.id}_label`]).toBe(ratingLabel(rating.id, chosen));
        }
        const blocks = dbBlocks(db.id);
        const rankingBlocks = assessment.ranking_blocks as Record<string, Record<string, unknown>[]>;
        for (const name of ["world", "personal"]) {
          const block = blocks.get(name);
          expect(rankingBlocks[name]).toEqual(
            block
              ? [
                  {
                    ranking: block.ranking,
                    rationale: block.rationale,
                    rationale_language: block.rationale_language,
                    rationale_language_confidence: block.rationale_confidence,
                    ranked_at: block.ranked_at,
                    rationale_at: block.rationale_at,
                    rationale_parts: block.rationale_parts,
                  },
                ]
              : [],
          );
        }
        const labels = db.unacceptable_labels === null ? null : (JSON.parse(db.unacceptable_labels) as string[]);
        expect(assessment.unacceptable_asked).toBe(labels !== null);
        expect(rankingBlocks.unacceptable).toEqual(
          labels && labels.length > 0
            ? [
                {
                  rating: labels.map((label) => `${label} is unacceptable`),
                  rationale: db.unacceptable_rationale,
                  rationale_language: db.unacceptable_rationale_language,
                  rationale_language_confidence: db.unacceptable_rationale_confidence,
                },
              ]
            : [],
        );
      }
    }
    expect(seen).toBe(5);
    const records = new Map(
      lines.flatMap((line) =>
        (line.metadata as { assessments: Record<string, unknown>[] }).assessments.map((a) => [a.assessment_id, a]),
      ),
    );
    // The flag's three values: every response opened (paged), all on the card, B and C never opened, before cards.
    expect([1, 2, 3, 4, 5].map((id) => records.get(id)?.ranked_without_opening_all)).toEqual([
      false,
      false,
      true,
      null,
      null,
    ]);
    expect(records.get(1)).toMatchObject({
      layout: "paged",
      opens: { A: 2, B: 1, C: 1, D: 3 },
      importance: "3",
      importance_label: "Very important",
      subjectivity: "high",
      subjectivity_label: "Mostly a matter of opinion",
    });
    // The short form does not ask subjectivity; rows from before cards have none of it.
    expect(records.get(2)).toMatchObject({ layout: "all", importance: "2", subjectivity: null });
    expect(records.get(4)).toMatchObject({ layout: null, opens: null, importance: null, importance_label: null });
    const p2Weather = records.get(3) as { ranking_blocks: { world: { rationale_parts: number }[] } };
    expect(p2Weather.ranking_blocks.world[0]?.rationale_parts).toBe(3);
    // The fixture's special cases survived the round trip.
    const weather = lines.find((line) => line.prompt_id === "weather") as { metadata: { assessments: unknown[] } };
    expect(JSON.stringify(weather)).toContain(JSON.stringify(RATIONALES.p1World));
    // CA-1 analysis code reads ranking_blocks.unacceptable[].rating; `ranking` there would hide every flag.
    expect(JSON.stringify(weather)).toContain('"rating":["C is unacceptable"]');
    expect(JSON.stringify(weather)).not.toContain('"ranking":["C is unacceptable"]');
  });

  it("writes annotators.jsonl and merged_comparisons_annotators.jsonl with demographics", async () => {
    await exportTo("ca1", "ca1");
    const annotators = jsonl(join(database.dir, "ca1/annotators.jsonl"));
    const { p1, p2, p3 } = seeded.participants;
    expect(annotators.map((a) => a.annotator_id).sort()).toEqual([hmac(p1), hmac(p2), hmac(p3)].sort());
    for (const participant of [p1, p2, p3]) {
      const line = annotators.find((a) => a.annotator_id === hmac(participant)) as Record<string, unknown>;
      expect(line.demographics).toEqual(dbProfile(participant));
      const own = dbAssessments().filter((a) => a.participant_id === participant);
      const listed = line.assessments as { assessment_id: number; prompt_id: string }[];
      expect(listed.map((a) => a.assessment_id)).toEqual(own.map((a) => a.id));
      expect(listed.map((a) => a.prompt_id)).toEqual(own.map((a) => a.scenario_id));
      expect(line.platform).toBe(own[0]?.platform);
    }
    const p3Line = annotators.find((a) => a.annotator_id === hmac(p3)) as { demographics: unknown };
    expect(p3Line.demographics).toEqual({
      age_band: "prefer_not_to_say",
      country_of_residence: "US",
      native_language: null,
    });
    expect(annotators.find((a) => a.annotator_id === hmac(p2))?.declared_native_language).toBe("es");

    const merged = jsonl(join(database.dir, "ca1/merged_comparisons_annotators.jsonl"));
    expect(merged).toHaveLength(5);
    for (const row of merged) {
      const db = dbAssessments().find((a) => a.id === row.assessment_id) as DbAssessment;
      expect(row.prompt_id).toBe(db.scenario_id);
      expect(row.annotator_id).toBe(hmac(db.participant_id));
      expect(row.demographics).toEqual(dbProfile(db.participant_id));
      expect((row.prompt as { messages: unknown[] }).messages.length).toBeGreaterThan(0);
      expect((row.responses as unknown[]).length).toBe(4);
      expect((row.ranking_blocks as { world: { ranking: string }[] }).world[0]?.ranking).toBe(
        dbBlocks(db.id).get("world")?.ranking,
      );
    }

    // Every assessment is the same record in the three files (ratings, layout, opens, flag included).
    const comparisons = new Map(
      jsonl(join(database.dir, "ca1/comparisons.jsonl")).flatMap((line) =>
        (line.metadata as { assessments: Record<string, unknown>[] }).assessments.map((a) => [a.assessment_id, a]),
      ),
    );
    const { annotator_id: _, ...fields } = comparisons.get(1) as Record<string, unknown>;
    const assessmentKeys = Object.keys(fields);
    expect(assessmentKeys).toEqual(expect.arrayContaining([...RATING_KEYS, "layout", "opens"]));
    const pick = (record: Record<string, unknown>) =>
      Object.fromEntries(assessmentKeys.map((key) => [key, record[key]]));
    for (const row of merged) {
      const { annotator_id: __, ...expected } = comparisons.get(row.assessment_id) as Record<string, unknown>;
      expect(pick(row)).toEqual(expected);
    }
    for (const line of annotators) {
      for (const assessment of line.assessments as Record<string, unknown>[]) {
        const { annotator_id: __, ...expected } = comparisons.get(assessment.assessment_id) as Record<string, unknown>;
        expect(assessment).toEqual({ prompt_id: expect.any(String), ...expected });
      }
    }
    // A rating id is a top-level key only when no other field has that name (ratings.ts lists them all).
    const keys = new Set([
      ...merged.flatMap((row) => Object.keys(row)),
      ...annotators.flatMap((line) => (line.assessments as Record<string, unknown>[]).flatMap(Object.keys)),
      ...[...comparisons.values()].flatMap((record) => Object.keys(record)),
    ]);
    expect([...keys].filter((key) => !RATING_KEYS.includes(key) && !TAKEN_KEYS.has(key))).toEqual([]);
  });
});

describe("prompt ratings", () => {
  it("are named rating_<id> where the id is another field's name", async () => {
    const stored = database.sqlite.prepare("SELECT definition FROM studies WHERE id = ?").get(seeded.study.id) as {
      definition: string;
    };
    const definition = JSON.parse(stored.definition);
    definition.promptRatings.push({
      id: "form",
      text: "Was the question clear?",
      options: [
        { id: "yes", text: { en: "Yes, clear", es: "Sí" } },
        { id: "no", text: "No" },
      ],
      forms: ["long", "short"],
    });
    database.sqlite
      .prepare("UPDATE studies SET definition = ? WHERE id = ?")
      .run(JSON.stringify(definition), seeded.study.id);
    database.sqlite.prepare(`UPDATE assessments SET ratings = json_set(ratings, '$.form', 'yes') WHERE id = 1`).run();
    await exportTo("ca1", "clash");
    const merged = jsonl(join(database.dir, "clash/merged_comparisons_annotators.jsonl"));
    expect(merged.find((row) => row.assessment_id === 1)).toMatchObject({
      form: "long",
      rating_form: "yes",
      rating_form_label: "Yes, clear",
      importance: "3",
    });
    expect(merged.find((row) => row.assessment_id === 2)).toMatchObject({ form: "short", rating_form: null });
    await exportTo("csv", "clash.csv");
    const rows = parseCsv(readFileSync(join(database.dir, "clash.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.filter((row) => row.assessment_id === "1").map((row) => [row.form, row.rating_form])).toEqual([
      ["long", "yes"],
      ["long", "yes"],
      ["long", "yes"],
    ]);
  });
});

describe("csv export", () => {
  it("parses back with a standard parser into exactly the database's blocks", async () => {
    const summary = await exportTo("csv", "flat.csv");
    const text = readFileSync(join(database.dir, "flat.csv"), "utf8");
    expect(text.startsWith("\uFEFF")).toBe(false);
    expect(text.split("\r\n")[0]).toBe(
      "study_id,scenario_id,assessment_id,annotator_id,block,ranking,unacceptable_labels,rationale," +
        "rationale_language,rationale_language_confidence,rationale_parts,ranked_at,rationale_at,ui_locale,position," +
        "shown_order,form,started_at,reading_done_at,completed_at,reading_seconds,total_seconds," +
        "layout,opens_a,opens_b,opens_c,opens_d,ranked_without_opening_all,rating_importance,rating_subjectivity," +
        "platform,declared_native_language,age_band,country_of_residence,native_language",
    );
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    // world ×5, personal ×3, unacceptable ×2 (one flagged C, one asked with none flagged).
    expect(rows).toHaveLength(10);
    expect(summary.rows).toBe(10);
    const empty = (value: unknown) => (value === null || value === undefined ? "" : String(value));
    for (const db of dbAssessments()) {
      const mine = rows.filter((row) => row.assessment_id === String(db.id));
      const blocks = dbBlocks(db.id);
      const profile = dbProfile(db.participant_id);
      for (const row of mine) {
        expect(row.study_id).toBe(db.study_id);
        expect(row.scenario_id).toBe(db.scenario_id);
        expect(row.annotator_id).toBe(hmac(db.participant_id));
        expect(row.ui_locale).toBe(db.locale);
        expect(row.platform).toBe(db.platform);
        expect(row.position).toBe(String(db.position));
        expect(row.shown_order).toBe(db.shown_order);
        expect(row.form).toBe(db.form);
        expect(row.started_at).toBe(db.started_at);
        expect(row.reading_done_at).toBe(empty(db.reading_done_at));
        expect(row.completed_at).toBe(db.completed_at);
        expect(Number(row.reading_seconds)).toBe(seconds(db.reading_done_at, db.started_at));
        expect(Number(row.total_seconds)).toBe(seconds(db.completed_at, db.started_at));
        expect(row.age_band).toBe(empty(profile.age_band));
        expect(row.country_of_residence).toBe(empty(profile.country_of_residence));
        expect(row.native_language).toBe(empty(profile.native_language));
        expect(row.declared_native_language).toBe(empty(profile.native_language));
        expect(row.layout).toBe(empty(db.layout));
        const opens = db.opens === null ? null : (JSON.parse(db.opens) as Record<string, number>);
        for (const label of ["A", "B", "C", "D"]) {
          expect(row[`opens_${label.toLowerCase()}`]).toBe(empty(opens?.[label]));
        }
        expect(row.ranked_without_opening_all).toBe(empty(expectedUnopened(db)));
        for (const rating of PROMPT_RATINGS) expect(row[`rating_${rating.id}`]).toBe(empty(dbRatings(db)[rating.id]));
        if (row.block === "unacceptable") {
          expect(row.rationale_parts).toBe("");
          expect(row.ranking).toBe("");
          expect(row.unacceptable_labels).toBe((JSON.parse(db.unacceptable_labels as string) as string[]).join(","));
          expect(row.rationale).toBe(empty(db.unacceptable_rationale));
          expect(row.rationale_language).toBe(empty(db.unacceptable_rationale_language));
        } else {
          const block = blocks.get(row.block as string) as DbBlock;
          expect(row.ranking).toBe(block.ranking);
          expect(row.unacceptable_labels).toBe("");
          expect(row.rationale).toBe(empty(block.rationale));
          expect(row.rationale_language).toBe(empty(block.rationale_language));
          expect(row.rationale_language_confidence).toBe(empty(block.rationale_confidence));
          expect(row.rationale_parts).toBe(empty(block.rationale_parts));
          expect(row.ranked_at).toBe(block.ranked_at);
          expect(row.rationale_at).toBe(empty(block.rationale_at));
        }
      }
      const expectedBlocks = [...blocks.keys()].length + (db.unacceptable_labels === null ? 0 : 1);
      expect(mine).toHaveLength(expectedBlocks);
    }
    const world = (id: number) => rows.find((row) => row.assessment_id === String(id) && row.block === "world");
    expect([1, 2, 3, 4, 5].map((id) => world(id)?.ranked_without_opening_all)).toEqual([
      "false",
      "false",
      "true",
      "",
      "",
    ]);
    expect(world(3)).toMatchObject({
      opens_b: "0",
      rating_importance: "1",
      rating_subjectivity: "low",
      rationale_parts: "3",
    });
    expect(world(2)).toMatchObject({ layout: "all", rating_importance: "2", rating_subjectivity: "" });
    // Commas, quotes, new lines, emoji and right-to-left text come back intact.
    const rationales = rows.map((row) => row.rationale);
    for (const text of [
      RATIONALES.p1World,
      RATIONALES.p1Personal,
      RATIONALES.p1Headache,
      RATIONALES.p2World,
      RATIONALES.p3Personal,
    ]) {
      expect(rationales).toContain(text);
    }
  });

  it("gives every row its own card and rating cells when many rows share a layout and opens", async () => {
    database.sqlite.prepare(`UPDATE assessments SET layout = 'paged', opens = '{"A":1,"B":0,"C":2,"D":1}'`).run();
    database.sqlite
      .prepare(`UPDATE assessments SET ratings = json_object('importance', CAST(id % 3 + 1 AS TEXT))`)
      .run();
    await exportTo("csv", "shared-card.csv");
    const rows = parseCsv(readFileSync(join(database.dir, "shared-card.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    for (const row of rows) {
      expect(row).toMatchObject({
        layout: "paged",
        opens_a: "1",
        opens_b: "0",
        opens_c: "2",
        opens_d: "1",
        ranked_without_opening_all: "true",
        rating_importance: String((Number(row.assessment_id) % 3) + 1),
        rating_subjectivity: "",
      });
    }
    expect(new Set(rows.map((row) => row.rating_importance)).size).toBe(3);
  });

  it("formats the same bytes through the fast path and field by field, redacted or not", async () => {
    for (const redact of [false, true]) {
      await exportTo("csv", `fast-${redact}.csv`, { redact });
      const scope = resolveScope(database.sqlite, {});
      const context = {
        reads: createExportReads(database.sqlite, scope),
        scope,
        annotatorId: createAnnotatorIds(SECRET),
        progress: silentProgress,
        pageSize: 2,
        redact,
        now: () => new Date(),
      };
      await writeCsv(context, join(database.dir, `typed-${redact}.csv`), { fastPath: false });
      expect(readFileSync(join(database.dir, `typed-${redact}.csv`), "utf8")).toBe(
        readFileSync(join(database.dir, `fast-${redact}.csv`), "utf8"),
      );
    }
  });

  it("falls back to field-by-field quoting when a column that is normally safe holds a comma or quote", async () => {
    database.sqlite.prepare(`UPDATE assessments SET locale = 'e"n,x' WHERE id = 1`).run();
    database.sqlite.prepare(`UPDATE assignments SET form = 'long' || char(10) || 'form' WHERE id = 2`).run();
    await exportTo("csv", "odd.csv");
    const rows = parseCsv(readFileSync(join(database.dir, "odd.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => row.assessment_id === "1").map((row) => row.ui_locale)).toEqual([
      'e"n,x',
      'e"n,x',
      'e"n,x',
    ]);
    expect(rows.find((row) => row.assessment_id === "2")?.form).toBe("long\nform");
    expect(rows.find((row) => row.assessment_id === "3")?.ui_locale).toBe("es");
  });

  it("gives the same annotator ids every time, and different ones with another secret", async () => {
    await exportTo("csv", "first.csv");
    await exportTo("csv", "second.csv");
    await exportTo("csv", "other.csv", { secret: "a-completely-different-secret-42" });
    const first = readFileSync(join(database.dir, "first.csv"), "utf8");
    expect(readFileSync(join(database.dir, "second.csv"), "utf8")).toBe(first);
    const ids = (file: string) =>
      new Set(
        (parseCsv(readFileSync(join(database.dir, file), "utf8"), { columns: true }) as Record<string, string>[]).map(
          (row) => row.annotator_id,
        ),
      );
    const firstIds = ids("first.csv");
    expect(firstIds.size).toBe(3);
    const otherIds = ids("other.csv");
    expect(otherIds.size).toBe(3);
    for (const id of otherIds) expect(firstIds.has(id)).toBe(false);
  });

  it("filters by --since and --study", async () => {
    const summary = await exportTo("csv", "since.csv", { since: "2026-02-01T10:10:00Z" });
    expect(summary.assessments).toBe(3);
    const rows = parseCsv(readFileSync(join(database.dir, "since.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(new Set(rows.map((row) => row.annotator_id))).toEqual(
      new Set([hmac(seeded.participants.p2), hmac(seeded.participants.p3)]),
    );
    expect((await exportTo("csv", "date.csv", { since: "2026-02-02" })).assessments).toBe(0);
    await expect(exportTo("csv", "x.csv", { since: "yesterday" })).rejects.toThrow(ResearchError);
    await expect(exportTo("csv", "x.csv", { studyId: "nope" })).rejects.toThrow(/No study with id "nope"/);
    expect((await exportTo("csv", "mini.csv", { studyId: seeded.study.id })).assessments).toBe(5);
  });
});

describe("paging", () => {
  it("gives the same files whatever the page size (pages end inside a participant's or a prompt's rows)", async () => {
    for (const format of ["csv", "pairs", "ca1"] as const) {
      const name = (size: number) => `paged-${size}/${format}${format === "ca1" ? "" : ".csv"}`;
      await exportTo(format, name(5000));
      for (const pageSize of [1, 2, 3]) await exportTo(format, name(pageSize), { pageSize });
      const read = (size: number) =>
        format === "ca1"
          ? ["comparisons.jsonl", "annotators.jsonl", "merged_comparisons_annotators.jsonl"]
              .map((file) => readFileSync(join(database.dir, name(size), file), "utf8"))
              .join("")
          : readFileSync(join(database.dir, name(size)), "utf8");
      for (const pageSize of [1, 2, 3]) expect(read(pageSize)).toBe(read(5000));
    }
  });

  it("reports progress that adds up to the total it announced, in every format and page size", async () => {
    for (const format of EXPORT_FORMATS) {
      for (const pageSize of [1, 3, 5000]) {
        let announced = -1;
        let ticked = 0;
        const out = `progress-${pageSize}/${format}`;
        await runExport(database.sqlite, {
          format,
          out: join(database.dir, format === "ca1" || format === "hf" ? out : `${out}.${format}`),
          secret: SECRET,
          pageSize,
          progress: (total) => {
            announced = total;
            return {
              tick: (count = 1) => {
                ticked += count;
              },
              done() {},
            };
          },
        });
        expect([format, pageSize, ticked]).toEqual([format, pageSize, announced]);
        expect(announced).toBeGreaterThan(0);
      }
    }
  });
});

describe("privacy", () => {
  it("refuses to export without EXPORT_SECRET, before writing anything", async () => {
    await expect(exportTo("csv", "nosecret/out.csv", { secret: "" })).rejects.toThrow(/EXPORT_SECRET is not set/);
    expect(existsSync(join(database.dir, "nosecret"))).toBe(false);
  });

  it("never carries withdrawn participants, platform ids or raw participant ids", async () => {
    // The withdrawal deleted every row about the participant.
    for (const table of ["participants", "profile_answers", "assignments", "assessments"]) {
      const column = table === "participants" ? "id" : "participant_id";
      const count = database.sqlite
        .prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`)
        .get(seeded.withdrawn) as {
        n: number;
      };
      expect(count.n).toBe(0);
    }
    for (const format of ["ca1", "csv", "pairs", "hf"] as const) {
      await exportTo(format, `all/${format}${format === "csv" || format === "pairs" ? ".csv" : ""}`);
    }
    const text = allText(join(database.dir, "all"));
    expect(text).not.toContain(RATIONALES.withdrawn);
    expect(text).not.toContain(hmac(seeded.withdrawn));
    for (const id of [...seeded.platformUserIds, ...Object.values(seeded.participants), seeded.withdrawn]) {
      expect(text).not.toContain(id);
    }
  });
});

describe("pairs export", () => {
  it("writes six pairs per ranking, ties kept as ties", async () => {
    const summary = await exportTo("pairs", "pairs.csv");
    const rows = parseCsv(readFileSync(join(database.dir, "pairs.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    // 5 world + 3 personal rankings.
    expect(rows).toHaveLength(48);
    expect(summary.rows).toBe(48);
    const p2World = rows.filter(
      (row) =>
        row.annotator_id === hmac(seeded.participants.p2) && row.scenario_id === "weather" && row.block === "world",
    );
    // A=D>B>C
    expect(Object.fromEntries(p2World.map((row) => [`${row.response_a}${row.response_b}`, row.preferred]))).toEqual({
      AB: "A",
      AC: "A",
      AD: "tie",
      BC: "B",
      BD: "D",
      CD: "D",
    });
    const p3Personal = rows.filter(
      (row) => row.annotator_id === hmac(seeded.participants.p3) && row.block === "personal",
    );
    expect(p3Personal.map((row) => row.preferred)).toEqual(["tie", "tie", "tie", "tie", "tie", "tie"]);
  });
});

describe("parquet export", () => {
  it("reads back with hyparquet into the same table as the CSV", async () => {
    await exportTo("csv", "flat.csv");
    const summary = await exportTo("parquet", "flat.parquet");
    expect(summary.rows).toBe(10);
    const file = await asyncBufferFromFile(join(database.dir, "flat.parquet"));
    const records = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    const csv = parseCsv(readFileSync(join(database.dir, "flat.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(records).toHaveLength(csv.length);
    records.forEach((record, i) => {
      const row = csv[i] as Record<string, string>;
      for (const [name, value] of Object.entries(row)) {
        const cell = record[name];
        const asText =
          cell === null || cell === undefined ? "" : cell instanceof Date ? cell.toISOString() : String(cell);
        // The CSV writes seconds with three decimals ("40.000"); Parquet keeps the number.
        const expected = name.endsWith("_seconds") && value !== "" ? String(Number(value)) : value;
        expect([name, asText]).toEqual([name, expected]);
      }
    });
    expect(typeof records[0]?.assessment_id).toBe("number");
    expect(records[0]?.started_at).toBeInstanceOf(Date);
    // Counts as integers, the flag as a boolean (null when unknown), ratings as option ids.
    const world = (id: number) => records.find((r) => r.assessment_id === id && r.block === "world");
    expect(world(3)).toMatchObject({
      rationale_parts: 3,
      layout: "paged",
      opens_a: 1,
      opens_b: 0,
      opens_c: 0,
      opens_d: 2,
      ranked_without_opening_all: true,
      rating_importance: "1",
      rating_subjectivity: "low",
    });
    expect(world(1)?.ranked_without_opening_all).toBe(false);
    expect(world(4)).toMatchObject({
      layout: null,
      opens_a: null,
      ranked_without_opening_all: null,
      rationale_parts: null,
    });
  });
});

describe("hf export", () => {
  it("writes one JSON Lines file per config and a dataset card with configs, features, languages and counts", async () => {
    const summary = await exportTo("hf", "hf");
    const folder = join(database.dir, "hf");
    const dataFiles = readdirSync(join(folder, "data")).sort();
    expect(dataFiles).toEqual([
      "annotators.jsonl",
      "assessments.jsonl",
      "comparisons.jsonl",
      "merged_comparisons_annotators.jsonl",
      "pairs.jsonl",
    ]);
    for (const file of ["README.md", "codebook.json", "codebook.md"]) expect(existsSync(join(folder, file))).toBe(true);
    expect(summary).toMatchObject({ assessments: 5, annotators: 3, prompts: 3, rows: 10 });
    const card = readFileSync(join(folder, "README.md"), "utf8");
    const front = parseYaml(card.split("---\n")[1] as string) as {
      configs: { config_name: string; data_files: { split: string; path: string }[] }[];
      dataset_info: { config_name: string; features: { name: string }[] }[];
      language: string[];
    };
    expect(front.configs.map((config) => config.config_name)).toEqual([
      "comparisons",
      "annotators",
      "merged_comparison_annotators",
      "assessments",
      "pairs",
    ]);
    // One format for every config: `datasets` reads all of them with the first config's builder.
    for (const config of front.configs) {
      expect(config.data_files).toHaveLength(1);
      expect(config.data_files[0]?.path).toMatch(/^data\/[a-z_]+\.jsonl$/);
      expect(existsSync(join(folder, config.data_files[0]?.path as string))).toBe(true);
    }
    expect(front.dataset_info.map((info) => info.config_name)).toEqual(front.configs.map((c) => c.config_name));
    // The flat table's declared columns are the CSV's header, in order.
    await exportTo("csv", "flat.csv");
    const header = readFileSync(join(database.dir, "flat.csv"), "utf8").split("\r\n")[0]?.split(",");
    expect(front.dataset_info[3]?.features.map((f) => f.name)).toEqual(header);
    const flat = jsonl(join(folder, "data/assessments.jsonl"));
    expect(flat).toHaveLength(10);
    expect(typeof flat[0]?.assessment_id).toBe("number");
    expect(flat.filter((row) => row.block === "world").map((row) => row.ranked_without_opening_all)).toEqual([
      false,
      false,
      true,
      null,
      null,
    ]);
    expect(flat.find((row) => row.assessment_id === 3)).toMatchObject({ opens_b: 0, rating_importance: "1" });
    const comparisonsFeatures = front.dataset_info[0]?.features as {
      name: string;
      struct?: { name: string; list?: { name: string }[] }[];
    }[];
    const assessmentFeatures = comparisonsFeatures
      .find((f) => f.name === "metadata")
      ?.struct?.find((f) => f.name === "assessments")
      ?.list?.map((f) => f.name);
    expect(assessmentFeatures).toEqual(
      expect.arrayContaining([...RATING_KEYS, "layout", "opens", "ranked_without_opening_all"]),
    );
    expect(jsonl(join(folder, "data/pairs.jsonl"))).toHaveLength(48);
    expect(front.language).toEqual(expect.arrayContaining(["en", "ar", "es"]));
    expect(card).toContain("| Annotators | 3 |");
    expect(card).toContain("| Assessments | 5 |");
    expect(card).toContain("| Pairwise preferences (rows of pairs.jsonl) | 48 |");
    expect(card).toContain("`ranking_blocks.world[]`");
    expect(card).toContain("## Collection method");
    expect(card).toContain('load_dataset(folder, "merged_comparison_annotators", split="train")');
  });

  const missing = pythonMissing(["pandas", "yaml"]);
  it.skipIf(missing !== null)(
    `every config loads as the card declares it, read by pandas, and the card's example runs${missing ? ` (skipped: ${missing})` : ""}`,
    async () => {
      await exportTo("hf", "hf");
      const folder = join(database.dir, "hf");
      const checked = runPython<{
        builder: string;
        configs: Record<string, { rows: number; columns: string[] }>;
        example: Record<string, number>;
      }>("hf_check.py", [folder]);
      expect(checked.builder).toBe("json");
      expect(Object.fromEntries(Object.entries(checked.configs).map(([name, c]) => [name, c.rows]))).toEqual({
        comparisons: 3,
        annotators: 3,
        merged_comparison_annotators: 5,
        assessments: 10,
        pairs: 48,
      });
      expect(checked.configs.annotators?.columns).toEqual([
        "annotator_id",
        "demographics",
        "declared_native_language",
        "platform",
        "study_id",
        "assessments",
      ]);
      expect(checked.example).toMatchObject({ comparisons: 3, annotators: 3, merged: 5, flat: 10, pairs: 48 });
      // The card-era fields are declared, so each record was checked against their types (bool, int64, struct).
      expect(checked.configs.merged_comparison_annotators?.columns).toEqual(
        expect.arrayContaining([...RATING_KEYS, "layout", "opens", "ranked_without_opening_all"]),
      );
      expect(checked.configs.assessments?.columns).toEqual(
        expect.arrayContaining(["rationale_parts", "opens_a", "ranked_without_opening_all", "rating_importance"]),
      );
      // The checker refuses what broke `datasets` before: configs of different formats.
      expect(runPython<{ refused: string }>("hf_check.py", ["--self-test"]).refused).toMatch(/pairs\.csv is not json/);
    },
  );
});

describe("export --redact", () => {
  const PERSONAL = "Write to ana@example.org or @ana_l, +44 20 7946 0958, https://ana.example/me";

  function plantContactDetails() {
    database.sqlite
      .prepare("UPDATE ranking_blocks SET rationale = ? WHERE block = 'world' AND rationale = ?")
      .run(PERSONAL, RATIONALES.p1World);
    database.sqlite
      .prepare("UPDATE assessments SET unacceptable_rationale = ? WHERE unacceptable_rationale = ?")
      .run("C quotes <@U024BE7LH> at me", RATIONALES.p1Unacceptable);
  }

  it("replaces contact details in rationales of every format with typed placeholders, and counts them once", async () => {
    plantContactDetails();
    const expected = { email: 1, handle: 1, phone: 1, url: 1, mention: 1 };
    for (const format of ["ca1", "csv", "parquet", "hf"] as const) {
      const summary = await exportTo(
        format,
        `redacted/${format}${format === "csv" ? ".csv" : format === "parquet" ? ".parquet" : ""}`,
        {
          redact: true,
        },
      );
      expect([format, summary.redactions]).toEqual([format, expected]);
    }
    const text = allText(join(database.dir, "redacted"));
    expect(text).toContain("Write to [email] or [handle], [phone], [url]");
    expect(text).toContain("C quotes [mention] at me");
    for (const leaked of ["ana@example.org", "@ana_l", "7946", "ana.example", "U024BE7LH"]) {
      expect(text).not.toContain(leaked);
    }
    const parquet = (await parquetReadObjects({
      file: await asyncBufferFromFile(join(database.dir, "redacted/parquet.parquet")),
    })) as { rationale: string | null }[];
    expect(parquet.map((row) => row.rationale)).toContain("Write to [email] or [handle], [phone], [url]");
    const card = readFileSync(join(database.dir, "redacted/hf/README.md"), "utf8");
    expect(card).toContain("Rationales were redacted before publication");
    expect(card).toContain("1 email address");
    const codebook = JSON.parse(readFileSync(join(database.dir, "redacted/hf/codebook.json"), "utf8"));
    expect(codebook.export.redaction).toMatchObject({ applied: true, replacements: expected });
  });

  it("is off by default: rationales stay verbatim", async () => {
    plantContactDetails();
    const summary = await exportTo("csv", "verbatim.csv");
    expect(summary.redactions).toBeNull();
    expect(readFileSync(join(database.dir, "verbatim.csv"), "utf8")).toContain(PERSONAL);
  });
});

describe("codebook", () => {
  it("is written beside every export: study version, consent, screening, questions per locale, options, fields", async () => {
    const now = () => new Date("2026-03-01T12:00:00.000Z");
    const written: Record<string, string[]> = {};
    for (const [format, out] of [
      ["ca1", "cb/ca1"],
      ["csv", "cb/blocks.csv"],
      ["pairs", "cb/pairs.csv"],
      ["parquet", "cb/blocks.parquet"],
      ["hf", "cb/hf"],
    ] as const) {
      written[format] = (
        await runExport(database.sqlite, {
          format,
          out: join(database.dir, out),
          secret: SECRET,
          progress: () => silentProgress,
          now,
        })
      ).codebook.map((path) => path.slice(database.dir.length + 1));
    }
    expect(written).toEqual({
      ca1: ["cb/ca1/codebook.json", "cb/ca1/codebook.md"],
      csv: ["cb/blocks.codebook.json", "cb/blocks.codebook.md"],
      pairs: ["cb/pairs.codebook.json", "cb/pairs.codebook.md"],
      // The CSV's and the Parquet's codebooks share a name when the files do: the last one written wins.
      parquet: ["cb/blocks.codebook.json", "cb/blocks.codebook.md"],
      hf: ["cb/hf/codebook.json", "cb/hf/codebook.md"],
    });
    const codebook = JSON.parse(readFileSync(join(database.dir, "cb/ca1/codebook.json"), "utf8"));
    expect(codebook.generated_at).toBe("2026-03-01T12:00:00.000Z");
    const [study] = codebook.studies;
    expect(study).toMatchObject({
      id: "mini",
      version: seeded.study.version,
      title: { en: "Mini test study", es: "Estudio de prueba" },
      consent: { version: "2026-01" },
      screening: [
        { id: "reading", correct: "hot", options: expect.arrayContaining([{ id: "hot", label: { "*": "hot" } }]) },
      ],
    });
    expect(study.consent.text.es).toMatch(/^Aceptas/);
    const age = study.profile.find((q: { id: string }) => q.id === "age_band");
    expect(age.text).toEqual({ en: "How old are you?", es: "¿Cuántos años tienes?" });
    expect(age.options.map((o: { id: string }) => o.id)).toEqual(["18-29", "30-49", "50-plus"]);
    expect(age.special_values.prefer_not_to_say.label.ar).toBeTruthy();
    // Each prompt rating like a profile question: wording per locale, scale, and where the exports put it.
    const localized = (text: string | Record<string, string>) => (typeof text === "string" ? { "*": text } : text);
    expect(study.prompt_ratings).toEqual(
      PROMPT_RATINGS.map((rating) => ({
        id: rating.id,
        label: localized(rating.label ?? rating.id),
        text: localized(rating.text),
        options: rating.options.map((option) => ({ id: option.id, label: localized(option.text) })),
        forms: rating.forms ?? ["long", "short"],
        exported_as: { key: rating.id, label_key: `${rating.id}_label`, flat_column: `rating_${rating.id}` },
        special_values: { null: expect.stringContaining("not asked") },
      })),
    );
    expect(study.prompt_ratings[0].options[2]).toEqual({
      id: "3",
      label: { en: "Very important", es: "Muy importante" },
    });
    expect(study.prompt_ratings[1]).toMatchObject({ label: { "*": "subjectivity" }, forms: ["long"] });
    const fieldNames = (file: string) => codebook.fields[file].map((field: { name: string }) => field.name);
    expect(fieldNames("comparisons.jsonl")).toEqual(
      expect.arrayContaining(["layout", "opens", "ranked_without_opening_all", "<prompt rating id>"]),
    );
    // The ranking questions as participants saw them, in every interface language, limits filled in.
    expect(Object.keys(study.questions.world_ranking).sort()).toEqual([
      "af",
      "ar",
      "en",
      "es",
      "hi",
      "ja",
      "nl",
      "pt",
      "sw",
      "zu",
    ]);
    expect(study.questions.world_rationale.en).toContain(String(seeded.study.rationale.maxChars));
    expect(study.questions.world_rationale.en).not.toContain("{{");
    expect(study.scenarios.map((s: { id: string }) => s.id)).toEqual(seeded.study.scenarios.map((s) => s.id));
    expect(Object.keys(codebook.fields)).toEqual([
      "comparisons.jsonl",
      "annotators.jsonl",
      "merged_comparisons_annotators.jsonl",
    ]);
    const markdown = readFileSync(join(database.dir, "cb/blocks.codebook.md"), "utf8");
    expect(markdown).toContain("## Study `mini`, version 1");
    expect(markdown).toContain("| `18-29` | 18–29 |");
    expect(markdown).toContain("## Fields of `blocks.parquet`");
    expect(markdown).toContain(
      "### Prompt rating `importance` (Importance / Importancia; asked on long and short tasks)",
    );
    expect(markdown).toContain("| `3` | Very important / Muy importante |");
    expect(markdown).toContain("| es | ¿Qué tan importante es que una IA responda bien a esto? |");
    expect(markdown).toContain("| `rating_<prompt rating id>` |");
    expect(markdown).toContain("| `opens_a … opens_d` |");
  });
});
