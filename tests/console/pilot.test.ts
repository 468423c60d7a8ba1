import { rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { parseRanking } from "../../src/core/ranking.js";
import { pilotDir, runPilotProcess } from "../helpers/pilot-process.js";

const RATIONALE = "Clear, kind and honest 👍 — واضح ولطيف, 丁寧です.";

/** The lines a participant types through the whole sample study (4 scenarios, the first in long form). */
function fullSessionScript(): string[] {
  // All four responses are on the card: best of the rest three times (the last is placed by itself), confirm.
  const rank = ["1", "1", "1", "1"];
  const done = "1"; // ✓ Done after a reason
  const firstTask = [
    ...rank,
    RATIONALE,
    done,
    ...rank,
    "Personally the same order.",
    done,
    "1", // A is unacceptable
    "5", // Done
    "Response A is preachy and unhelpful.",
    done,
  ];
  const shortTask = [...rank, "Short form reasons here.", done];
  return [
    "1", // English
    "maybe", // text where a button is expected: re-asked
    "1", // consent
    "1", // screening: wait by the north gate
    "2", // screening: modern
    ...Array.from({ length: 8 }, () => "1"), // the eight profile questions
    "/progress",
    "1", // start
    ...firstTask,
    "/frobnicate", // unknown command: explained, nothing changes
    ...shortTask,
    ...shortTask,
    ...shortTask,
  ];
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runStart(lines: string[], env: Record<string, string> = {}) {
  dir = pilotDir();
  return runPilotProcess(lines, path.join(dir, "chorus.db"), {
    CONSOLE_USER: "pilot-tester",
    LANG: "en_US.UTF-8",
    ...env,
  });
}

describe("terminal pilot through npm start's entry point, with piped standard input", () => {
  it("imports the sample study once and takes a participant through to the completion code", () => {
    const run = runStart(fullSessionScript());
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Imported and published the sample study "sample-2026"');
    expect(run.stdout).toContain("Please answer with one of the buttons.");
    expect(run.stdout).toContain("I don't know the command /frobnicate");
    expect(run.stdout).toContain("── Response D ──");
    expect(run.stdout).toContain("✓ Scenario 4 of 4 saved. Your ranking: A > B > C > D");
    expect(run.stdout).toContain("Your completion code is CHORUS-SAMPLE-7F3K");

    const db = new Database(run.dbPath, { readonly: true });
    const participant = db.prepare("SELECT * FROM participants").get() as Record<string, unknown>;
    expect(participant).toMatchObject({
      platform: "console",
      platform_user_id: "pilot-tester",
      status: "completed",
      locale: "en",
      consent_version: "2026-11",
    });
    const profile = db.prepare("SELECT question_id, value FROM profile_answers ORDER BY question_id").all() as {
      question_id: string;
      value: string;
    }[];
    expect(profile).toHaveLength(8);
    expect(profile.find((row) => row.question_id === "age_band")?.value).toBe("18-24");
    const assignments = db.prepare("SELECT * FROM assignments ORDER BY position").all() as Record<
      string,
      string | number | null
    >[];
    expect(assignments.map((row) => row.form)).toEqual(["long", "short", "short", "short"]);
    for (const row of assignments) {
      expect([...String(row.shown_order)].sort().join("")).toBe("ABCD");
      expect(row.completed_at).not.toBeNull();
    }
    const blocks = db
      .prepare(
        "SELECT b.block, b.ranking, b.rationale, b.rationale_language, a.shown_order FROM ranking_blocks b JOIN assessments s ON s.id = b.assessment_id JOIN assignments a ON a.id = s.assignment_id ORDER BY a.position, b.block DESC",
      )
      .all() as {
      block: string;
      ranking: string;
      rationale: string;
      rationale_language: string | null;
      shown_order: string;
    }[];
    expect(blocks.map((b) => b.block)).toEqual(["world", "personal", "world", "world", "world"]);
    for (const block of blocks) {
      // Display order A>B>C>D was chosen every time, so the canonical ranking is the shown order itself.
      expect(block.ranking).toBe([...block.shown_order].join(">"));
      expect(parseRanking(block.ranking).ok).toBe(true);
    }
    expect(blocks[0]?.rationale).toBe(RATIONALE);
    // Rationale language is detected and stored beside the text.
    expect(blocks.slice(2).map((block) => block.rationale_language)).toEqual(["en", "en", "en"]);
    const firstAssessment = db
      .prepare(
        "SELECT s.unacceptable_labels, s.unacceptable_rationale, a.shown_order FROM assessments s JOIN assignments a ON a.id = s.assignment_id WHERE a.position = 0",
      )
      .get() as Record<string, string>;
    expect(JSON.parse(firstAssessment.unacceptable_labels ?? "null")).toEqual([firstAssessment.shown_order?.[0]]);
    expect(firstAssessment.unacceptable_rationale).toBe("Response A is preachy and unhelpful.");
    db.close();
  });

  it("resumes the same participant on the next start, without importing the study again", () => {
    const first = runStart(["1", "1"]);
    expect(first.status).toBe(0);
    const again = runPilotProcess(["/progress"], first.dbPath, { CONSOLE_USER: "pilot-tester" });
    expect(again.stdout).not.toContain("Imported and published");
    expect(again.stdout).toContain("Welcome back!");
    expect(again.stdout).toContain("You haven't started the scenarios yet.");
    const db = new Database(first.dbPath, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 1 });
    expect(db.prepare("SELECT count(*) AS n FROM studies").get()).toEqual({ n: 1 });
    db.close();
  });

  it("stops with one clear line and exit 1 when the database path is unwritable", () => {
    // /etc/hostname is a file, so no folder can be made under it.
    const run = runStart([], { DATABASE_PATH: "/etc/hostname/chorus.db" });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("/etc/hostname/chorus.db");
  });

  it("stops with one line naming the variable when the config is bad", () => {
    const run = runStart([], { LOG_LEVEL: "loud" });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Config error: LOG_LEVEL: /)]);
  });
});
