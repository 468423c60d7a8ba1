import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendScenarios } from "../../src/cli/scenario.js";
import { StudySchema } from "../../src/core/study/schema.js";
import { cliActor } from "../../src/staff/audit.js";
import { insertScenarioRows } from "../../src/store/scenario-append.js";
import { loadStudy } from "../../src/store/stored-study.js";
import type { StreamedLine } from "../../src/studies/comparisons.js";
import { runChorusInProcess } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

/**
 * `chorus scenario add` on files of many scenarios: read line by line, the
 * rows written in short batches the engine does not see, the study's new
 * version listing them in one last transaction; a bad line anywhere leaves
 * nothing behind.
 */

let database: TestDatabase;
beforeEach(() => {
  database = createTestDatabase();
  seedMiniStudy(database);
});
afterEach(() => database.cleanup());

const chorus = (...args: string[]) => runChorusInProcess(args, { DATABASE_PATH: database.path });

function comparison(id: string, labels = ["A", "B", "C", "D"]): string {
  return JSON.stringify({
    prompt_id: id,
    prompt: { messages: [{ role: "user", content: `Question ${id}?` }] },
    responses: labels.map((label) => ({
      response_index: label,
      messages: [{ role: "assistant", content: `${label} ${id}` }],
    })),
  });
}

function stored() {
  const row = database.sqlite.prepare("SELECT version, definition FROM studies WHERE id = 'mini'").get() as {
    version: number;
    definition: string;
  };
  const rows = (
    database.sqlite.prepare("SELECT count(*) AS n FROM scenarios WHERE study_id = 'mini'").get() as {
      n: number;
    }
  ).n;
  const study = loadStudy(database.sqlite, "mini");
  if (!study) throw new Error("the study is gone");
  return { version: row.version, study, rows, definition: JSON.parse(row.definition) as Record<string, unknown> };
}

