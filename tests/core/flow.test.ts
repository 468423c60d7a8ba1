import { describe, expect, it } from "vitest";
import type { AssessmentRecord } from "../../src/core/flow/effects.js";
import type { CardSubmission, Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import { type CardPrompt, readChoiceId } from "../../src/core/flow/prompts.js";
import type { FlowState } from "../../src/core/flow/state.js";
import { displayRankingToCanonical, formatRanking, parseRanking } from "../../src/core/ranking.js";
import { choose, command, fakeContext, miniStudy, rankAndConfirm, reason, text, walk } from "../helpers/flow.js";

function cardOf(prompts: Prompt[]): CardPrompt {
  const card = prompts.find((prompt): prompt is CardPrompt => prompt.kind === "card");
  if (!card) throw new Error(`no card in ${prompts.map((prompt) => prompt.kind).join(", ")}`);
  return card;
}

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

  it("shows the scenario's card when a task starts", () => {
    const result = walk(ctx, START_TASK);
    expect(result.prompts.map((prompt) => prompt.kind)).toEqual(["card"]);
    expect(cardOf(result.prompts)).toMatchObject({ cardId: "task-0", step: result.state?.step });
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

describe("a task on its card, to the recorded assessment", () => {
  const ctx = fakeContext(miniStudy());
  const paged = fakeContext(miniStudy(), { surface: { cardChars: 100 } });

  it("opens with every response on the card when they fit, ranking at once", () => {
    const card = cardOf(walk(ctx, START_TASK).prompts);
    expect(card.layout).toBe("all");
    expect(card.responses.map((response) => response.displayLabel)).toEqual(["A", "B", "C", "D"]);
    expect(card.readChoices).toEqual([]);
    expect(card.choices.map((choice) => choice.id)).toEqual(["p:A", "p:B", "p:C", "p:D"]);
    expect(walk(ctx, START_TASK).state?.task?.opens).toEqual([1, 1, 1, 1]);
  });

  it("keeps the responses in reach on every stage of a paged card, without touching the step", () => {
    const atRanking = walk(paged, START_TASK).state ?? undefined;
    expect(cardOf(walk(paged, START_TASK).prompts)).toMatchObject({ layout: "paged", open: 0 });
    const atRationale = walk(paged, [...rankAndConfirm()], atRanking).state ?? undefined;
    expect(atRationale?.task?.stage).toBe("rationale");
    // An old card's read button (made for the ranking step) still opens a response now.
    const read = walk(paged, [{ kind: "choice", step: atRanking?.step ?? 0, choice: readChoiceId(0, 2) }], atRationale);
    expect(read.state?.step).toBe(atRationale?.step);
    expect(read.state?.task?.open).toBe(2);
    expect(cardOf(read.prompts).open).toBe(2);
    expect(keysOf(read.prompts)).toEqual(["card"]);
    // A read button of another scenario's card is out of date.
    const other = walk(paged, [{ kind: "choice", step: 1, choice: readChoiceId(1, 2) }], atRationale);
    expect(keysOf(other.prompts)[0]).toBe("errors.stale");
  });

  it("records how often each response was opened before ranking, in canonical labels", () => {
    const result = walk(paged, [
      ...START_TASK,
      (s) => ({ kind: "choice", step: s.step, choice: readChoiceId(0, 1) }),
      (s) => ({ kind: "choice", step: s.step, choice: readChoiceId(0, 0) }),
      ...rankAndConfirm(),
      (s) => ({ kind: "choice", step: s.step, choice: readChoiceId(0, 3) }),
      ...reason("Because A is the most careful."),
      ...rankAndConfirm(),
      ...reason("Personally A as well."),
      choose("none"),
    ]);
    const [assessment] = recorded(result.effects);
    const order = result.state?.assignments[0]?.shownOrder ?? "";
    expect(assessment?.layout).toBe("paged");
    // Display A was shown first and opened again, B once, C and D never before ranking.
    expect(assessment?.opens).toEqual({
      [order[0] as string]: 2,
      [order[1] as string]: 1,
      [order[2] as string]: 0,
      [order[3] as string]: 0,
    });
  });

  it("places the last letter by itself, offers the tie, and undo takes back two", () => {
    const three = walk(ctx, [...START_TASK, choose("p:B"), choose("p:A"), choose("p:C")]);
    expect(three.state?.task?.stage).toBe("confirm");
    expect(three.state?.task?.picks.map((pick) => pick.label)).toEqual(["B", "A", "C", "D"]);
    expect(cardOf(three.prompts).choices.map((choice) => choice.id)).toEqual(["ok", "tie_last", "undo", "redo"]);
    const tied = walk(ctx, [choose("tie_last")], three.state ?? undefined);
    expect(tied.state?.task?.picks.at(-1)).toEqual({ label: "D", tied: true });
    expect(cardOf(tied.prompts).choices.map((choice) => choice.id)).toEqual(["ok", "untie_last", "undo", "redo"]);
    const undone = walk(ctx, [choose("undo")], three.state ?? undefined);
    expect(undone.state?.task?.stage).toBe("ranking");
    expect(undone.state?.task?.picks.map((pick) => pick.label)).toEqual(["B", "A"]);
  });

  it("records a long-form assessment in canonical labels with ties, rationales and unacceptable labels", () => {
    const result = walk(ctx, [
      ...START_TASK,
      choose("p:B"),
      choose("t:A"),
      choose("p:D"),
      choose("undo"),
      choose("p:C"),
      choose("ok"),
      ...reason("Because B and A are both careful."),
      ...rankAndConfirm(["p:A", "p:B", "p:C"]),
      ...reason("Personally I like A best 😊", "مرحبا"),
      choose("u:D"),
      choose("u:C"),
      choose("u:C"),
      choose("done"),
      ...reason("D is dangerous advice."),
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
      rationaleParts: 1,
    });
    expect(assessment?.blocks[1]?.block).toBe("personal");
    expect(assessment?.blocks[1]?.rationale?.text).toBe("Personally I like A best 😊\nمرحبا");
    expect(assessment?.blocks[1]?.rationaleParts).toBe(2);
    expect(assessment?.unacceptable?.labels).toEqual([plan.shownOrder[3]]);
    expect(assessment?.unacceptable?.rationale?.text).toBe("D is dangerous advice.");
    expect(result.state?.taskIndex).toBe(1);
    expect(result.prompts.map((prompt) => prompt.kind)).toEqual(["card_closed", "message", "card"]);
  });

  it("uses the short form after the long-form tasks, then completes with the code", () => {
    const study = miniStudy({ completionCode: "DONE-42" });
    const result = walk(fakeContext(study), [
      ...START_TASK,
      ...rankAndConfirm(),
      ...reason("world reasons here"),
      ...rankAndConfirm(),
      ...reason("personal reasons"),
      choose("none"),
      ...rankAndConfirm(),
      ...reason("short form reasons"),
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
    const ranked = walk(ctx, [...START_TASK, text("b > a = c > d")]);
    expect(ranked.state?.task?.stage).toBe("confirm");
    const bad = walk(ctx, [...START_TASK, text("B > A > A > D")]);
    expect(keysOf(bad.prompts)[0]).toBe("ranking.invalid_duplicate");
    expect(bad.state?.task?.stage).toBe("ranking");
  });

  it("offers no tie buttons and refuses typed ties when the study forbids ties", () => {
    const strict = fakeContext(miniStudy({ blocks: { allowTies: false } }));
    const after = walk(strict, [...START_TASK, choose("p:A")]);
    expect(cardOf(after.prompts).choices.map((c) => c.id)).toEqual(["p:B", "p:C", "p:D", "undo"]);
    const confirm = walk(strict, [choose("p:B"), choose("p:C")], after.state ?? undefined);
    expect(cardOf(confirm.prompts).choices.map((c) => c.id)).toEqual(["ok", "undo", "redo"]);
    const tied = walk(strict, [...START_TASK, text("A=B>C>D")]);
    expect(keysOf(tied.prompts)[0]).toBe("ranking.invalid_ties_forbidden");
  });
});

describe("reasons written in as many messages as people send", () => {
  const study = miniStudy({ rationale: { minLetters: 5, maxChars: 10_000 } });
  const ctx = fakeContext(study, { surface: { cardChars: 4000, splitChars: 4096 } });
  const atRationale = walk(ctx, [...START_TASK, ...rankAndConfirm()]).state ?? undefined;

  it("collects every message until Done, showing the length so far", () => {
    const two = walk(ctx, [text("First thought."), text("Second thought.")], atRationale);
    expect(two.state?.task?.draft?.parts).toEqual(["First thought.", "Second thought."]);
    const card = cardOf(two.prompts);
    expect(card.choices.map((choice) => choice.id)).toEqual(["done", "clear"]);
    expect(card.status).toContainEqual({ key: "card.draft", params: { chars: 30, max: 10_000 } });
    const done = walk(ctx, [choose("done")], two.state ?? undefined);
    expect(done.state?.task?.answers.world).toMatchObject({
      rationale: "First thought.\nSecond thought.",
      rationaleParts: 2,
    });
  });

  it("keeps a 9,000-character reason the app split into three messages whole, without breaks at the cuts", () => {
    const whole = `${"word ".repeat(1800)}`.trim();
    const parts = [whole.slice(0, 4096), whole.slice(4096, 8192), whole.slice(8192)];
    const done = walk(ctx, reason(...parts), atRationale);
    expect(done.state?.task?.answers.world?.rationale).toBe(whole);
    expect(done.state?.task?.answers.world?.rationaleParts).toBe(3);
  });

  it("recognises the same message sent twice within seconds as one", () => {
    const once = walk(ctx, [text("Same words twice.")], atRationale).state ?? undefined;
    const again = walk(ctx, [text("Same words twice.")], once);
    expect(again.state).toBe(once);
    expect(again.prompts).toEqual([]);
    const later = walk(fakeContext(study, { now: "2026-11-27T10:05:00.000Z" }), [text("Same words twice.")], once);
    expect(later.state?.task?.draft?.parts).toHaveLength(2);
  });

  it("applies the limits to the whole, refusing only the message that would pass the maximum", () => {
    const small = fakeContext(miniStudy({ rationale: { minLetters: 30, maxChars: 40 } }));
    const at = walk(small, [...START_TASK, ...rankAndConfirm()]).state ?? undefined;
    const first = walk(small, [text("Twenty characters...")], at);
    const over = walk(small, [text("and twenty-one more!!")], first.state ?? undefined);
    expect(keysOf(over.prompts)[0]).toBe("rationale.too_long_total");
    expect(over.state?.task?.draft?.parts).toEqual(["Twenty characters..."]);
    const short = walk(small, [choose("done")], first.state ?? undefined);
    expect(keysOf(short.prompts)[0]).toBe("rationale.too_short");
    expect(short.state).toBe(first.state);
  });

  it("answers media without text with a reason, and flags a caption until Done", () => {
    const media = walk(ctx, [{ kind: "media" }], atRationale);
    expect(keysOf(media.prompts)[0]).toBe("rationale.type_it");
    expect(media.state).toBe(atRationale);
    const caption = walk(ctx, [{ kind: "text", text: "A caption that explains why.", fromCaption: true }], atRationale);
    expect(cardOf(caption.prompts).status).toContainEqual({ key: "card.draft_caption" });
    const cleared = walk(ctx, [choose("clear")], caption.state ?? undefined);
    expect(cleared.state?.task?.draft).toBeUndefined();
  });

  it("names the problem for an empty message and keeps the step", () => {
    const result = walk(ctx, [text("   ")], atRationale);
    expect(keysOf(result.prompts)[0]).toBe("rationale.empty");
    expect(result.state).toBe(atRationale);
  });

  it("counts a Japanese rationale by its script", () => {
    const result = walk(ctx, reason("丁寧です"), atRationale);
    expect(result.state?.task?.answers.world?.rationale).toBe("丁寧です");
  });
});

describe("a whole card submitted at once", () => {
  const ctx = fakeContext(miniStudy());
  const atCard = walk(ctx, START_TASK).state ?? undefined;
  const submit = (fields: Partial<CardSubmission>): Input => ({
    kind: "card_submit",
    step: atCard?.step ?? 0,
    rankings: { world: "B>A=C>D", personal: "A>B>C>D" },
    rationales: { world: "World reasons here.", personal: "Personal reasons here." },
    unacceptable: ["D"],
    unacceptableRationale: "D would hurt people.",
    ...fields,
  });

  it("tells the adapter what a whole-card answer must give: both blocks and the check on the long form only", () => {
    expect(cardOf(walk(ctx, START_TASK).prompts).form).toEqual({
      blocks: ["world", "personal"],
      unacceptable: true,
      allowTies: true,
      maxChars: 200,
      ratings: [],
    });
    const next = walk(ctx, [submit({})], atCard);
    expect(cardOf(next.prompts).form).toMatchObject({ blocks: ["world"], unacceptable: false });
    const strict = fakeContext(miniStudy({ blocks: { personal: false, unacceptable: false, allowTies: false } }));
    expect(cardOf(walk(strict, START_TASK).prompts).form).toMatchObject({
      blocks: ["world"],
      unacceptable: false,
      allowTies: false,
    });
  });

  it("records every block from one submission", () => {
    const result = walk(ctx, [submit({})], atCard);
    const [assessment] = recorded(result.effects);
    const order = atCard?.assignments[0]?.shownOrder ?? "";
    expect(assessment?.blocks.map((block) => block.block)).toEqual(["world", "personal"]);
    expect(assessment?.blocks[1]?.rationale?.text).toBe("Personal reasons here.");
    expect(assessment?.unacceptable?.labels).toEqual([order[3]]);
    expect(result.state?.taskIndex).toBe(1);
  });

  it("names each field with a problem and keeps nothing", () => {
    const result = walk(
      ctx,
      [submit({ rankings: { world: "B>A" }, rationales: { world: "ok" }, unacceptableRationale: "" })],
      atCard,
    );
    expect(result.state).toBe(atCard);
    expect(result.effects).toEqual([]);
    const fields = result.prompts.map((prompt) => (prompt.kind === "notice" ? prompt.field : prompt.kind));
    expect(fields).toEqual([
      "world_ranking",
      "world_rationale",
      "personal_ranking",
      "personal_rationale",
      "unacceptable_rationale",
    ]);
  });

  it("is out of date once the card moved on", () => {
    const moved = walk(ctx, [choose("p:A")], atCard).state ?? undefined;
    const result = walk(ctx, [submit({})], moved);
    expect(keysOf(result.prompts)[0]).toBe("errors.stale");
    expect(result.effects).toEqual([]);
  });
});

describe("commands and stale input", () => {
  const ctx = fakeContext(miniStudy());

  it("ignores a button from an old step, says so and shows the current step again", () => {
    const before = walk(ctx, [choose("en")]).state;
    const result = walk(ctx, [{ kind: "choice", step: 1, choice: "no" }], before ?? undefined);
    expect(result.state).toBe(before);
    expect(keysOf(result.prompts)).toEqual(["errors.stale", "message", "consent.ask"]);
  });

  it("treats text answering an older prompt as stale, and text for the current one as an answer", () => {
    const atRationale = walk(ctx, [...START_TASK, ...rankAndConfirm()]).state ?? undefined;
    const step = atRationale?.step ?? 0;
    const late = walk(ctx, [{ kind: "text", text: "A long enough reason here.", step: step - 1 }], atRationale);
    expect(late.state).toBe(atRationale);
    expect(keysOf(late.prompts)).toEqual(["errors.stale", "card"]);
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

  it("pauses and resumes, keeping the place; a press while paused says how to go on", () => {
    const beforePause = walk(ctx, [...START_TASK, choose("p:B")]).state;
    const paused = walk(ctx, [command("pause")], beforePause ?? undefined);
    expect(paused.effects.at(-1)).toMatchObject({ type: "status_changed", status: "paused" });
    // An old ranking button (made before the pause) is not "out of date": they are paused.
    const ignored = walk(
      ctx,
      [{ kind: "choice", step: beforePause?.step ?? 0, choice: "p:C" }],
      paused.state ?? undefined,
    );
    expect(keysOf(ignored.prompts)).toEqual(["pause.still_paused", "pause.paused"]);
    expect(ignored.state).toBe(paused.state);
    const button = walk(ctx, [choose("resume")], paused.state ?? undefined);
    expect(button.state?.paused).toBe(false);
    const resumed = walk(ctx, [command("resume")], paused.state ?? undefined);
    expect(resumed.state?.task?.picks).toEqual([{ label: "B", tied: false }]);
    expect(resumed.prompts.map((p) => p.kind)).toEqual(["message", "card"]);
  });

  it("answers progress and my data, then shows the current card again", () => {
    const atCard = walk(ctx, START_TASK).state ?? undefined;
    for (const name of ["progress", "mydata", "help"]) {
      const result = walk(ctx, [command(name)], atCard);
      expect(result.prompts.map((p) => p.kind)).toEqual(["message", "card"]);
      expect(result.state).toBe(atCard);
    }
  });

  it("changes language mid-task and returns to the same place", () => {
    const result = walk(ctx, [...START_TASK, choose("p:C"), command("language"), choose("es")]);
    expect(result.state?.locale).toBe("es");
    expect(result.state?.task?.picks).toEqual([{ label: "C", tied: false }]);
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
    const done = walk(fakeContext(study), [...START_TASK, ...rankAndConfirm(), ...reason("short form reasons")]);
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

describe("ratings of the prompt itself (CA-1's importance, representativeness, subjectivity)", () => {
  const scale = [1, 2, 3, 4, 5].map((point) => ({ id: String(point), text: `${point}` }));
  const study = miniStudy({
    promptRatings: [
      {
        id: "importance",
        label: "Importance",
        text: "How important is it that an AI answers this well?",
        options: scale,
      },
      { id: "subjectivity", text: "How much is the best answer a matter of opinion?", options: scale, forms: ["long"] },
    ],
  });
  const ctx = fakeContext(study);

  it("asks each rating with one tap after the rankings, on the forms it names, and records them", () => {
    const long = walk(ctx, [...START_TASK, ...rankAndConfirm(), ...reason("World reasons."), ...rankAndConfirm()]);
    const atRating = walk(ctx, reason("Personal reasons."), long.state ?? undefined);
    expect(atRating.state?.task?.stage).toBe("rating");
    expect(cardOf(atRating.prompts).choices.map((choice) => choice.id)).toEqual([
      "rate:1",
      "rate:2",
      "rate:3",
      "rate:4",
      "rate:5",
    ]);
    const rated = walk(ctx, [choose("rate:5")], atRating.state ?? undefined);
    expect(cardOf(rated.prompts).status).toContainEqual({
      key: "card.done_rating",
      params: { label: { localized: "Importance" }, answer: { localized: "5" } },
    });
    const done = walk(ctx, [choose("rate:2"), choose("none")], rated.state ?? undefined);
    expect(recorded(done.effects)[0]?.ratings).toEqual({ importance: "5", subjectivity: "2" });
    // The short form asks only the rating meant for every form.
    const short = walk(
      ctx,
      [...rankAndConfirm(), ...reason("Short reasons."), choose("rate:3")],
      done.state ?? undefined,
    );
    expect(recorded(short.effects)[0]?.ratings).toEqual({ importance: "3" });
  });

  it("refuses an option that is not on the scale, and asks for missing ratings in a whole-card submission", () => {
    const atRating =
      walk(ctx, [
        ...START_TASK,
        ...rankAndConfirm(),
        ...reason("World reasons."),
        ...rankAndConfirm(),
        ...reason("Personal reasons."),
      ]).state ?? undefined;
    expect(keysOf(walk(ctx, [choose("rate:9")], atRating).prompts)[0]).toBe("errors.invalid_choice");
    const atCard = walk(ctx, START_TASK).state ?? undefined;
    const submission: Input = {
      kind: "card_submit",
      step: atCard?.step ?? 0,
      rankings: { world: "A>B>C>D", personal: "A>B>C>D" },
      rationales: { world: "World reasons.", personal: "Personal reasons." },
      ratings: { importance: "4" },
    };
    // The card tells a form which ratings to ask, on this (long) form both.
    expect(cardOf(walk(ctx, START_TASK).prompts).form?.ratings.map((rating) => rating.id)).toEqual([
      "importance",
      "subjectivity",
    ]);
    expect(cardOf(walk(ctx, START_TASK).prompts).form?.ratings[0]?.choices[4]).toEqual({
      id: "5",
      label: { localized: "5" },
    });
    const missing = walk(ctx, [submission], atCard);
    expect(missing.prompts.map((prompt) => (prompt.kind === "notice" ? prompt.field : prompt.kind))).toEqual([
      "rating_subjectivity",
    ]);
    const complete = walk(ctx, [{ ...submission, ratings: { importance: "4", subjectivity: "1" } }], atCard);
    expect(recorded(complete.effects)[0]?.ratings).toEqual({ importance: "4", subjectivity: "1" });
  });
});

describe("the unacceptable check", () => {
  const ctx = fakeContext(miniStudy());
  it("takes the reason typed right after marking, without a Done first", () => {
    const atCheck = walk(ctx, [
      ...START_TASK,
      ...rankAndConfirm(),
      ...reason("World reasons."),
      ...rankAndConfirm(),
      ...reason("Personal reasons."),
      choose("u:B"),
    ]);
    expect(cardOf(atCheck.prompts)).toMatchObject({
      question: { key: "unacceptable.why" },
      typing: { purpose: "rationale" },
    });
    const done = walk(ctx, reason("B insults the person."), atCheck.state ?? undefined);
    const [assessment] = recorded(done.effects);
    const order = atCheck.state?.assignments[0]?.shownOrder ?? "";
    expect(assessment?.unacceptable).toMatchObject({
      labels: [order[1]],
      rationale: { text: "B insults the person." },
    });
  });
});
