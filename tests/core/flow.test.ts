import { describe, expect, it } from "vitest";
import type { AssessmentRecord } from "../../src/core/flow/effects.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import type { FlowState } from "../../src/core/flow/state.js";
import { displayRankingToCanonical, formatRanking, parseRanking } from "../../src/core/ranking.js";
import { choose, command, fakeContext, miniStudy, readAndRank, text, walk } from "../helpers/flow.js";

const ONBOARD = [choose("en"), choose("yes"), choose("yes"), choose("18-24"), choose("KE")];
const START_TASK = [...ONBOARD, choose("go")];

function keysOf(prompts: Prompt[]): string[] {
  return prompts.map((prompt) =>
    "text" in prompt && typeof prompt.text === "object" && "key" in prompt.text ? prompt.text.key : prompt.kind,
  );
}

function recorded(effects: ReturnType<typeof walk>["effects"]): AssessmentRecord[] {
  return effects.flatMap((effect) => (effect.type === "assessment_recorded" ? [effect.assessment] : []));
}

describe("the journey, phase by phase", () => {
  const ctx = fakeContext(miniStudy());
  const table: Array<{
    name: string;
    inputs: Array<Input | ((s: FlowState) => Input)>;
    phase: string;
    effects: string[];
  }> = [
    { name: "language choice leads to consent", inputs: [choose("es")], phase: "consent", effects: ["locale_set"] },
    {
      name: "declining consent ends politely",
      inputs: [choose("en"), choose("no")],
      phase: "declined",
      effects: ["locale_set", "consent_declined", "status_changed"],
    },
    {
      name: "consent leads to screening",
      inputs: [choose("en"), choose("yes")],
      phase: "screening",
      effects: ["locale_set", "consent_given", "status_changed"],
    },
    {
      name: "failing screening ends politely",
      inputs: [choose("en"), choose("yes"), choose("no")],
      phase: "screened_out",
      effects: ["locale_set", "consent_given", "status_changed", "screening_answered", "status_changed"],
    },
    {
      name: "passing screening leads to the profile",
      inputs: [choose("en"), choose("yes"), choose("yes")],
      phase: "profile",
      effects: ["locale_set", "consent_given", "status_changed", "screening_answered"],
    },
    {
      name: "the last profile answer passes the quota check into the briefing",
      inputs: ONBOARD,
      phase: "briefing",
      effects: [
        "locale_set",
        "consent_given",
        "status_changed",
        "screening_answered",
        "profile_answered",
        "profile_answered",
        "admitted",
        "assignments_created",
      ],
    },
    { name: "starting shows the first task", inputs: START_TASK, phase: "task", effects: ["assignment_started"] },
  ];
  for (const row of table) {
    it(row.name, () => {
      const result = walk(ctx, row.inputs);
      expect(result.state?.phase).toBe(row.phase);
      const types = result.effects.map((effect) => effect.type);
      expect(types.slice(-row.effects.length)).toEqual(row.effects);
    });
  }

  it("shows the scenario then the first response when a task starts", () => {
    const result = walk(ctx, START_TASK);
    expect(result.prompts.map((prompt) => prompt.kind)).toEqual(["scenario", "response"]);
    const response = result.prompts[1];
    expect(response?.kind === "response" && response.displayLabel).toBe("A");
    expect(response?.kind === "response" && response.choices.map((c) => c.id)).toEqual(["next"]);
  });

  it("plans balanced assignments with a stored response order and the long form first", () => {
    const counts = new Map([
      ["s1", 5],
      ["s2", 0],
      ["s3", 1],
    ]);
    const result = walk(fakeContext(miniStudy(), { assessmentCounts: () => counts }), ONBOARD);
    const plans = result.state?.assignments ?? [];
    expect(plans.map((plan) => plan.scenarioId)).toEqual(["s2", "s3"]);
    expect(plans.map((plan) => plan.form)).toEqual(["long", "short"]);
    for (const plan of plans) expect([...plan.shownOrder].sort().join("")).toBe("ABCD");
  });

  it("never assigns a scenario the participant already had", () => {
    const result = walk(fakeContext(miniStudy(), { assignedScenarioIds: () => new Set(["s1", "s2"]) }), ONBOARD);
    expect(result.state?.assignments.map((plan) => plan.scenarioId)).toEqual(["s3"]);
  });

  it("tells a participant whose quota cell is full, and asks nothing else", () => {
    const study = miniStudy({
      quota: { dimensions: ["age_band"], cells: [{ match: { age_band: "18-24" }, target: 3 }] },
    });
    const full = walk(fakeContext(study, { quotaCount: () => 3 }), ONBOARD);
    expect(full.state?.phase).toBe("quota_full");
    expect(keysOf(full.prompts)).toEqual(["quota.full"]);
    expect(full.effects.some((effect) => effect.type === "admitted")).toBe(false);
    const open = walk(fakeContext(study, { quotaCount: () => 2 }), ONBOARD);
    expect(open.state?.phase).toBe("briefing");
  });
});

