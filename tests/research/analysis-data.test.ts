import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NO_RANKING } from "../../src/research/analysis/analyze.js";
import { WEAK_ORDERS } from "../../src/research/analysis/weak-orders.js";
import { type AnalysisLoadOptions, loadAnalysis, NOT_ANSWERED } from "../../src/research/analysis-data.js";
import type { AnalysisReport } from "../../src/research/report/report.js";
import { runAnalysis } from "../../src/research/run-analysis.js";
import { runChorusInProcess } from "../helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { SECRET, type Seeded, seedResearchData } from "./fixtures.js";

let database: TestDatabase;
let seeded: Seeded;

beforeEach(() => {
  database = createTestDatabase();
  seeded = seedResearchData(database);
});
afterEach(() => database.cleanup());

const load = (options: Partial<AnalysisLoadOptions> = {}) =>
  loadAnalysis(database.sqlite, { excludeFlagged: false, ...options });

describe("loading a study for analysis", () => {
  it("reads every world ranking and flags speeders and failed attention checks", () => {
    const loaded = load();
    expect(loaded.study.id).toBe("mini");
    expect(loaded.input.rows.count).toBe(5);
    expect(loaded.input.participantGroup).toHaveLength(3);
    expect(loaded.reference).toEqual({ source: "study-file", version: "1" });
    expect(loaded.input.scenarios.map((s) => [s.scenarioId, s.reference])).toEqual([
      ["weather", "D>A>B>C"],
      ["headache", null],
      ["attention", null],
    ]);
    // p3 read four responses in 4 s (< 3 s each) and put B above the obvious best, A; p2 ranked weather
    // with B and C never opened; two assessments are from before cards.
    expect(loaded.quality).toEqual({
      minSecondsPerResponse: 3,
      minLetters: 20,
      assessments: 5,
      speeders: 1,
      shortRationales: 0,
      failedAttentionParticipants: 1,
      rankedWithoutOpeningAll: 1,
      openingUnknown: 2,
      flagged: 2,
      excluded: 0,
    });
  });

  it("flags rationales below the study minimum, in any block", () => {
    database.sqlite.prepare("UPDATE ranking_blocks SET rationale = 'ok!!' WHERE assessment_id = 2").run();
    database.sqlite.prepare("UPDATE assessments SET unacceptable_rationale = '👍👍' WHERE id = 1").run();
    // A long rationale whose start is all punctuation needs the whole text to decide (and passes).
    database.sqlite
      .prepare("UPDATE ranking_blocks SET rationale = ? WHERE assessment_id = 3 AND block = 'world'")
      .run(`${"—".repeat(80)} but the rest of it explains the choice properly`);
    const quality = load().quality;
    expect(quality.shortRationales).toBe(2);
    expect(quality.flagged).toBe(4);
  });

  it("drops flagged assessments, and every assessment of a participant failing an attention check", () => {
    database.sqlite.prepare("UPDATE ranking_blocks SET rationale = 'ok!!' WHERE assessment_id = 2").run();
    const loaded = load({ excludeFlagged: true });
    // p3 (speeder, failed check) is gone entirely; p1 keeps weather only; p2 keeps attention (weather was
    // ranked without opening B and C).
    expect(loaded.input.rows.count).toBe(2);
    const kept = Array.from(loaded.input.rows.code, (code) => WEAK_ORDERS[code]?.text).sort();
    expect(kept).toEqual(["A>B>C>D", "D>A>B>C"]);
    expect(loaded.input.participantGroup).toHaveLength(2);
    expect(loaded.quality.excluded).toBe(3);
    expect(Math.max(...loaded.input.rows.participant)).toBe(1);
  });

  it("groups by a profile question, locale or platform", () => {
    expect(load({ by: "age_band" }).input.groups).toEqual(["18-29", "30-49", "prefer_not_to_say"]);
    expect(load({ by: "native_language" }).input.groups).toEqual(["en", "es", NOT_ANSWERED]);
    expect(load({ by: "platform" }).input.groups).toEqual(["slack", "telegram"]);
    expect(load({ by: "locale" }).input.groups).toEqual(["en", "es"]);
    expect(() => load({ by: "shoe_size" })).toThrow(/not a profile question of study mini/);
  });

  it("groups by the intersection of two fields", () => {
    const loaded = load({ by: "age_band,country_of_residence" });
    expect(loaded.input.groups).toEqual(["18-29 × US", "30-49 × MX", "prefer_not_to_say × US"]);
    expect(() => load({ by: "age_band,age_band" })).toThrow(/two different ones/);
    expect(() => load({ by: "age_band,platform,locale" })).toThrow(/one field or two/);
    expect(() => load({ by: "age_band,shoe_size" })).toThrow(/--by shoe_size: not a profile question/);
  });

  it("reads the personal rankings and the unacceptable answers beside the world ones", () => {
    const loaded = load();
    const { personal, unacceptable, count } = loaded.input.rows;
    expect(Array.from(personal ?? []).filter((code) => code !== NO_RANKING)).toHaveLength(3);
    // p1 flagged C on weather; p2 was asked and flagged none; the others were not asked.
    expect(Array.from(unacceptable ?? []).sort()).toEqual([-1, -1, -1, 0, 4].sort());
    expect(count).toBe(5);
    expect(loaded.input.scenarios[0]?.responses?.map((r) => r.label)).toEqual(["A", "B", "C", "D"]);
    expect(loaded.input.scenarios[0]?.messages?.[0]?.content).toBe("Should I take an umbrella today?");
  });

  it("filters by completion date and refuses unknown studies and references", () => {
    expect(load({ since: "2026-02-01T10:10:00Z" }).input.rows.count).toBe(3);
    expect(() => load({ studyId: "nope" })).toThrow(/No study with id "nope"/);
    expect(() => load({ reference: "gpt-judge" })).toThrow(/no reference rankings from that source/);
  });
});

