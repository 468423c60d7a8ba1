import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AssessmentRecord } from "../../src/core/flow/effects.js";
import { FLOW_STATE_VERSION, type FlowState, FlowStateSchema } from "../../src/core/flow/state.js";
import type { ParticipantRef, SurveyStore } from "../../src/core/ports.js";
import type { Study } from "../../src/core/study/schema.js";
import { closeStudy, importStudy, publishStudy } from "../../src/store/study-repository.js";
import { createSurveyStore, PROCESSED_EVENT_WINDOW_MS, STUDY_RECHECK_MS } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

const T0 = "2026-03-01T10:00:00.000Z";
const at = (minute: number) => new Date(Date.parse(T0) + minute * 60_000).toISOString();

let database: TestDatabase;
let store: SurveyStore;
let clock = 0;
let study: Study;

beforeEach(() => {
  database = createTestDatabase();
  study = seedMiniStudy(database);
  store = createSurveyStore(database, { now: () => clock });
});
afterEach(() => database.cleanup());

function join(id: string, userId = `user-${id}`, platform: ParticipantRef["platform"] = "telegram"): ParticipantRef {
  const ref = { platform, platformUserId: userId };
  store.createParticipant({
    id,
    ...ref,
    studyId: study.id,
    locale: "en",
    status: "active",
    source: "flyer",
    createdAt: T0,
  });
  store.saveState(id, state(1), T0);
  return ref;
}

function state(step: number, overrides: Partial<FlowState> = {}): FlowState {
  return FlowStateSchema.parse({
    schemaVersion: FLOW_STATE_VERSION,
    studyId: "mini",
    phase: "profile",
    step,
    locale: "en",
    phaseStartedAt: T0,
    ...overrides,
  });
}

const row = (sql: string, ...params: unknown[]) =>
  database.sqlite.prepare(sql).get(...params) as Record<string, unknown>;
const rows = (sql: string, ...params: unknown[]) =>
  database.sqlite.prepare(sql).all(...params) as Record<string, unknown>[];

function assessment(scenarioId: string, position: number, overrides: Partial<AssessmentRecord> = {}): AssessmentRecord {
  return {
    position,
    scenarioId,
    shownOrder: "CADB",
    form: "long",
    blocks: [
      {
        block: "world",
        ranking: "B>A=C>D",
        rationale: { text: "Clear and safe 👍 — واضح", detectedLanguage: "en", detectedConfidence: 0.91 },
        rationaleParts: 2,
        rankedAt: at(3),
        rationaleAt: at(4),
      },
      {
        block: "personal",
        ranking: "A>B>C>D",
        rationale: null,
        rationaleParts: null,
        rankedAt: at(5),
        rationaleAt: null,
      },
    ],
    unacceptable: {
      labels: ["D"],
      rationale: { text: "Dangerous advice", detectedLanguage: null, detectedConfidence: null },
    },
    layout: "paged",
    opens: { A: 2, B: 1, C: 0, D: 1 },
    ratings: { importance: "4" },
    startedAt: at(1),
    readingDoneAt: at(2),
    completedAt: at(6),
    locale: "es",
    ...overrides,
  };
}

/** Runs a participant through every effect up to a recorded assessment. */
function fullParticipant(id: string, userId = `user-${id}`): ParticipantRef {
  const ref = join(id, userId);
  const effects: Parameters<SurveyStore["applyEffect"]>[1][] = [
    { type: "locale_set", locale: "es" },
    { type: "consent_given", consentVersion: "2026-01", at: at(1) },
    { type: "screening_answered", questionId: "reading", optionId: "hot", passed: true, at: at(1) },
    { type: "profile_answered", questionId: "age_band", value: "18-29", at: at(1) },
    { type: "profile_answered", questionId: "country_of_residence", value: "US", at: at(1) },
    { type: "admitted", at: at(1) },
    {
      type: "assignments_created",
      assignments: [
        { scenarioId: "weather", position: 0, shownOrder: "CADB", form: "long" },
        { scenarioId: "headache", position: 1, shownOrder: "DCBA", form: "short" },
      ],
      at: at(1),
    },
    { type: "assignment_started", position: 0, at: at(1) },
    { type: "assessment_recorded", assessment: assessment("weather", 0) },
  ];
  store.transaction(() => {
    for (const effect of effects) store.applyEffect(id, effect);
  });
  return ref;
}

