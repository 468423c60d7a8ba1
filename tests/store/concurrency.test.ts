import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/client.js";
import { importStudy } from "../../src/store/study-repository.js";
import { createSurveyStore, STUDY_RECHECK_MS } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

const WRITER = fileURLToPath(new URL("../helpers/store-writer.ts", import.meta.url));

function runWriter(path: string, prefix: string, count: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, path, prefix, String(count)]);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("several connections to one file", () => {
  let database: TestDatabase | undefined;
  afterEach(() => database?.cleanup());

  it("two processes writing at once lose nothing", async () => {
    database = createTestDatabase();
    seedMiniStudy(database);
    const perWriter = 300;
    const results = await Promise.all([
      runWriter(database.path, "left", perWriter),
      runWriter(database.path, "right", perWriter),
    ]);
    for (const result of results) expect(result, result.output).toMatchObject({ code: 0 });
    const count = (sql: string) => database?.sqlite.prepare(sql).pluck().get();
    expect(count("SELECT count(*) FROM participants")).toBe(2 * perWriter);
    expect(count("SELECT count(*) FROM processed_events")).toBe(2 * perWriter);
    expect(count("SELECT count(*) FROM flow_states")).toBe(2 * perWriter);
    expect(count("SELECT count(*) FROM assessments")).toBe(2 * perWriter);
    // The shared counter both processes incremented: a lost update would show here.
    expect(count("SELECT assessment_count FROM scenarios WHERE id = 'weather'")).toBe(2 * perWriter);
  });

  it("two connections in one process see each other's commits, and the study cache follows new versions", () => {
    database = createTestDatabase();
    const study = seedMiniStudy(database);
    const second = openDatabase(database.path);
    try {
      const a = createSurveyStore(database);
      let clock = 0;
      const b = createSurveyStore(second, { now: () => clock });
      expect(b.study("mini")?.version).toBe(1);
      a.transaction(() => {
        a.createParticipant({
          id: "p1",
          platform: "slack",
          platformUserId: "U1",
          studyId: "mini",
          locale: "en",
          status: "active",
          source: null,
          createdAt: "t",
        });
      });
      expect(b.findParticipant({ platform: "slack", platformUserId: "U1" })?.id).toBe("p1");
      expect(b.claimEvent("slack", "E1", "t")).toBe(true);
      expect(a.claimEvent("slack", "E1", "t")).toBe(false);
      // A new version imported through the first connection reaches the second one's cache.
      importStudy(database.db, { ...study, version: 2 });
      expect(b.study("mini")?.version).toBe(1); // trusted for up to a second
      clock += STUDY_RECHECK_MS;
      expect(b.study("mini")?.version).toBe(2);
    } finally {
      second.close();
    }
  });
});