describe("chorus analyze", () => {
  it("agrees with the hand computation for the reference scenario", () => {
    const report = runAnalysis(database.sqlite, {
      excludeFlagged: false,
      replicates: 50,
      seed: 3,
      confidence: 0.9,
      now: () => new Date("2026-03-01T00:00:00Z"),
    });
    const weather = report.result.scenarios.find((s) => s.scenarioId === "weather");
    // p1 D>A>B>C agrees on 6/6 pairs; p2 A=D>B>C on 5/5 (A–D tied, left out). τ-b: 1 and 5/√30.
    expect(weather?.all.reference?.share.value).toBe(1);
    expect(weather?.all.reference?.tauB.value).toBeCloseTo((1 + 5 / Math.sqrt(30)) / 2, 12);
    expect(weather?.all.firstChoice.D.value).toBeCloseTo(0.75, 12);
    expect(report.result.agreement.all.agreement?.rankings).toBe(2);
    expect(report.generatedAt).toBe("2026-03-01T00:00:00.000Z");
  });

  it("prints text, JSON and a self-contained HTML report through the command line", async () => {
    // A profile answer with markup must come out escaped.
    database.sqlite
      .prepare("UPDATE profile_answers SET value = '<img src=x onerror=alert(1)>' WHERE participant_id = ?")
      .run(seeded.participants.p1);
    const env = { DATABASE_PATH: database.path, EXPORT_SECRET: SECRET };
    const text = await runChorusInProcess(["analyze", "--bootstrap", "20"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Study mini v1");
    expect(text.stdout).toContain("participants failing an attention check   1");
    expect(text.stdout).toContain(
      "ranked without opening every response     1 (20.0%); unknown for 2 from before cards",
    );
    expect(text.stdout).toContain("Scenario weather");
    expect(text.stdout).toContain("Kendall's W");

    const json = await runChorusInProcess(["analyze", "--json", "--by", "age_band", "--exclude-flagged"], env);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as AnalysisReport;
    expect(report.by).toBe("age_band");
    expect(report.excludeFlagged).toBe(true);
    expect(report.result.totals).toEqual({ assessments: 3, participants: 2, scenarios: 3 });
    expect(report.quality).toMatchObject({ rankedWithoutOpeningAll: 1, openingUnknown: 2, flagged: 2, excluded: 2 });
    expect(report.result.bootstrap).toEqual({ replicates: 200, seed: 1, confidence: 0.95 });

    const html = join(database.dir, "report", "analysis.html");
    const page = await runChorusInProcess(["analyze", "--html", html, "--by", "age_band", "--bootstrap", "30"], env);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toContain(`Report written to ${html}`);
    const content = readFileSync(html, "utf8");
    expect(content.startsWith("<!doctype html>")).toBe(true);
    expect(content).toContain("<svg");
    expect(content).toContain("First choice");
    expect(content).toContain("Mean rank");
    expect(content).toContain("Agreement with the reference");
    // Offline: no scripts, no external stylesheets, images or fonts.
    expect(content).not.toMatch(/<script|<link|<img|<iframe|\ssrc="|\shref="|url\(|@import/i);
    expect(content).toContain("&#60;img src=x onerror=alert(1)&#62;");
    // The scenario's prompt and responses, escaped; every group here is under the minimum size: greyed and warned.
    for (const part of [
      "<summary>Prompt and responses</summary>",
      "Should I take an umbrella today?",
      '<tr class="small" title="fewer than 10: too few to read on its own">',
      "fewer than 10; its figures are greyed",
      "Judged unacceptable",
      "World vs personal ranking",
      "<tr><th>Ranked without opening every response</th><td>1 (20.0%); unknown for 2 from before cards</td></tr>",
    ]) {
      expect(content).toContain(part);
    }

    const small = await runChorusInProcess(["analyze", "--by", "age_band,platform", "--min-group", "1"], env);
    expect(small.code, small.stderr).toBe(0);
    expect(small.stdout).toContain("age_band,platform = 30-49 × slack");
    expect(small.stdout).not.toContain("Warning:");
    expect(small.stdout).toContain("differences between groups (Kruskal–Wallis");
    expect(small.stdout).toContain("World vs personal ranking of the same assessments:");
    const warned = await runChorusInProcess(["analyze", "--by", "age_band"], env);
    expect(warned.stdout).toMatch(/^Warning: group "30-49": 1 participant\(s\), fewer than 10/);
    expect(warned.stdout).toContain("[n < 10: too few to read on its own]");
  });

  it("refuses bad options with one line and exit code 2", async () => {
    const env = { DATABASE_PATH: database.path };
    const unknown = await runChorusInProcess(["analyze", "--by", "shoe_size"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toContain("--by shoe_size");
    const usage = await runChorusInProcess(["analyze", "--confidence", "95"], env);
    expect(usage.code).toBe(2);
  });
});

describe("chorus export and reference import through the command line", () => {
  it("refuses to export without EXPORT_SECRET and writes files with it", async () => {
    const out = join(database.dir, "cli.csv");
    const refused = await runChorusInProcess(["export", "--format", "csv", "--out", out], {
      DATABASE_PATH: database.path,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("EXPORT_SECRET is not set");
    const done = await runChorusInProcess(["export", "--format", "csv", "--out", out, "--json"], {
      DATABASE_PATH: database.path,
      EXPORT_SECRET: SECRET,
    });
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ format: "csv", assessments: 5, rows: 10, studies: ["mini"] });
    // Not a terminal: progress comes as plain lines on stderr.
    expect(done.stderr).toMatch(/export csv: 5\/5/);
    database.sqlite
      .prepare(
        "UPDATE ranking_blocks SET rationale = 'Mail me: ana@example.org, or +1 415 555 0132' WHERE assessment_id = 1",
      )
      .run();
    const redacted = await runChorusInProcess(["export", "--format", "csv", "--out", out, "--redact"], {
      DATABASE_PATH: database.path,
      EXPORT_SECRET: SECRET,
    });
    expect(redacted.code, redacted.stderr).toBe(0);
    expect(redacted.stdout).toContain("Redacted in rationales: 2 email addresses, 2 phone numbers");
    expect(redacted.stdout).toContain(`Codebook: ${join(database.dir, "cli.codebook.json")}`);
    expect(readFileSync(out, "utf8")).toContain("Mail me: [email], or [phone]");
  });

  it("imports a reference ranking that analyze then compares people with", async () => {
    const env = { DATABASE_PATH: database.path };
    const file = join(database.dir, "spec.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ scenario_id: "headache", ranking: "b > c > d > a", source: "spec-judge", version: "2026-03" })}\n`,
    );
    const imported = await runChorusInProcess(["reference", "import", file], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("spec-judge v2026-03: 1 scenarios");
    const json = await runChorusInProcess(["analyze", "--json", "--reference", "spec-judge", "--bootstrap", "0"], env);
    const report = JSON.parse(json.stdout) as AnalysisReport;
    expect(report.reference).toEqual({ source: "spec-judge", version: "2026-03" });
    const headache = report.result.scenarios.find((s) => s.scenarioId === "headache");
    expect(headache?.reference).toBe("B>C>D>A");
    expect(headache?.all.reference?.share.value).toBe(1);
    expect(report.result.scenarios.find((s) => s.scenarioId === "weather")?.reference).toBeNull();
    const listed = await runChorusInProcess(["reference", "list"], env);
    expect(listed.stdout).toMatch(/mini\s+spec-judge\s+2026-03\s+1/);
    expect(listed.stdout).toMatch(/mini\s+study-file\s+1\s+1/);
  });
});