describe("participants, events and state", () => {
  it("claimEvent records an event id once per platform", () => {
    expect(store.claimEvent("telegram", "update-1", T0)).toBe(true);
    expect(store.claimEvent("telegram", "update-1", at(1))).toBe(false);
    expect(store.claimEvent("slack", "update-1", T0)).toBe(true);
    expect(rows("SELECT * FROM processed_events")).toHaveLength(2);
  });

  it("claimEvent: an id is a redelivery within a day, and a new event after (platforms reuse ids)", () => {
    const day = PROCESSED_EVENT_WINDOW_MS;
    const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
    expect(store.claimEvent("telegram", "update-7", T0)).toBe(true);
    expect(store.claimEvent("telegram", "update-7", later(day - 1000))).toBe(false);
    // Telegram numbers updates at random again after a week of silence: a newcomer is not silenced.
    expect(store.claimEvent("telegram", "update-7", later(day + 1000))).toBe(true);
    expect(store.claimEvent("telegram", "update-7", later(day + 2000))).toBe(false);
    expect(rows("SELECT processed_at FROM processed_events")).toEqual([{ processed_at: later(day + 1000) }]);
  });

  it("claimEvent drops ids older than the window now and then, so the table stays bounded", () => {
    const old = new Date(Date.parse(T0) - 2 * PROCESSED_EVENT_WINDOW_MS).toISOString();
    const insert = database.sqlite.prepare(
      "INSERT INTO processed_events (platform, event_id, processed_at) VALUES ('slack', ?, ?)",
    );
    for (let i = 0; i < 300; i++) insert.run(`old-${i}`, old);
    for (let i = 0; i < 1000; i++) store.claimEvent("telegram", `new-${i}`, T0);
    expect(rows(`SELECT count(*) AS n FROM processed_events WHERE processed_at = '${old}'`)).toEqual([{ n: 0 }]);
    expect(rows("SELECT count(*) AS n FROM processed_events")).toEqual([{ n: 1000 }]);
  });

  it("creates and finds a participant by platform and platform user id", () => {
    const ref = join("p1", "42");
    expect(store.findParticipant(ref)).toEqual({ id: "p1", studyId: "mini", locale: "en", status: "active" });
    expect(store.findParticipant({ platform: "slack", platformUserId: "42" })).toBeUndefined();
    expect(() => join("p2", "42")).toThrow(/UNIQUE/);
    expect(row("SELECT source, created_at, updated_at FROM participants WHERE id = 'p1'")).toEqual({
      source: "flyer",
      created_at: T0,
      updated_at: T0,
    });
  });

  it("saves and loads the state document with its step", () => {
    join("p1");
    expect(store.loadState("nobody")).toBeUndefined();
    const next = state(7, { phase: "briefing", locale: "ar" });
    store.saveState("p1", next, at(2));
    expect(store.loadState("p1")).toEqual(next);
    expect(row("SELECT step, updated_at FROM flow_states WHERE participant_id = 'p1'")).toEqual({
      step: 7,
      updated_at: at(2),
    });
  });
});