describe("profile answers", () => {
  const ctx = fakeContext(miniStudy());
  const toCountry = [choose("en"), choose("yes"), choose("yes"), choose("pnts")];

  it("stores prefer-not-to-say as null", () => {
    const result = walk(ctx, toCountry);
    expect(result.effects.at(-1)).toMatchObject({ type: "profile_answered", questionId: "age_band", value: null });
  });

  it("accepts a typed country name in the participant's language or a code", () => {
    for (const typed of ["Kenya", "ke", "Kenia", " KENYA "]) {
      const result = walk(ctx, [...toCountry, text(typed)]);
      expect(result.effects.at(-3)).toMatchObject({ type: "profile_answered", value: "KE" });
    }
  });

  it("re-asks with a clear reason for an unknown country, keeping the step", () => {
    const before = walk(ctx, toCountry).state;
    const result = walk(ctx, [text("Atlantis")], before ?? undefined);
    expect(result.state?.step).toBe(before?.step);
    expect(keysOf(result.prompts)[0]).toBe("profile.unknown_country");
  });

  it("asks for typing after 'other'", () => {
    const result = walk(ctx, [...toCountry, choose("other")]);
    expect(result.prompts[0]).toMatchObject({ kind: "ask_text", purpose: "typed_answer" });
    const typed = walk(ctx, [text("Brasil")], result.state ?? undefined);
    expect(typed.effects[0]).toMatchObject({ value: "BR" });
  });
});

