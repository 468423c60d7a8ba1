import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Study } from "../../src/core/study/schema.js";
import { loadStudy } from "../../src/store/stored-study.js";
import {
  closeStudy,
  getStudy,
  importStudy,
  listStudies,
  publishStudy,
  StudyStoreError,
} from "../../src/store/study-repository.js";
import { createTestDatabase, loadMiniStudy, type TestDatabase } from "../helpers/db.js";

let database: TestDatabase;
let study: Study;

beforeEach(() => {
  database = createTestDatabase();
  study = loadMiniStudy();
});
afterEach(() => database.cleanup());

const rows = (sql: string) => database.sqlite.prepare(sql).all() as Record<string, unknown>[];
const scenarioIds = () => rows("SELECT id FROM scenarios ORDER BY position").map((r) => r.id);
const storedDefinition = (id = "mini") =>
  JSON.parse(
    database.sqlite.prepare("SELECT definition FROM studies WHERE id = ?").pluck().get(id) as string,
  ) as Record<string, unknown>;

function refusal(fn: () => unknown): StudyStoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StudyStoreError) return error;
    throw error;
  }
  throw new Error("expected a StudyStoreError");
}

/** Gives a participant an assignment of `scenarioId`, so that scenario counts as in use. */
function assign(scenarioId: string): void {
  database.sqlite
    .prepare(
      "INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, created_at, updated_at) VALUES ('p1', 'console', 'u1', 'mini', 'en', 'active', 't', 't')",
    )
    .run();
  database.sqlite
    .prepare(
      "INSERT INTO assignments (participant_id, study_id, scenario_id, position, shown_order, form, assigned_at) VALUES ('p1', 'mini', ?, 0, 'ABCD', 'long', 't')",
    )
    .run(scenarioId);
}

