import { createEngine } from "../../src/core/engine.js";
import type { Engine } from "../../src/core/engine-types.js";
import type { SurveyStore } from "../../src/core/ports.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import type { TestDatabase } from "./db.js";

/**
 * The real engine over a test database, with a fixed clock, fixed randomness
 * and numbered participant ids; `wrap` may stand between the engine and the store.
 */
export function createTestEngine(
  db: TestDatabase,
  at = "2026-03-01T10:00:00.000Z",
  wrap: (store: SurveyStore) => SurveyStore = (store) => store,
): Engine {
  let n = 0;
  return createEngine({
    store: wrap(createSurveyStore(db)),
    clock: { now: () => new Date(at) },
    random: () => 0.5,
    newParticipantId: () => `participant-${++n}`,
    locales: ["en", "es"],
  });
}
