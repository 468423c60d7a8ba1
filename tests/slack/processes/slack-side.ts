/**
 * Child process of tests/slack/two-processes.test.ts: the Slack side. Opens
 * the shared database file, starts the real Slack app (HTTP receiver on
 * loopback, fake Web API) and takes `count` participants through the whole
 * mini study at the same time. Prints one JSON line when done.
 */
import { startSlackHarness, walkSlackSurvey } from "../../helpers/slack-harness.js";

const [databasePath, countText] = process.argv.slice(2);
if (!databasePath) throw new Error("usage: slack-side.ts DATABASE COUNT");
const count = Number(countText ?? "3");

const harness = await startSlackHarness({ databasePath, seedStudy: false, idPrefix: "slack-" });
const users = Array.from({ length: count }, (_, index) => harness.user(`U0SIDE${index}`));
// Ready: wait for the parent's "go", so both sides walk at the same time.
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause();
const startedAt = Date.now();
// Mexico: the mini study's United States quota cell (two people) is the Telegram side's.
await Promise.all(users.map((user) => walkSlackSurvey(user, { country: "MX" })));
const finishedAt = Date.now();
const refused = harness.fake.calls.filter((call) => call.error || call.status !== 200).length;
await harness.close();
process.stdout.write(
  `${JSON.stringify({ side: "slack", users: users.map((user) => user.id), refused, startedAt, finishedAt })}\n`,
);