describe("importStudy", () => {
  it("stores the study, its scenarios in order, the four responses each and reference rankings", () => {
    const result = importStudy(database.db, study, { at: "2026-01-01T00:00:00.000Z" });
    expect(result).toEqual({
      action: "created",
      id: "mini",
      version: 1,
      previousVersion: null,
      status: "draft",
      scenarios: 3,
      addedScenarios: [],
      removedScenarios: [],
    });
    expect(
      rows("SELECT id, position, tags, reference_ranking, attention_check FROM scenarios ORDER BY position"),
    ).toEqual([
      { id: "weather", position: 0, tags: '["everyday"]', reference_ranking: "D>A>B>C", attention_check: null },
      { id: "headache", position: 1, tags: '["medical"]', reference_ranking: null, attention_check: null },
      {
        id: "attention",
        position: 2,
        tags: '["attention-check"]',
        reference_ranking: null,
        attention_check: '{"best":"A"}',
      },
    ]);
    expect(
      rows("SELECT scenario_id, count(*) AS n FROM candidate_responses GROUP BY scenario_id ORDER BY scenario_id"),
    ).toEqual([
      { scenario_id: "attention", n: 4 },
      { scenario_id: "headache", n: 4 },
      { scenario_id: "weather", n: 4 },
    ]);
    expect(rows("SELECT scenario_id, source, source_version, ranking FROM reference_rankings")).toEqual([
      { scenario_id: "weather", source: "study-file", source_version: "1", ranking: "D>A>B>C" },
    ]);
    const stored = getStudy(database.db, "mini");
    expect(stored?.definition).toEqual(study);
    expect(stored).toMatchObject({ status: "draft", scenarios: 3, participants: 0, publishedAt: null });
  });

  it("stores no scenario text in the definition, and loads back exactly the study imported", () => {
    const [weather, headache, attention] = study.scenarios as [Study["scenarios"][number], ...Study["scenarios"]];
    const varied: Study = {
      ...study,
      scenarios: [
        // Responses listed D to A, text in other scripts: both come back as written.
        { ...weather, responses: [...weather.responses].reverse() },
        {
          ...(headache as Study["scenarios"][number]),
          messages: [
            { role: "system", content: "Réponds en français, s'il te plaît." },
            { role: "user", content: "頭痛が三日続いています。どうすればいい？" },
          ],
        },
        attention as Study["scenarios"][number],
      ],
    };
    importStudy(database.db, varied);
    expect(loadStudy(database.sqlite, "mini")).toEqual(varied);
    const definition = storedDefinition();
    const { scenarios, ...settings } = varied;
    expect(definition).toEqual({ ...settings, scenarioIds: ["weather", "headache", "attention"] });
    // (Texts of a few characters, such as "4", occur in the settings by chance.)
    const json = JSON.stringify(definition);
    const texts = scenarios.flatMap((s) => [...s.messages.map((m) => m.content), ...s.responses.map((r) => r.text)]);
    expect(texts.filter((text) => text.length >= 5 && json.includes(text))).toEqual([]);
    expect(loadStudy(database.sqlite, "absent")).toBeUndefined();
  });

  it("re-importing identical content is a no-op; different content of the same version is refused unless replace", () => {
    importStudy(database.db, study);
    expect(importStudy(database.db, structuredClone(study)).action).toBe("unchanged");
    const edited = { ...study, briefing: "A new briefing." };
    const error = refusal(() => importStudy(database.db, edited));
    expect(error.code).toBe("same_version_changed");
    expect(error.message).toBe(
      'Study "mini" version 1 is already imported with different content; raise "version" in the file, or use --replace',
    );
    expect(getStudy(database.db, "mini")?.definition.briefing).toBe(study.briefing);
    expect(importStudy(database.db, edited, { replace: true }).action).toBe("replaced");
    expect(getStudy(database.db, "mini")?.definition.briefing).toBe("A new briefing.");
  });

  it("a higher version updates the study and keeps its status; an older one is refused", () => {
    importStudy(database.db, study);
    publishStudy(database.db, "mini");
    const next: Study = {
      ...study,
      version: 2,
      scenarios: [
        ...study.scenarios.filter((s) => s.id !== "headache"),
        { ...study.scenarios[0]!, id: "new-one", referenceRanking: undefined },
      ],
    };
    expect(importStudy(database.db, next)).toMatchObject({
      action: "updated",
      previousVersion: 1,
      status: "published",
      addedScenarios: ["new-one"],
      removedScenarios: ["headache"],
    });
    expect(rows("SELECT id FROM scenarios ORDER BY position").map((r) => r.id)).toEqual([
      "weather",
      "attention",
      "new-one",
    ]);
    expect(rows("SELECT DISTINCT scenario_id FROM candidate_responses ORDER BY 1").map((r) => r.scenario_id)).toEqual([
      "attention",
      "new-one",
      "weather",
    ]);
    expect(listStudies(database.db)[0]).toMatchObject({ version: 2, status: "published" });
    expect(refusal(() => importStudy(database.db, study)).code).toBe("older_version");
  });

  it("refuses to remove or rewrite a scenario participants were already assigned, and writes nothing", () => {
    importStudy(database.db, study);
    assign("headache");
    const without: Study = { ...study, version: 2, scenarios: study.scenarios.filter((s) => s.id !== "headache") };
    const removed = refusal(() => importStudy(database.db, without));
    expect(removed.code).toBe("scenario_in_use");
    expect(removed.message).toContain("headache");

    const rewritten: Study = {
      ...study,
      version: 2,
      scenarios: study.scenarios.map((s) =>
        s.id === "headache" ? { ...s, responses: s.responses.map((r) => ({ ...r, text: `${r.text}!` })) } : s,
      ),
    };
    expect(refusal(() => importStudy(database.db, rewritten)).message).toMatch(/headache.*cannot change/);
    expect(getStudy(database.db, "mini")?.version).toBe(1);

    // Tags and unassigned scenarios may change.
    const retagged: Study = {
      ...study,
      version: 2,
      scenarios: study.scenarios.map((s) => (s.id === "headache" ? { ...s, tags: ["medical", "reviewed"] } : s)),
    };
    expect(importStudy(database.db, retagged).action).toBe("updated");
  });

  it("commits in short slices: the write lock is free between them and the live version changes last", () => {
    importStudy(database.db, study);
    publishStudy(database.db, "mini");
    const many: Study = {
      ...study,
      version: 2,
      scenarios: [
        ...study.scenarios,
        ...Array.from({ length: 30 }, (_, i) => ({ ...study.scenarios[0]!, id: `extra-${i}` })),
      ],
    };
    const other = new Database(database.path, { timeout: 0 });
    const seen: { done: number; liveVersion: unknown; lockFree: boolean }[] = [];
    importStudy(database.db, many, {
      sliceMs: 0, // every task its own transaction
      onSlice: (done) => {
        let lockFree = true;
        try {
          other.exec("BEGIN IMMEDIATE");
          other.exec("ROLLBACK");
        } catch {
          lockFree = false;
        }
        const liveVersion = other.prepare("SELECT version FROM studies").pluck().get();
        seen.push({ done, liveVersion, lockFree });
      },
    });
    other.close();
    // 30 new scenarios and the one whose study-file reference now names version 2, one per transaction.
    expect(seen).toHaveLength(31);
    expect(seen.every((slice) => slice.lockFree && slice.liveVersion === 1)).toBe(true);
    expect(getStudy(database.db, "mini")).toMatchObject({ version: 2, scenarios: 33 });
  });

  it("interrupted half-way (a crash between slices): the live version is untouched; importing again finishes", () => {
    const crash = new Error("killed");
    const interrupt = (options: { at?: string } = {}) => ({
      ...options,
      sliceMs: 0,
      onSlice: (done: number) => {
        if (done === 2) throw crash;
      },
    });
    // A new study: its draft row is written first, the rest of the rows never came.
    expect(() => importStudy(database.db, study, interrupt())).toThrow(crash);
    expect(rows("SELECT id FROM scenarios")).toHaveLength(1);
    expect(importStudy(database.db, study).action).toBe("resumed");
    expect(rows("SELECT id FROM scenarios")).toHaveLength(3);
    expect(importStudy(database.db, study).action).toBe("unchanged");

    publishStudy(database.db, "mini");
    const next: Study = {
      ...study,
      version: 2,
      scenarios: [
        ...study.scenarios,
        { ...study.scenarios[1]!, id: "later-1" },
        { ...study.scenarios[1]!, id: "later-2" },
      ],
    };
    expect(() => importStudy(database.db, next, interrupt())).toThrow(crash);
    expect(getStudy(database.db, "mini")?.version).toBe(1);
    expect(importStudy(database.db, next)).toMatchObject({ action: "updated", addedScenarios: ["later-1", "later-2"] });
    expect(scenarioIds()).toEqual(["weather", "headache", "attention", "later-1", "later-2"]);
  });

  it("rewrites of listed scenarios follow the switch; interrupted there, importing again finishes them", () => {
    importStudy(database.db, study);
    publishStudy(database.db, "mini");
    const reworded: Study = {
      ...study,
      version: 2,
      scenarios: study.scenarios.map((s) =>
        s.id === "weather" ? s : { ...s, responses: s.responses.map((r) => ({ ...r, text: `${r.text} (v2)` })) },
      ),
    };
    const crash = new Error("killed after the switch");
    const versions: unknown[] = [];
    expect(() =>
      importStudy(database.db, reworded, {
        sliceMs: 0,
        onSlice: () => {
          const version = getStudy(database.db, "mini")?.version;
          versions.push(version);
          // Killed after the first rewrite that follows the switch: the second never comes.
          if (version === 2) throw crash;
        },
      }),
    ).toThrow(crash);
    // weather's reference names the new version before the switch; the rewrites come after it.
    expect(versions).toEqual([1, 2]);
    const responseA = (scenario: string) =>
      database.sqlite
        .prepare("SELECT text FROM candidate_responses WHERE scenario_id = ? AND label = 'A'")
        .pluck()
        .get(scenario);
    expect([responseA("headache"), responseA("attention")]).toEqual(["Take any pills you have. (v2)", "4"]);
    // The definition carries the new text of the rewritten scenarios meanwhile: every reader sees version 2 whole.
    expect((storedDefinition().pendingScenarios as { id: string }[]).map((s) => s.id)).toEqual([
      "headache",
      "attention",
    ]);
    expect(loadStudy(database.sqlite, "mini")).toEqual(reworded);
    // Participants are given the new text from now on (assigned here); importing again catches the rows up.
    assign("attention");
    expect(importStudy(database.db, reworded).action).toBe("resumed");
    expect(responseA("attention")).toBe("4 (v2)");
    expect(storedDefinition().pendingScenarios).toBeUndefined();
    expect(loadStudy(database.sqlite, "mini")).toEqual(reworded);
    expect(importStudy(database.db, reworded).action).toBe("unchanged");
  });

  it("refused at the last moment when a scenario it rewrites was assigned meanwhile; its new rows go again", () => {
    importStudy(database.db, study);
    publishStudy(database.db, "mini");
    const next: Study = {
      ...study,
      version: 2,
      scenarios: [
        ...study.scenarios.map((s) =>
          s.id === "headache" ? { ...s, messages: [{ role: "user" as const, content: "Changed?" }] } : s,
        ),
        { ...study.scenarios[0]!, id: "fresh" },
      ],
    };
    let assigned = false;
    const assignOnce = () => {
      if (!assigned) assign("headache");
      assigned = true;
    };
    const error = refusal(() => importStudy(database.db, next, { sliceMs: 0, onSlice: assignOnce }));
    expect(error.code).toBe("scenario_in_use");
    expect(getStudy(database.db, "mini")?.version).toBe(1);
    expect(scenarioIds()).toEqual(["weather", "headache", "attention"]);
  });

  it("refuses a version that would strand participants on a question it no longer has at their place", () => {
    importStudy(database.db, study);
    publishStudy(database.db, "mini");
    // Someone is answering the second profile question (country_of_residence).
    assign("weather");
    database.sqlite
      .prepare("INSERT INTO flow_states (participant_id, state, step, updated_at) VALUES ('p1', ?, 7, 't')")
      .run(JSON.stringify({ schemaVersion: 1, studyId: "mini", phase: "profile", questionIndex: 1, step: 7 }));
    const dropsFirst: Study = { ...study, version: 2, profile: study.profile.slice(1) };
    const stranding = refusal(() => importStudy(database.db, dropsFirst));
    expect(stranding.code).toBe("would_strand");
    expect(stranding.message).toBe(
      'Study "mini" v2 would strand participants answering questions it no longer has at their place (1 on profile question 2 ("country_of_residence")); keep those questions where they are, or import it once they have moved on',
    );
    const fewerScreening: Study = { ...study, version: 2, screening: [] };
    expect(importStudy(database.db, fewerScreening).action).toBe("updated"); // nobody is on a screening question

    // A question added after theirs strands nobody.
    const appended: Study = {
      ...study,
      version: 3,
      screening: [],
      profile: [...study.profile, { ...study.profile[0]!, id: "extra_question" }],
    };
    expect(importStudy(database.db, appended).action).toBe("updated");
    // Once they have moved on, the question may go.
    database.sqlite.prepare("UPDATE flow_states SET state = json_set(state, '$.phase', 'task')").run();
    expect(importStudy(database.db, { ...dropsFirst, version: 4, screening: [] }).action).toBe("updated");
  });
});