describe("a task from reading to the recorded assessment", () => {
  const ctx = fakeContext(miniStudy());

  it("only offers Rank once all four responses were seen, and previous goes back", () => {
    const early = walk(ctx, [...START_TASK, choose("rank")]);
    expect(keysOf(early.prompts)[0]).toBe("errors.invalid_choice");
    const back = walk(ctx, [...START_TASK, choose("next"), choose("prev")]);
    expect(back.prompts).toHaveLength(1);
    expect(back.prompts[0]).toMatchObject({ kind: "response", displayLabel: "A", index: 1 });
  });

  it("records a long-form assessment in canonical labels with ties, rationales and unacceptable labels", () => {
    const result = walk(ctx, [
      ...START_TASK,
      choose("next"),
      choose("next"),
      choose("next"),
      choose("rank"),
      choose("p:B"),
      choose("t:A"),
      choose("p:D"),
      choose("undo"),
      choose("p:C"),
      choose("p:D"),
      choose("ok"),
      text("Because B and A are both careful."),
      choose("p:A"),
      choose("p:B"),
      choose("p:C"),
      choose("p:D"),
      choose("ok"),
      text("Personally I like A best 😊 مرحبا"),
      choose("u:D"),
      choose("u:C"),
      choose("u:C"),
      choose("done"),
      text("D is dangerous advice."),
    ]);
    const [assessment] = recorded(result.effects);
    const plan = result.state?.assignments[0];
    expect(assessment?.form).toBe("long");
    const expectWorld = parseRanking("B=A>C>D");
    if (!expectWorld.ok || !plan) throw new Error("fixture");
    expect(assessment?.blocks[0]).toMatchObject({
      block: "world",
      ranking: formatRanking(displayRankingToCanonical(expectWorld.ranking, plan.shownOrder)),
      rationale: { text: "Because B and A are both careful." },
    });
    expect(assessment?.blocks[1]?.block).toBe("personal");
    expect(assessment?.blocks[1]?.rationale?.text).toBe("Personally I like A best 😊 مرحبا");
    expect(assessment?.unacceptable?.labels).toEqual([plan.shownOrder[3]]);
    expect(assessment?.unacceptable?.rationale?.text).toBe("D is dangerous advice.");
    expect(result.state?.taskIndex).toBe(1);
    expect(result.prompts.map((prompt) => prompt.kind)).toEqual(["message", "scenario", "response"]);
  });

  it("uses the short form after the long-form tasks, then completes with the code", () => {
    const study = miniStudy({ completionCode: "DONE-42" });
    const result = walk(fakeContext(study), [
      ...START_TASK,
      ...readAndRank(),
      text("world reasons here"),
      ...readAndRank().slice(4),
      text("personal reasons"),
      choose("none"),
      ...readAndRank(),
      text("short form reasons"),
    ]);
    const assessments = recorded(result.effects);
    expect(assessments.map((a) => a.form)).toEqual(["long", "short"]);
    expect(assessments[1]?.blocks.map((b) => b.block)).toEqual(["world"]);
    expect(assessments[1]?.unacceptable).toBeNull();
    expect(result.state?.phase).toBe("completed");
    expect(result.prompts.at(-1)).toMatchObject({
      text: { key: "completed.thanks_code", params: { code: { verbatim: "DONE-42" } } },
    });
  });

  it("accepts a typed ranking and refuses a malformed one with the reason", () => {
    const ranked = walk(ctx, [...START_TASK, ...readAndRank().slice(0, 4), text("b > a = c > d")]);
    expect(ranked.state?.task?.stage).toBe("confirm");
    const bad = walk(ctx, [...START_TASK, ...readAndRank().slice(0, 4), text("B > A > A > D")]);
    expect(keysOf(bad.prompts)[0]).toBe("ranking.invalid_duplicate");
    expect(bad.state?.task?.stage).toBe("ranking");
  });

  it("offers no tie buttons and refuses typed ties when the study forbids ties", () => {
    const strict = fakeContext(miniStudy({ blocks: { allowTies: false } }));
    const after = walk(strict, [...START_TASK, ...readAndRank().slice(0, 4), choose("p:A")]);
    const question = after.prompts[0];
    expect(question?.kind === "question" && question.choices.map((c) => c.id)).toEqual(["p:B", "p:C", "p:D", "undo"]);
    const tied = walk(strict, [...START_TASK, ...readAndRank().slice(0, 4), text("A=B>C>D")]);
    expect(keysOf(tied.prompts)[0]).toBe("ranking.invalid_ties_forbidden");
  });

  it("names the limit for a rationale too short, too long or empty, and keeps the step", () => {
    const atRationale = walk(ctx, [...START_TASK, ...readAndRank()]).state ?? undefined;
    for (const [input, reason] of [
      ["abc", "rationale.too_short"],
      ["x".repeat(201), "rationale.too_long"],
      ["   ", "rationale.empty"],
    ] as const) {
      const result = walk(ctx, [text(input)], atRationale);
      expect(keysOf(result.prompts)[0]).toBe(reason);
      expect(result.state).toBe(atRationale);
    }
  });

  it("counts a Japanese rationale by its script", () => {
    const atRationale = walk(ctx, [...START_TASK, ...readAndRank()]).state ?? undefined;
    const result = walk(ctx, [text("丁寧です")], atRationale);
    expect(result.state?.task?.stage).toBe("ranking");
  });
});

