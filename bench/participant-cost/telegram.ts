/**
 * The Telegram half of the participant-cost bench: the real bot (grammY, the
 * engine, SQLite) against the fake Bot API, one participant through a whole
 * study, answering as bench/simulated-participant.ts does and opening every
 * response the card offers. Every action is counted against the scenario the
 * participant is on when taking it (the press that saves a scenario with the
 * message it brings: the next card, or the completion).
 */
import type { Study } from "../../src/core/study/schema.js";
import { startTelegramHarness, type TelegramHarness, walkStudy } from "../../tests/helpers/telegram-harness.js";
import { type Cost, type CostRun, emptyCost, type ScenarioCost } from "./cost.js";

const EDITS = new Set(["editMessageText", "editMessageReplyMarkup"]);

interface Place {
  phase: string;
  taskIndex: number;
}

function placeOf(harness: TelegramHarness, userId: number): Place {
  const row = harness.db.sqlite
    .prepare<[string], { phase: string; taskIndex: number }>(
      `SELECT json_extract(f.state, '$.phase') AS phase, json_extract(f.state, '$.taskIndex') AS taskIndex
       FROM flow_states f JOIN participants p ON p.id = f.participant_id WHERE p.platform_user_id = ?`,
    )
    .get(String(userId));
  return row ?? { phase: "none", taskIndex: 0 };
}

export async function telegramCost(study: Study, label: string): Promise<CostRun> {
  const harness = await startTelegramHarness({ study });
  try {
    const user = harness.user(4242, { languageCode: "en" });
    const onboarding = emptyCost();
    const perTask = new Map<number, Cost>();
    await walkStudy(user, study, {
      readAll: true,
      around: async (kind, act) => {
        const place = placeOf(harness, user.id);
        const cost = place.phase === "task" ? (perTask.get(place.taskIndex) ?? emptyCost()) : onboarding;
        if (place.phase === "task") perTask.set(place.taskIndex, cost);
        const before = harness.server.calls.length;
        await act();
        const calls = harness.server.calls.slice(before).filter((call) => call.status === 200);
        if (kind === "press") cost.taps++;
        cost.newMessages += calls.filter((call) => call.method === "sendMessage").length;
        cost.edits += calls.filter((call) => EDITS.has(call.method)).length;
      },
    });
    const assessments = harness.db.sqlite
      .prepare<[], { position: number; form: ScenarioCost["form"]; layout: ScenarioCost["layout"] }>(
        `SELECT s.position, s.form, a.layout FROM assessments a JOIN assignments s ON s.id = a.assignment_id
         ORDER BY s.position`,
      )
      .all();
    const scenarios = assessments.map((assessment, index) => ({
      position: index + 1,
      form: assessment.form,
      layout: assessment.layout,
      ...(perTask.get(index) ?? emptyCost()),
    }));
    return { platform: "Telegram", label, onboarding, scenarios };
  } finally {
    await harness.close();
  }
}
