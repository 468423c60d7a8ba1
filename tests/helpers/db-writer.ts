/**
 * A separate process that keeps writing to a Chorus database (as a running
 * bot would) until it is killed: each transaction adds one participant with
 * their flow state and a profile answer, so a consistent copy has all three
 * or none. Prints "writing" once the first transaction committed.
 *   node --import tsx tests/helpers/db-writer.ts DB_PATH STUDY_ID
 */
import { openDatabase } from "../../src/store/client.js";

const [path, studyId] = process.argv.slice(2);
if (!path || !studyId) throw new Error("usage: db-writer DB_PATH STUDY_ID");
const { sqlite } = openDatabase(path);
const participant = sqlite.prepare(
  `INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, created_at, updated_at)
   VALUES (?, 'telegram', ?, ?, 'en', 'active', ?, ?)`,
);
const state = sqlite.prepare(
  "INSERT INTO flow_states (participant_id, state, step, updated_at) VALUES (?, '{}', 1, ?)",
);
const answer = sqlite.prepare(
  "INSERT INTO profile_answers (participant_id, question_id, value, answered_at) VALUES (?, 'age_band', '18-29', ?)",
);
const write = sqlite.transaction((n: number) => {
  const id = `writer-${process.pid}-${n}`;
  const at = new Date().toISOString();
  participant.run(id, `w${process.pid}${n}`, studyId, at, at);
  state.run(id, at);
  answer.run(id, at);
});
let n = 0;
const tick = () => {
  for (let i = 0; i < 20; i++) write(n++);
  if (n === 20) process.stdout.write("writing\n");
  setImmediate(tick);
};
tick();