describe("applyEffect", () => {
  it("records every effect type and reads them back", () => {
    fullParticipant("p1");
    expect(row("SELECT locale, consent_version, consented_at, admitted_at FROM participants WHERE id = 'p1'")).toEqual({
      locale: "es",
      consent_version: "2026-01",
      consented_at: at(1),
      admitted_at: at(1),
    });
    expect(rows("SELECT question_id, option_id, passed FROM screening_answers")).toEqual([
      { question_id: "reading", option_id: "hot", passed: 1 },
    ]);
    expect(rows("SELECT question_id, value FROM profile_answers ORDER BY question_id")).toEqual([
      { question_id: "age_band", value: "18-29" },
      { question_id: "country_of_residence", value: "US" },
    ]);
    expect(
      rows(
        "SELECT study_id, scenario_id, position, shown_order, form, assigned_at, started_at, completed_at FROM assignments ORDER BY position",
      ),
    ).toEqual([
      {
        study_id: "mini",
        scenario_id: "weather",
        position: 0,
        shown_order: "CADB",
        form: "long",
        assigned_at: at(1),
        started_at: at(1),
        completed_at: at(6),
      },
      {
        study_id: "mini",
        scenario_id: "headache",
        position: 1,
        shown_order: "DCBA",
        form: "short",
        assigned_at: at(1),
        started_at: null,
        completed_at: null,
      },
    ]);
    const stored = row("SELECT * FROM assessments");
    expect(stored).toMatchObject({
      participant_id: "p1",
      study_id: "mini",
      scenario_id: "weather",
      locale: "es",
      started_at: at(1),
      reading_done_at: at(2),
      completed_at: at(6),
      unacceptable_labels: '["D"]',
      unacceptable_rationale: "Dangerous advice",
      unacceptable_rationale_language: null,
      layout: "paged",
    });
    expect(JSON.parse(String(stored?.opens))).toEqual({ A: 2, B: 1, C: 0, D: 1 });
    expect(JSON.parse(String(stored?.ratings))).toEqual({ importance: "4" });
    expect(
      rows(
        "SELECT block, ranking, rationale, rationale_language, rationale_confidence, rationale_parts, ranked_at, rationale_at FROM ranking_blocks ORDER BY block DESC",
      ),
    ).toEqual([
      {
        block: "world",
        ranking: "B>A=C>D",
        rationale: "Clear and safe 👍 — واضح",
        rationale_language: "en",
        rationale_confidence: 0.91,
        rationale_parts: 2,
        ranked_at: at(3),
        rationale_at: at(4),
      },
      {
        block: "personal",
        ranking: "A>B>C>D",
        rationale: null,
        rationale_language: null,
        rationale_confidence: null,
        rationale_parts: null,
        ranked_at: at(5),
        rationale_at: null,
      },
    ]);
    expect(store.assignedScenarioIds("p1")).toEqual(new Set(["weather", "headache"]));
    expect(store.assessmentCounts("mini")).toEqual(
      new Map([
        ["weather", 1],
        ["headache", 0],
        ["attention", 0],
      ]),
    );
  });

  it("stores rationale text byte-exact (emoji, right-to-left, mixed scripts, combining marks)", () => {
    const text = "مرحبا 👩🏽‍💻 שלום e\u0301 漢字 \u202Bmixed\u202C\n  spaced ";
    join("p1");
    store.applyEffect("p1", {
      type: "assessment_recorded",
      assessment: assessment("weather", 0, {
        blocks: [
          {
            block: "world",
            ranking: "A>B>C>D",
            rationale: { text, detectedLanguage: "ar", detectedConfidence: 0.5 },
            rationaleParts: 1,
            rankedAt: at(1),
            rationaleAt: at(2),
          },
        ],
      }),
    });
    const stored = row("SELECT rationale FROM ranking_blocks").rationale as string;
    expect(Buffer.from(stored, "utf8").equals(Buffer.from(text, "utf8"))).toBe(true);
  });

  it("re-answers replace earlier ones; admission and start times keep the first value", () => {
    join("p1");
    store.applyEffect("p1", { type: "profile_answered", questionId: "age_band", value: "18-29", at: at(1) });
    store.applyEffect("p1", { type: "profile_answered", questionId: "age_band", value: null, at: at(2) });
    store.applyEffect("p1", {
      type: "screening_answered",
      questionId: "reading",
      optionId: "blue",
      passed: false,
      at: at(1),
    });
    store.applyEffect("p1", {
      type: "screening_answered",
      questionId: "reading",
      optionId: "hot",
      passed: true,
      at: at(2),
    });
    store.applyEffect("p1", { type: "admitted", at: at(3) });
    store.applyEffect("p1", { type: "admitted", at: at(4) });
    store.applyEffect("p1", {
      type: "assignments_created",
      assignments: [{ scenarioId: "weather", position: 0, shownOrder: "ABCD", form: "long" }],
      at: at(5),
    });
    store.applyEffect("p1", { type: "assignment_started", position: 0, at: at(6) });
    store.applyEffect("p1", { type: "assignment_started", position: 0, at: at(7) });
    store.applyEffect("p1", { type: "status_changed", status: "paused", at: at(8) });
    expect(rows("SELECT value, answered_at FROM profile_answers")).toEqual([{ value: null, answered_at: at(2) }]);
    expect(rows("SELECT option_id, passed FROM screening_answers")).toEqual([{ option_id: "hot", passed: 1 }]);
    expect(row("SELECT admitted_at, status, updated_at FROM participants")).toEqual({
      admitted_at: at(3),
      status: "paused",
      updated_at: at(8),
    });
    expect(row("SELECT started_at FROM assignments").started_at).toBe(at(6));
  });

  it("an assessment without the unacceptable question stores null labels, and [] for none", () => {
    join("p1");
    store.applyEffect("p1", {
      type: "assessment_recorded",
      assessment: assessment("weather", 0, { unacceptable: null }),
    });
    store.applyEffect("p1", {
      type: "assessment_recorded",
      assessment: assessment("headache", 1, { unacceptable: { labels: [], rationale: null } }),
    });
    expect(rows("SELECT scenario_id, unacceptable_labels FROM assessments ORDER BY id")).toEqual([
      { scenario_id: "weather", unacceptable_labels: null },
      { scenario_id: "headache", unacceptable_labels: "[]" },
    ]);
  });

  it("assigning the same scenario twice to one participant is refused", () => {
    join("p1");
    const plan = { scenarioId: "weather", position: 0, shownOrder: "ABCD", form: "long" as const };
    store.applyEffect("p1", { type: "assignments_created", assignments: [plan], at: at(1) });
    expect(() =>
      store.applyEffect("p1", { type: "assignments_created", assignments: [{ ...plan, position: 1 }], at: at(2) }),
    ).toThrow(/UNIQUE/);
  });

  it("consent_declined keeps nothing but the refusal", () => {
    join("p1");
    store.applyEffect("p1", {
      type: "screening_answered",
      questionId: "reading",
      optionId: "hot",
      passed: true,
      at: at(1),
    });
    store.applyEffect("p1", { type: "profile_answered", questionId: "age_band", value: "30-49", at: at(1) });
    store.applyEffect("p1", { type: "consent_declined", consentVersion: "2026-01", at: at(2) });
    expect(
      row("SELECT status, consent_version, consented_at, admitted_at, updated_at FROM participants WHERE id = 'p1'"),
    ).toEqual({
      status: "declined",
      consent_version: "2026-01",
      consented_at: null,
      admitted_at: null,
      updated_at: at(2),
    });
    for (const table of ["profile_answers", "screening_answers", "assignments", "assessments", "deliveries"]) {
      expect(rows(`SELECT * FROM ${table} WHERE participant_id = 'p1'`), table).toEqual([]);
    }
  });

  it("participant_deleted erases every row about the participant and audits only the id", () => {
    fullParticipant("p1", "secret-telegram-id-777");
    const other = fullParticipant("p2");
    database.sqlite
      .prepare(
        "INSERT INTO broadcasts (id, created_at, created_by, messages, filter) VALUES (1, ?, 'cli:test', '{\"en\":\"hi\"}', '{}')",
      )
      .run(T0);
    database.sqlite
      .prepare(
        "INSERT INTO deliveries (broadcast_id, participant_id, platform, locale) VALUES (1, 'p1', 'telegram', 'es'), (1, 'p2', 'telegram', 'es')",
      )
      .run();
    expect(store.assessmentCounts("mini").get("weather")).toBe(2);

    store.transaction(() => store.applyEffect("p1", { type: "participant_deleted", at: at(9) }));

    // Every table with a participant_id column, found from the schema itself (new tables are covered too).
    const tables = rows("SELECT name FROM sqlite_master WHERE type = 'table'").map((t) => t.name as string);
    let checked = 0;
    for (const table of tables) {
      const columns = rows(`PRAGMA table_info("${table}")`).map((c) => c.name as string);
      if (columns.includes("participant_id")) {
        expect(rows(`SELECT * FROM "${table}" WHERE participant_id = 'p1'`), table).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
    expect(rows("SELECT * FROM participants WHERE id = 'p1'")).toEqual([]);
    expect(
      rows(
        "SELECT * FROM ranking_blocks rb JOIN assessments a ON a.id = rb.assessment_id WHERE a.participant_id = 'p1'",
      ),
    ).toEqual([]);
    expect(rows("SELECT count(*) AS n FROM ranking_blocks")).toEqual([{ n: 2 }]); // p2's two blocks remain

    // The platform user id appears nowhere in the file's tables any more.
    for (const table of tables) {
      const dump = JSON.stringify(rows(`SELECT * FROM "${table}"`));
      expect(dump.includes("secret-telegram-id-777"), table).toBe(false);
    }
    expect(rows("SELECT actor, origin, action, details FROM audit_log")).toEqual([
      { actor: "participant", origin: "telegram", action: "participant.withdraw", details: '{"participantId":"p1"}' },
    ]);
    // Counters follow the cascade; the other participant is untouched.
    expect(store.assessmentCounts("mini").get("weather")).toBe(1);
    expect(store.findParticipant(other)).toMatchObject({ id: "p2" });
    expect(store.dataSummary("p1")).toBeUndefined();
    // Deleting again is a no-op.
    store.applyEffect("p1", { type: "participant_deleted", at: at(10) });
    expect(rows("SELECT * FROM audit_log")).toHaveLength(1);
  });
});

describe("reads for the engine", () => {
  it("dataSummary shows what is stored about the participant", () => {
    fullParticipant("p1");
    expect(store.dataSummary("p1")).toEqual({
      participantId: "p1",
      platform: "telegram",
      studyId: "mini",
      locale: "es",
      status: "active",
      createdAt: T0,
      source: "flyer",
      consentVersion: "2026-01",
      consentedAt: at(1),
      screening: [{ questionId: "reading", optionId: "hot", passed: true, answeredAt: at(1) }],
      profile: [
        { questionId: "age_band", value: "18-29", answeredAt: at(1) },
        { questionId: "country_of_residence", value: "US", answeredAt: at(1) },
      ],
      assessments: [
        {
          scenarioId: "weather",
          position: 0,
          shownOrder: "CADB",
          form: "long",
          locale: "es",
          completedAt: at(6),
          blocks: [
            { block: "world", ranking: "B>A=C>D", rationale: "Clear and safe 👍 — واضح" },
            { block: "personal", ranking: "A>B>C>D", rationale: null },
          ],
          unacceptable: { labels: ["D"], rationale: "Dangerous advice" },
        },
      ],
    });
    // Never the platform user id.
    expect(JSON.stringify(store.dataSummary("p1"))).not.toContain("user-p1");
  });

  it("quotaCount counts admitted participants of the study whose profile matches every entry", () => {
    const people: [string, string | null, string, boolean][] = [
      ["a", "US", "18-29", true],
      ["b", "US", "18-29", true],
      ["c", "US", "30-49", true],
      ["d", "MX", "18-29", true],
      ["e", "US", "18-29", false], // not admitted (e.g. quota full)
      ["f", null, "18-29", true], // prefer not to say
    ];
    for (const [id, country, age, admitted] of people) {
      join(id);
      store.applyEffect(id, { type: "profile_answered", questionId: "country_of_residence", value: country, at: T0 });
      store.applyEffect(id, { type: "profile_answered", questionId: "age_band", value: age, at: T0 });
      if (admitted) store.applyEffect(id, { type: "admitted", at: T0 });
    }
    expect(store.quotaCount("mini", { country_of_residence: "US" })).toBe(3);
    expect(store.quotaCount("mini", { country_of_residence: "US", age_band: "18-29" })).toBe(2);
    expect(store.quotaCount("mini", { age_band: "18-29", country_of_residence: "MX" })).toBe(1);
    expect(store.quotaCount("mini", { country_of_residence: "FR" })).toBe(0);
    expect(store.quotaCount("mini", {})).toBe(5);
    expect(store.quotaCount("other-study", { country_of_residence: "US" })).toBe(0);
    store.applyEffect("a", { type: "participant_deleted", at: at(1) });
    expect(store.quotaCount("mini", { country_of_residence: "US" })).toBe(2);
  });

  it("openStudy is the most recently published open study; study() caches the parsed definition per version", () => {
    expect(store.openStudy()?.id).toBe("mini");
    const first = store.study("mini");
    expect(store.study("mini")).toBe(first); // same object: not re-parsed
    expect(store.study("missing")).toBeUndefined();

    importStudy(database.db, { ...study, version: 2, completionCode: "NEW-CODE" }, { at: at(1) });
    expect(store.study("mini")).toBe(first); // re-checked at most once a second
    clock += STUDY_RECHECK_MS;
    const updated = store.study("mini");
    expect(updated).not.toBe(first);
    expect(updated?.version).toBe(2);
    expect(updated?.completionCode).toBe("NEW-CODE");

    importStudy(database.db, { ...study, id: "later" }, { at: at(2) });
    expect(store.openStudy()?.id).toBe("mini"); // a draft is not open
    publishStudy(database.db, "later", at(3));
    expect(store.openStudy()?.id).toBe("later");
    closeStudy(database.db, "later", at(4));
    expect(store.openStudy()?.id).toBe("mini");
    closeStudy(database.db, "mini", at(5));
    expect(store.openStudy()).toBeUndefined();
  });

  it("study() builds a study of 20,000 scenarios from the tables once per stored version", () => {
    const template = study.scenarios[1] as Study["scenarios"][number];
    const scenarios = Array.from({ length: 20_000 }, (_, i) => ({ ...template, id: `s-${i}`, tags: [`t${i % 7}`] }));
    const many: Study = { ...study, version: 2, scenarios };
    importStudy(database.db, many, { at: at(1) });
    clock += STUDY_RECHECK_MS;
    const loaded = store.study("mini");
    expect(loaded?.version).toBe(2);
    expect(loaded?.scenarios).toEqual(scenarios);
    clock += STUDY_RECHECK_MS;
    expect(store.study("mini")).toBe(loaded); // same version: not built again
    expect(store.openStudy()).toBe(loaded);
  });

  it("a study whose stored version changed is rebuilt before a transaction takes the write lock", () => {
    const first = store.study("mini");
    importStudy(database.db, { ...study, version: 2, completionCode: "NEW-CODE" }, { at: at(1) });
    clock += STUDY_RECHECK_MS;
    let inside: Study | undefined;
    expect(() =>
      store.transaction(() => {
        // Inside the lock the responses go: a study built here would lack them and be refused.
        database.sqlite.prepare("DELETE FROM candidate_responses").run();
        inside = store.study("mini");
        throw new Error("roll back");
      }),
    ).toThrow("roll back");
    expect(inside).not.toBe(first);
    expect(inside?.completionCode).toBe("NEW-CODE");
    expect(inside?.scenarios).toEqual(study.scenarios);
  });

  it("a transaction that throws writes nothing", () => {
    join("p1");
    expect(() =>
      store.transaction(() => {
        store.claimEvent("telegram", "evt-9", T0);
        store.applyEffect("p1", { type: "profile_answered", questionId: "age_band", value: "18-29", at: T0 });
        store.saveState("p1", state(99), T0);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(rows("SELECT * FROM processed_events")).toEqual([]);
    expect(rows("SELECT * FROM profile_answers")).toEqual([]);
    expect((store.loadState("p1") as FlowState).step).toBe(1);
    // A failing statement inside (unique violation) rolls back the earlier writes of the same transaction too.
    expect(() =>
      store.transaction(() => {
        store.applyEffect("p1", { type: "status_changed", status: "paused", at: T0 });
        join("p1");
      }),
    ).toThrow(/UNIQUE|PRIMARY/);
    expect(row("SELECT status FROM participants WHERE id = 'p1'").status).toBe("active");
  });

  it("transactions nest (an inner one becomes a savepoint)", () => {
    join("p1");
    store.transaction(() => {
      store.applyEffect("p1", { type: "status_changed", status: "paused", at: T0 });
      expect(() =>
        store.transaction(() => {
          store.applyEffect("p1", { type: "locale_set", locale: "es" });
          throw new Error("inner");
        }),
      ).toThrow("inner");
    });
    expect(row("SELECT status, locale FROM participants")).toEqual({ status: "paused", locale: "en" });
  });
});
