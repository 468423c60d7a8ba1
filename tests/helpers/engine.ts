import { createEngine } from "../../src/core/engine.js";
import type { Engine } from "../../src/core/engine-types.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import type { TestDatabase } from "./db.js";

/** The real engine over a test database, with a fixed clock, fixed randomness and numbered participant ids. */
export function createTestEngine(db: TestDatabase, at = "2026-03-01T10:00:00.000Z"): Engine {
  let n = 0;
  return createEngine({
    store: createSurveyStore(db),
    clock: { now: () => new Date(at) },
    random: () => 0.5,
    newParticipantId: () => `participant-${++n}`,
    locales: ["en", "es"],
  });
}