describe("scenario add of a large comparisons.jsonl", () => {
  it("adds every line (a byte-order mark, CRLF) and prints a count, not every id", async () => {
    const file = join(database.dir, "many.jsonl");
    const lines = Array.from({ length: 1200 }, (_, i) => comparison(`many-${i}`));
    writeFileSync(file, `\uFEFF${lines.join("\r\n")}\r\n`);
    const added = await chorus("scenario", "add", file, "--study", "mini");
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout.split("\n")[0]).toBe(
      'Added 1200 scenario(s) to study "mini" (now v2, 1203 scenarios): many-0 … many-1199',
    );
    const after = stored();
    expect(after.version).toBe(2);
    expect(after.rows).toBe(1203);
    expect(after.study.scenarios.map((s) => s.id).slice(2, 5)).toEqual(["attention", "many-0", "many-1"]);
    // The definition lists ids; the texts come from the scenario tables.
    expect(after.definition.scenarios).toBeUndefined();
    expect(after.definition.scenarioIds).toEqual(after.study.scenarios.map((s) => s.id));
    expect(JSON.stringify(after.definition)).not.toMatch(/Question|A many-7/);
    expect(after.study.scenarios.find((s) => s.id === "many-7")).toMatchObject({
      messages: [{ role: "user", content: "Question many-7?" }],
      responses: ["A", "B", "C", "D"].map((label) => ({ label, text: `${label} many-7` })),
    });
    const positions = database.sqlite
      .prepare(
        "SELECT position FROM scenarios WHERE study_id = 'mini' AND id IN ('many-0', 'many-1199') ORDER BY position",
      )
      .all();
    expect(positions).toEqual([{ position: 3 }, { position: 1202 }]);
    const responses = database.sqlite
      .prepare("SELECT label, text FROM candidate_responses WHERE study_id = 'mini' AND scenario_id = 'many-7'")
      .all();
    expect(responses).toEqual(["A", "B", "C", "D"].map((label) => ({ label, text: `${label} many-7` })));
    const audit = database.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'scenario.add'").get() as {
      details: string;
    };
    expect(JSON.parse(audit.details)).toEqual({
      studyId: "mini",
      version: 2,
      count: 1200,
      first: "many-0",
      last: "many-1199",
    });
  });

  it("refuses the whole file for one bad line near the end, leaving no row behind", async () => {
    const file = join(database.dir, "late-error.jsonl");
    const lines = Array.from({ length: 900 }, (_, i) => comparison(`late-${i}`));
    lines.push(comparison("late-bad", ["A", "B", "C"]), "not json");
    writeFileSync(file, lines.join("\n"));
    const refused = await chorus("scenario", "add", file, "--study", "mini");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file}:901: responses: expected 4 items, got 3`);
    expect(refused.stderr).toContain(`${file}:902: invalid JSON`);
    expect(refused.stderr).toContain("invalid (3 problem(s)); nothing added");
    expect(stored()).toMatchObject({ version: 1, rows: 3 });
  });

  it("names a few clashing ids and counts the rest", async () => {
    const file = join(database.dir, "clash.jsonl");
    writeFileSync(
      file,
      ["weather", "headache", ...Array.from({ length: 20 }, (_, i) => `x${i}`)].map((id) => comparison(id)).join("\n"),
    );
    const first = await chorus("scenario", "add", file, "--study", "mini");
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/already has scenario\(s\) weather, headache \(2\)/);
    expect(stored()).toMatchObject({ version: 1, rows: 3 });
  });

  it("writes in batches that leave the lock free between them, and participants see nothing until the end", async () => {
    const other = new Database(database.path, { timeout: 0 });
    const checks: { version: number; rows: number; wrote: boolean }[] = [];
    async function* source(): AsyncGenerator<StreamedLine> {
      for (let i = 0; i < 600; i++) {
        if (i === 300 || i === 599) {
          // Mid-import another process writes at once (busy timeout 0) and reads the published study.
          other.prepare("BEGIN IMMEDIATE").run();
          other.prepare("UPDATE studies SET title = title WHERE id = 'mini'").run();
          other.prepare("COMMIT").run();
          const row = other.prepare("SELECT version FROM studies WHERE id = 'mini'").get() as { version: number };
          const rows = other.prepare("SELECT count(*) AS n FROM scenarios WHERE study_id = 'mini'").get() as {
            n: number;
          };
          checks.push({ version: row.version, rows: rows.n, wrote: true });
        }
        yield {
          scenario: StudySchema.shape.scenarios.element.parse(
            JSON.parse(
              `{"id":"b-${i}","messages":[{"role":"user","content":"q"}],"responses":[{"label":"A","text":"a"},{"label":"B","text":"b"},{"label":"C","text":"c"},{"label":"D","text":"d"}]}`,
            ),
          ),
          line: i + 1,
        };
      }
    }
    try {
      const result = await appendScenarios(database, "mini", source(), cliActor(), "2026-02-01T00:00:00.000Z");
      expect(result).toMatchObject({ ok: true, version: 2, scenarios: 603 });
    } finally {
      other.close();
    }
    // Batches of 250 had landed (rows visible to a reader) but the study was still version 1.
    expect(checks).toEqual([
      { version: 1, rows: 253, wrote: true },
      { version: 1, rows: 503, wrote: true },
    ]);
    expect(stored()).toMatchObject({ version: 2, rows: 603 });
  });

  it("clears rows an interrupted run left behind before adding", async () => {
    // Rows of an append that died before its last transaction: no definition lists them.
    const study = stored().study;
    const orphan = { ...(study.scenarios[0] as (typeof study.scenarios)[number]), id: "orphan-1" };
    insertScenarioRows(database.sqlite, "mini", [orphan], 3, "2026-02-01T00:00:00.000Z");
    expect(stored()).toMatchObject({ rows: 4, study: { scenarios: study.scenarios } });
    const file = join(database.dir, "next.jsonl");
    writeFileSync(file, comparison("orphan-1"));
    const added = await chorus("scenario", "add", file, "--study", "mini");
    expect(added.code, added.stderr).toBe(0);
    expect(stored()).toMatchObject({ version: 2, rows: 4 });
    const text = database.sqlite
      .prepare("SELECT text FROM candidate_responses WHERE scenario_id = 'orphan-1' AND label = 'A'")
      .get();
    expect(text).toEqual({ text: "A orphan-1" });
  });
});
