/**
 * What taking a study costs one participant, per scenario: taps, new bot
 * messages and edits, counted on the fake platform servers the real bots
 * talk to (issue 10's targets: a short scenario ≤ 6 taps and ≤ 3 new
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
import { telegramCost } from "./participant-cost/telegram.js";

/** The sample study with every response lengthened past what one card holds: cards show one at a time. */
function withLongResponses(study: Study): Study {
  const filler = " It goes on to explain the same point again, more slowly and at greater length.";
  return {
    ...study,
    scenarios: study.scenarios.map((scenario) => ({
      ...scenario,
      responses: scenario.responses.map((response) => {
        let text = response.text;
        while (text.length < 1600) text += filler;
        return { ...response, text };
      }),
    })),
  };
}

const study = sampleStudy();
const runs: CostRun[] = [
  await telegramCost(study, "sample study"),
  await telegramCost(
    withLongResponses(study),
    "sample study, every response lengthened to 1,600+ characters (paged cards)",
  ),
];

for (const run of runs) console.log(`${costTable(run)}\n`);
const outFile = path.resolve(import.meta.dirname, "out/participant-cost.json");
writeFileSync(outFile, `${JSON.stringify(runs, null, 2)}\n`);
const missed = runs[0]?.scenarios.filter((scenario) => !meetsTarget(scenario)) ?? [];
if (missed.length > 0) {
  console.error(`targets missed on the sample study: scenarios ${missed.map((s) => s.position).join(", ")}`);
  process.exitCode = 1;
}