describe("publish, close, list", () => {
  it("sets the status with its time and refuses unknown ids", () => {
    importStudy(database.db, study, { at: "2026-01-01T00:00:00.000Z" });
    expect(publishStudy(database.db, "mini", "2026-01-02T00:00:00.000Z")).toMatchObject({
      status: "published",
      publishedAt: "2026-01-02T00:00:00.000Z",
      closedAt: null,
    });
    expect(closeStudy(database.db, "mini", "2026-01-03T00:00:00.000Z")).toMatchObject({
      status: "closed",
      closedAt: "2026-01-03T00:00:00.000Z",
    });
    const missing = refusal(() => publishStudy(database.db, "nope"));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toBe('No study with id "nope" (see: chorus study list)');
    expect(refusal(() => closeStudy(database.db, "nope")).code).toBe("not_found");
  });

  it("lists studies with scenario, participant and assessment counts", () => {
    importStudy(database.db, study, { at: "2026-01-01T00:00:00.000Z" });
    importStudy(
      database.db,
      { ...study, id: "second", scenarios: study.scenarios.slice(0, 1) },
      { at: "2026-01-02T00:00:00.000Z" },
    );
    assign("weather");
    database.sqlite.prepare("UPDATE participants SET admitted_at = 't'").run();
    expect(
      listStudies(database.db).map(({ id, scenarios, participants, admitted, assessments }) => ({
        id,
        scenarios,
        participants,
        admitted,
        assessments,
      })),
    ).toEqual([
      { id: "mini", scenarios: 3, participants: 1, admitted: 1, assessments: 0 },
      { id: "second", scenarios: 1, participants: 0, admitted: 0, assessments: 0 },
    ]);
    expect(getStudy(database.db, "absent")).toBeUndefined();
  });
});
