/**
 * What taking a study costs one participant, per scenario: taps, new bot
 * messages and edits, counted on the fake platform servers the real bots
 * talk to (the targets: a short scenario ≤ 6 taps and ≤ 3 new
 * messages, the long form ≤ 12 and ≤ 5). Each platform's half lives in
 * bench/participant-cost/<platform>.ts and returns a CostRun.
 *
 *   npm run bench:participant-cost
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Study } from "../src/core/study/schema.js";
import { sampleStudy } from "../tests/helpers/flow.js";
import { type CostRun, costTable, meetsTarget } from "./participant-cost/cost.js";
import { type SlackCostRun, slackCost, slackWritesTable } from "./participant-cost/slack.js";
import { telegramCost } from "./participant-cost/telegram.js";

/** The sample study with every response lengthened past what one card holds: cards show one at a time. */
function withLongResponses(study: Study, length = 1600): Study {
  const filler = " It goes on to explain the same point again, more slowly and at greater length.";
  return {
    ...study,
    scenarios: study.scenarios.map((scenario) => ({
      ...scenario,
      responses: scenario.responses.map((response) => {
        let text = response.text;
        while (text.length < length) text += filler;
        return { ...response, text };
      }),
    })),
  };
}

const study = sampleStudy();
const lengthened = "sample study, every response lengthened to 1,600+ characters (paged cards)";
const slackRuns: SlackCostRun[] = [
  await slackCost(study, "sample study", "messages"),
  await slackCost(study, "sample study", "form"),
  // A Slack card holds 9,000 characters of prompt and responses: 2,400 each is past it (the form holds them all).
  ...(await Promise.all(
    (["messages", "form"] as const).map((flow) =>
      slackCost(
        withLongResponses(study, 2400),
        "sample study, every response lengthened to 2,400+ characters (paged cards)",
        flow,
      ),
    ),
  )),
];
const runs: CostRun[] = [
  await telegramCost(study, "sample study"),
  await telegramCost(withLongResponses(study), lengthened),
  ...slackRuns,
];

for (const run of runs) console.log(`${costTable(run)}\n`);
for (const run of slackRuns) console.log(`${slackWritesTable(run)}\n`);
const outFile = path.resolve(import.meta.dirname, "out/participant-cost.json");
writeFileSync(outFile, `${JSON.stringify(runs, null, 2)}\n`);
const onSample = runs.filter((run) => run.label === "sample study");
const missed = onSample.flatMap((run) =>
  run.scenarios.filter((scenario) => !meetsTarget(scenario)).map((scenario) => `${run.platform} ${scenario.position}`),
);
// Every press on a Slack card is one Web API write (the form's Send closes the card and posts the next: two).
const tooManyWrites = slackRuns
  .filter((run) => run.platform === "Slack (message flow)")
  .flatMap((run) =>
    run.scenarios
      .filter((scenario) => scenario.maxWritesPerClick > 1)
      .map((scenario) => `${run.platform} ${scenario.position}: ${scenario.maxWritesPerClick} writes for one click`),
  );
if (missed.length > 0 || tooManyWrites.length > 0) {
  console.error(`targets missed on the sample study: ${[...missed, ...tooManyWrites].join(", ")}`);
  process.exitCode = 1;
}
