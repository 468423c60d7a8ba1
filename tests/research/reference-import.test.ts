import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  importReferenceRankings,
  ReferenceImportError,
  readReferenceFile,
} from "../../src/research/reference-import.js";
import { runChorusInProcess } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

let database: TestDatabase;
beforeEach(() => {
  database = createTestDatabase();
  seedMiniStudy(database);
});
afterEach(() => database.cleanup());

function file(name: string, content: string): string {
  const path = join(database.dir, name);
  writeFileSync(path, content);
  return path;
}

function stored() {
  return database.sqlite
    .prepare(
      "SELECT scenario_id, source, source_version, ranking FROM reference_rankings WHERE source != 'study-file' ORDER BY scenario_id, source",
    )
    .all();
}

describe("reference import", () => {
  it("reads JSON Lines and stores canonical rankings with source and version", () => {
    const path = file(
      "ref.jsonl",
      [
        JSON.stringify({ scenario_id: "weather", ranking: "d>a>b=c", source: "spec-judge", version: "2026-03" }),
        "",
        JSON.stringify({
          study_id: "mini",
          scenario_id: "headache",
          ranking: "B>C>D>A",
          source: "spec-judge",
          version: 3,
        }),
      ].join("\n"),
    );
    const summary = importReferenceRankings(
      database.sqlite,
      readReferenceFile(database.sqlite, path),
      "2026-03-02T00:00:00Z",
    );
    expect(summary).toEqual({
      imported: 2,
      replaced: 0,
      sources: [
        { source: "spec-judge", version: "2026-03", scenarios: 1 },
        { source: "spec-judge", version: "3", scenarios: 1 },
      ],
    });
    expect(stored()).toEqual([
      { scenario_id: "headache", source: "spec-judge", source_version: "3", ranking: "B>C>D>A" },
      { scenario_id: "weather", source: "spec-judge", source_version: "2026-03", ranking: "D>A>B=C" },
    ]);
  });

  it("reads CSV (with a BOM and quoted fields) and replaces a source's earlier ranking", () => {
    importReferenceRankings(
      database.sqlite,
      readReferenceFile(
        database.sqlite,
        file("a.csv", "scenario_id,ranking,source,version\nweather,A>B>C>D,model-x,1\n"),
      ),
    );
    const again = readReferenceFile(
      database.sqlite,
      file(
        "b.csv",
        '\uFEFFscenario_id,ranking,source,version\n"weather","D>C>B>A","model-x","2"\nheadache,B>A>C>D,model-x,2\n',
      ),
    );
    const summary = importReferenceRankings(database.sqlite, again);
    expect(summary.replaced).toBe(1);
    expect(stored()).toEqual([
      { scenario_id: "headache", source: "model-x", source_version: "2", ranking: "B>A>C>D" },
      { scenario_id: "weather", source: "model-x", source_version: "2", ranking: "D>C>B>A" },
    ]);
  });

  it("reads JSON Lines that start with a byte-order mark", () => {
    const line = JSON.stringify({ scenario_id: "weather", ranking: "D>A>B=C", source: "bom-judge", version: "1" });
    const rankings = readReferenceFile(database.sqlite, file("bom.jsonl", `\uFEFF${line}\r\n`));
    expect(rankings).toEqual([
      { studyId: "mini", scenarioId: "weather", ranking: "D>A>B=C", source: "bom-judge", version: "1" },
    ]);
  });

  it("checks the whole file first and names every bad line; nothing is written", () => {
    const path = file(
      "bad.jsonl",
      [
        JSON.stringify({ scenario_id: "weather", ranking: "A>B>C>D", source: "m" }),
        "{not json",
        JSON.stringify({ scenario_id: "nowhere", ranking: "A>B>C>D", source: "m" }),
        JSON.stringify({ scenario_id: "headache", ranking: "A>B>C", source: "m" }),
        JSON.stringify({ scenario_id: "headache", ranking: "A>B>C>D", source: "study-file" }),
        JSON.stringify({ scenario_id: "weather", ranking: "D>C>B>A", source: "m" }),
        JSON.stringify({ scenario_id: "attention", ranking: "A>B>C>D" }),
      ].join("\n"),
    );
    let error: unknown;
    try {
      readReferenceFile(database.sqlite, path, {}, "bad.jsonl");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ReferenceImportError);
    const problems = (error as ReferenceImportError).problems;
    expect(problems[0]).toMatch(/^bad\.jsonl:2: invalid JSON/);
    expect(problems[1]).toBe('bad.jsonl:3: scenario_id: no scenario "nowhere" in study mini');
    expect(problems[2]).toMatch(/^bad\.jsonl:4: ranking: "A>B>C" is not a ranking of A–D/);
    expect(problems[3]).toMatch(/^bad\.jsonl:5: source: "study-file" is kept/);
    expect(problems[4]).toBe("bad.jsonl:6: scenario weather from source m is already on line 1");
    expect(problems[5]).toMatch(/^bad\.jsonl:7: source:/);
    expect(problems).toHaveLength(6);
    expect(stored()).toEqual([]);
  });

  it("is a command: every problem on stderr, exit 1, nothing stored", async () => {
    const env = { DATABASE_PATH: database.path };
    const bad = file("bad.csv", "scenario_id,ranking,source,version\nweather,A>A>C>D,m,1\nheadache,Z>B>C>D,m,1\n");
    const refused = await runChorusInProcess(["reference", "import", bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(2);
    expect(stored()).toEqual([]);
    const good = file("good.csv", "scenario_id,ranking,source,version\nweather,A>B>C>D,m,1\n");
    const json = await runChorusInProcess(["reference", "import", good, "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ imported: 1, replaced: 0 });
  });
});
