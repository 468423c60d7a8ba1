/**
 * A separate process writing through the SurveyStore, for tests of several
 * processes sharing one database file. Usage:
 *   node --import tsx tests/helpers/store-writer.ts DB_PATH PREFIX COUNT
 * Each iteration is one store transaction: claim an event, create a
 * participant with state, a profile answer and a recorded assessment of the
 * shared scenario "weather" (whose counter both processes increment).
 */
import { FLOW_STATE_VERSION, FlowStateSchema } from "../../src/core/flow/state.js";
import { openDatabase } from "../../src/store/client.js";
import { createSurveyStore } from "../../src/store/survey-store.js";

const [path, prefix, countText] = process.argv.slice(2);
if (!path || !prefix || !countText) throw new Error("usage: store-writer DB_PATH PREFIX COUNT");
const database = openDatabase(path);
const store = createSurveyStore(database);
const at = new Date().toISOString();
for (let i = 0; i < Number(countText); i++) {
  const id = `${prefix}-${i}`;
  store.transaction(() => {
    if (!store.claimEvent("console", `event-${id}`, at)) throw new Error(`event ${id} already claimed`);
    store.createParticipant({
      id,
      platform: "console",
      platformUserId: id,
      studyId: "mini",
      locale: "en",
      status: "active",
      source: null,
      createdAt: at,
    });
    const state = FlowStateSchema.parse({
      schemaVersion: FLOW_STATE_VERSION,
      studyId: "mini",
      phase: "task",
      step: i,
      locale: "en",
      phaseStartedAt: at,
    });
    store.saveState(id, state, at);
    store.applyEffect(id, { type: "profile_answered", questionId: "age_band", value: "18-29", at });
    store.applyEffect(id, {
      type: "assessment_recorded",
      assessment: {
        position: 0,
        scenarioId: "weather",
        shownOrder: "ABCD",
        form: "short",
        blocks: [{ block: "world", ranking: "A>B>C>D", rationale: null, rankedAt: at, rationaleAt: null }],
        unacceptable: null,
        startedAt: at,
        readingDoneAt: at,
        completedAt: at,
        locale: "en",
      },
    });
  });
}
database.close();
process.stdout.write("done\n");
