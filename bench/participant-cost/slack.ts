/**
 * The Slack half of the participant-cost bench: the real Bolt app (HTTP
 * receiver, the engine, SQLite) against the fake Slack Web API, one
 * participant through a whole study, answering as
 * bench/simulated-participant.ts does (first options, the responses ranked
 * in display order, one reason and Done, none unacceptable) and opening every
 * response a card offers. Two ways through each card:
 *
 * - "messages": the card's buttons, the reason typed in the DM;
 * - "form": "Answer in one form" (the card in one modal), every rank,
 *   rating and tick in it a tap, then Send.
 *
 * Every action counts for the scenario the participant is on when taking it
 * (the action that saves a scenario carries what it brings: the next card,
 * or the completion). Beside taps, new messages and edits, Slack counts the
 * Web API writes (posts, updates, ephemerals, views.open) each click made.
 */
import type { Study } from "../../src/core/study/schema.js";
import type { RecordedCall } from "../../tests/helpers/fake-slack-server.js";
import { type SlackHarness, type SlackTestUser, startSlackHarness } from "../../tests/helpers/slack-harness.js";
import {
  type Act,
  answerCardByMessages,
  type CardAnswers,
  cardIdOf,
  formAnswers,
  formParts,
  liveMessage,
  onboard,
} from "../../tests/helpers/slack-participant.js";
import { type Cost, type CostRun, emptyCost, type ScenarioCost } from "./cost.js";

type SlackFlow = "messages" | "form";

/** Slack's figures beside the shared ones: how many Web API writes the costliest click of a scenario made. */
export interface SlackCost extends Cost {
  /** Web API writes in all (posts, updates, ephemerals, views.open). */
  writes: number;
  clicks: number;
  maxWritesPerClick: number;
}

export interface SlackScenarioCost extends ScenarioCost, SlackCost {}

export interface SlackCostRun extends CostRun {
  onboarding: SlackCost;
  scenarios: SlackScenarioCost[];
}

const WRITES = new Set(["chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.publish"]);
const REASON = "It answers the question clearly and safely.";
/** Display order, as the simulated participant ranks. */
const ANSWERS: CardAnswers = { ranking: ["A", "B", "C", "D"], reasons: { world: REASON, personal: REASON } };

function emptySlackCost(): SlackCost {
  return { ...emptyCost(), writes: 0, clicks: 0, maxWritesPerClick: 0 };
}

function placeOf(harness: SlackHarness, userId: string): { phase: string; taskIndex: number } {
  const row = harness.database.sqlite
    .prepare<[string], { phase: string; taskIndex: number }>(
      `SELECT json_extract(f.state, '$.phase') AS phase, json_extract(f.state, '$.taskIndex') AS taskIndex
       FROM flow_states f JOIN participants p ON p.id = f.participant_id
       WHERE p.platform = 'slack' AND p.platform_user_id = ?`,
    )
    .get(userId);
  return row ?? { phase: "none", taskIndex: 0 };
}

/** Counts what each action costs, against the scenario (or onboarding) the participant is on. */
function counter(harness: SlackHarness, user: SlackTestUser) {
  const onboarding = emptySlackCost();
  const perTask = new Map<number, SlackCost>();
  const costAt = () => {
    const place = placeOf(harness, user.id);
    if (place.phase !== "task") return onboarding;
    const cost = perTask.get(place.taskIndex) ?? emptySlackCost();
    perTask.set(place.taskIndex, cost);
    return cost;
  };
  /** `clicks`: taps the action stands for (a form's radios and ticks are taps Slack sends nothing for). */
  const count = async (act: Act, clicks = act.kind === "click" ? 1 : 0) => {
    const cost = costAt();
    const before = harness.fake.calls.length;
    await act.run();
    const calls = harness.fake.calls.slice(before).filter((call: RecordedCall) => call.status === 200 && !call.error);
    const writes = calls.filter((call) => WRITES.has(call.method)).length;
    cost.taps += clicks;
    cost.newMessages += calls.filter((call) => call.method === "chat.postMessage").length;
    cost.edits += calls.filter((call) => call.method === "chat.update").length;
    cost.writes += writes;
    if (act.kind === "click") {
      cost.clicks += 1;
      cost.maxWritesPerClick = Math.max(cost.maxWritesPerClick, writes);
    }
  };
  return { onboarding, perTask, count };
}