describe("commands and stale input", () => {
  const ctx = fakeContext(miniStudy());

  it("ignores a button from an old step and says so", () => {
    const before = walk(ctx, [choose("en")]).state;
    const result = walk(ctx, [{ kind: "choice", step: 1, choice: "no" }], before ?? undefined);
    expect(result.state).toBe(before);
    expect(keysOf(result.prompts)).toEqual(["errors.stale"]);
  });

  it("treats text answering an older prompt as stale, and text for the current one as an answer", () => {
    const atRationale = walk(ctx, [...START_TASK, ...readAndRank()]).state ?? undefined;
    const step = atRationale?.step ?? 0;
    const late = walk(ctx, [{ kind: "text", text: "A long enough reason here.", step: step - 1 }], atRationale);
    expect(late.state).toBe(atRationale);
    expect(keysOf(late.prompts)).toEqual(["errors.stale"]);
    const current = walk(ctx, [{ kind: "text", text: "A long enough reason here.", step }], atRationale);
    expect(current.state?.step).toBe(step + 1);
  });

  it("re-asks when text arrives where a button is expected", () => {
    const before = walk(ctx, [choose("en")]).state;
    const result = walk(ctx, [text("maybe?")], before ?? undefined);
    expect(result.state).toBe(before);
    expect(keysOf(result.prompts)).toEqual(["errors.use_buttons", "message", "consent.ask"]);
  });

  it("answers help and an unknown command without changing anything", () => {
    const before = walk(ctx, [choose("en")]).state ?? undefined;
    expect(walk(ctx, [command("help")], before).state).toBe(before);
    const unknown = walk(ctx, [command("frobnicate")], before);
    expect(unknown.prompts[0]).toMatchObject({
      kind: "notice",
      text: { key: "errors.unknown_command", params: { command: "frobnicate" } },
    });
  });

  it("pauses and resumes, keeping the place", () => {
    const paused = walk(ctx, [...START_TASK, choose("next"), command("pause")]);
    expect(paused.effects.at(-1)).toMatchObject({ type: "status_changed", status: "paused" });
    const ignored = walk(ctx, [choose("next")], paused.state ?? undefined);
    expect(keysOf(ignored.prompts)).toEqual(["pause.still_paused"]);
    const resumed = walk(ctx, [command("resume")], paused.state ?? undefined);
    expect(resumed.state?.task?.viewing).toBe(1);
    expect(resumed.prompts.map((p) => p.kind)).toEqual(["message", "scenario", "response"]);
  });

  it("changes language mid-task and returns to the same place", () => {
    const result = walk(ctx, [...START_TASK, choose("next"), command("language"), choose("es")]);
    expect(result.state?.locale).toBe("es");
    expect(result.state?.task?.viewing).toBe(1);
    expect(result.effects.at(-1)).toEqual({ type: "locale_set", locale: "es" });
  });

  it("withdraws only after confirmation, deleting everything", () => {
    const asked = walk(ctx, [...START_TASK, command("withdraw")]);
    expect(keysOf(asked.prompts)).toEqual(["withdraw.confirm"]);
    const kept = walk(ctx, [choose("no")], asked.state ?? undefined);
    expect(kept.state?.phase).toBe("task");
    expect(kept.effects).toEqual([]);
    const gone = walk(ctx, [choose("yes")], asked.state ?? undefined);
    expect(gone.state).toBeNull();
    expect(gone.effects).toEqual([{ type: "participant_deleted", at: ctx.now }]);
  });

  it("offers new scenarios to someone who completed when the study has more", () => {
    const study = miniStudy({ assignment: { scenariosPerParticipant: 1, longFormTasks: 0 } });
    const done = walk(fakeContext(study), [...START_TASK, ...readAndRank(), text("short form reasons")]);
    expect(done.state?.phase).toBe("completed");
    const assigned = new Set(done.state?.assignments.map((plan) => plan.scenarioId));
    const more = walk(
      fakeContext(study, { assignedScenarioIds: () => assigned }),
      [{ kind: "start" }],
      done.state ?? undefined,
    );
    expect(more.state?.phase).toBe("task");
    expect(more.state?.assignments).toHaveLength(2);
    expect(more.state?.assignments[1]?.position).toBe(1);
  });
});
