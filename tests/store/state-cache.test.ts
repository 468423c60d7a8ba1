import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initialState } from "../../src/core/flow/transition.js";
import { openDatabase } from "../../src/store/client.js";
import { importStudy } from "../../src/store/study-repository.js";
import { createSurveyStore, STUDY_RECHECK_MS } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

let database: TestDatabase;
beforeEach(() => {
  database = createTestDatabase();
  seedMiniStudy(database);
});
afterEach(() => database.cleanup());

function newParticipant(store: ReturnType<typeof createSurveyStore>, studyId: string) {
  store.createParticipant({
    id: "p1",
    studyId,
    platform: "telegram",
    platformUserId: "1",
    locale: "en",
    status: "active",
    source: null,
    createdAt: "2026-11-27T00:00:00.000Z",
  });
}

describe("the state documents this process saved", () => {
  it("come back as the same object while nobody else wrote", () => {
    const store = createSurveyStore(database);
    const studyId = store.openStudy()?.id ?? "";
    newParticipant(store, studyId);
    const state = initialState(studyId, "en", "2026-11-27T00:00:00.000Z");
    store.saveState("p1", state, state.phaseStartedAt);
    expect(store.loadState("p1")).toBe(state);
  });

  it("are read afresh after another process wrote the row", () => {
    const store = createSurveyStore(database);
    const studyId = store.openStudy()?.id ?? "";
    newParticipant(store, studyId);
    const state = initialState(studyId, "en", "2026-11-27T00:00:00.000Z");
    store.saveState("p1", state, state.phaseStartedAt);

    const other = openDatabase(database.path);
    const otherStore = createSurveyStore(other);
    otherStore.saveState("p1", { ...state, step: 7, locale: "es" }, state.phaseStartedAt);
    other.close();

    const loaded = store.loadState("p1") as { step: number; locale: string };
    expect(loaded).not.toBe(state);
    expect(loaded).toMatchObject({ step: 7, locale: "es" });
  });

  it("are forgotten when the participant is deleted", () => {
    const store = createSurveyStore(database);
    const studyId = store.openStudy()?.id ?? "";
    newParticipant(store, studyId);
    const state = initialState(studyId, "en", "2026-11-27T00:00:00.000Z");
    store.saveState("p1", state, state.phaseStartedAt);
    store.applyEffect("p1", { type: "participant_deleted", at: "2026-11-27T01:00:00.000Z" });
    expect(store.loadState("p1")).toBeUndefined();
  });
});

describe("the parsed study a running process holds", () => {
  it("follows a same-version --replace re-import within a second", () => {
    let clock = 0;
    const store = createSurveyStore(database, { now: () => clock });
    const study = store.openStudy();
    if (!study) throw new Error("fixture");
    const changed = { ...study, briefing: "A rewritten briefing" };
    importStudy(database.db, changed, { replace: true, at: "2026-11-27T12:00:00.000Z" });
    clock += STUDY_RECHECK_MS;
    expect(store.study(study.id)?.briefing).toBe("A rewritten briefing");
  });
});