/** Answers the live card through its form: open, fill in (each input one tap), Send. */
async function answerCardByForm(user: SlackTestUser, count: (act: Act, clicks?: number) => Promise<void>) {
  let view: Awaited<ReturnType<SlackTestUser["openForm"]>> | undefined;
  await count({
    kind: "click",
    run: async () => {
      view = await user.openForm();
    },
  });
  if (!view) throw new Error(`${user.id}: the form did not open`);
  const opened = view;
  const parts = formParts(opened);
  const ratings = Object.fromEntries(
    ((opened.blocks ?? []) as { block_id?: string; element?: { options?: { value: string }[] } }[])
      .filter((block) => block.block_id?.startsWith("rating_"))
      .map((block) => [block.block_id?.slice("rating_".length), block.element?.options?.[0]?.value]),
  );
  const answers = { ...formAnswers(ANSWERS, parts), ratings };
  // The ranks, the ratings and the ticks are taps the participant makes in the modal; typing is not.
  const taps = 4 * (parts.personal ? 2 : 1) + Object.keys(ratings).length + (answers.unacceptable?.length ?? 0);
  await count({ kind: "type", run: () => Promise.resolve() }, taps);
  await count({ kind: "click", run: () => user.submitForm(opened, answers) });
}

/** One participant through `study` on Slack, the given way, counted per scenario. */
export async function slackCost(study: Study, label: string, flow: SlackFlow): Promise<SlackCostRun> {
  const harness = await startSlackHarness({ study, idPrefix: "bench-" });
  try {
    const user = harness.user("U0BENCH");
    const { onboarding, perTask, count } = counter(harness, user);
    await count({ kind: "type", run: () => user.start() });
    await onboard(user, study, (act) => count(act));
    for (let guard = 0; guard < 100 && cardIdOf(liveMessage(user)); guard++) {
      if (flow === "form") await answerCardByForm(user, count);
      else await answerCardByMessages(user, ANSWERS, (act) => count(act));
    }
    const assessments = harness.database.sqlite
      .prepare<[], { form: ScenarioCost["form"]; layout: ScenarioCost["layout"] }>(
        `SELECT s.form, a.layout FROM assessments a JOIN assignments s ON s.id = a.assignment_id ORDER BY s.position`,
      )
      .all();
    const scenarios = assessments.map((assessment, index) => ({
      position: index + 1,
      form: assessment.form,
      layout: assessment.layout,
      ...(perTask.get(index) ?? emptySlackCost()),
    }));
    const platform = flow === "form" ? "Slack (card form)" : "Slack (message flow)";
    return { platform, label, onboarding, scenarios };
  } finally {
    await harness.close();
  }
}

/** Slack's extra figures per run: Web API writes, clicks, and the most writes one click made. */
export function slackWritesTable(run: SlackCostRun): string {
  return [
    `${run.platform}, ${run.label}: Web API writes`,
    "",
    "| scenario | clicks | writes | most writes for one click (target ≤ 1) |",
    "| --- | --- | --- | --- |",
    `| onboarding | ${run.onboarding.clicks} | ${run.onboarding.writes} | ${run.onboarding.maxWritesPerClick} |`,
    ...run.scenarios.map(
      (scenario) =>
        `| ${scenario.position} | ${scenario.clicks} | ${scenario.writes} | ${scenario.maxWritesPerClick} |`,
    ),
  ].join("\n");
}
