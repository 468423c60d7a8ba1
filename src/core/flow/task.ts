import { displayToCanonical, isLabel, LABELS, type Label } from "../labels.js";
import { displayRankingToCanonical, formatRanking, parseRanking, type Ranking } from "../ranking.js";
import { planAssignments } from "../study/assignment.js";
import { checkFreeText } from "../text/measure.js";
import type { FlowContext, Transition } from "./context.js";
import type { AssessmentRecord, BlockRecord, Effect, RationaleRecord } from "./effects.js";
import type { Input } from "./inputs.js";
import { key } from "./prompts.js";
import { completionMessage } from "./render.js";
import type { FlowState, Pick, RankingBlockName, TaskProgress } from "./state.js";
import { advanced, reask, unchanged } from "./transition.js";

/** Starts task `index`: the scenario, then the first response in the viewer. */
export function beginTask(
  state: FlowState,
  index: number,
  ctx: FlowContext,
  effects: Effect[],
  before = [] as Transition["prompts"],
): Transition {
  const plan = state.assignments[index];
  if (!plan) throw new Error("no assignment at index");
  const blocks: RankingBlockName[] =
    plan.form === "long" && ctx.study.blocks.personal ? ["world", "personal"] : ["world"];
  const task: TaskProgress = {
    stage: "reading",
    blocks,
    viewing: 0,
    seen: [0],
    picks: [],
    answers: {},
    unacceptable: [],
    startedAt: ctx.now,
  };
  effects.push({ type: "assignment_started", position: plan.position, at: ctx.now });
  return advanced({ ...state, taskIndex: index, task }, ctx, before, effects);
}

/** After completion: a new batch of scenarios, if the study has any this participant has not had. */
export function startMoreTasks(state: FlowState, ctx: FlowContext): Transition {
  const assignments = planAssignments(ctx.study, {
    counts: ctx.assessmentCounts(),
    alreadyAssigned: ctx.assignedScenarioIds(),
    previousTasks: state.assignments.length,
    random: ctx.random,
  });
  if (assignments.length === 0) {
    return unchanged(state, [{ kind: "message", text: key("tasks.all_done") }]);
  }
  const next: FlowState = {
    ...state,
    phase: "task",
    assignments: [...state.assignments, ...assignments],
    phaseStartedAt: ctx.now,
  };
  const effects: Effect[] = [
    { type: "assignments_created", assignments, at: ctx.now },
    { type: "status_changed", status: "active", at: ctx.now },
  ];
  return beginTask(next, state.assignments.length, ctx, effects, [
    { kind: "message", text: key("tasks.more", { count: assignments.length }) },
  ]);
}

export function taskTransition(state: FlowState, input: Input, ctx: FlowContext): Transition {
  const task = state.task;
  if (!task) throw new Error("task phase without progress");
  switch (task.stage) {
    case "reading":
      return reading(state, task, input, ctx);
    case "ranking":
      return ranking(state, task, input, ctx);
    case "confirm":
      return confirm(state, task, input, ctx);
    case "rationale":
      return rationale(state, task, input, ctx);
    case "unacceptable":
      return unacceptable(state, task, input, ctx);
    case "unacceptable_rationale":
      return unacceptableRationale(state, task, input, ctx);
  }
}

function withTask(state: FlowState, task: TaskProgress): FlowState {
  return { ...state, task };
}

function reading(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  const move = input.choice === "next" ? 1 : input.choice === "prev" ? -1 : 0;
  if (move !== 0) {
    const viewing = task.viewing + move;
    if (viewing < 0 || viewing >= LABELS.length) return reask(state, ctx, "errors.invalid_choice");
    const seen = task.seen.includes(viewing) ? task.seen : [...task.seen, viewing].sort();
    return advanced(withTask(state, { ...task, viewing, seen }), ctx, [], [], "update");
  }
  if (input.choice === "rank" && task.seen.length === LABELS.length) {
    return advanced(withTask(state, { ...task, stage: "ranking", picks: [], readingDoneAt: ctx.now }), ctx);
  }
  return reask(state, ctx, "errors.invalid_choice");
}

function ranking(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  const allowTies = ctx.study.blocks.allowTies;
  if (input.kind === "text") {
    // A whole ranking typed in display letters, e.g. "b > a = c > d".
    const parsed = parseRanking(input.text, { allowTies });
    if (!parsed.ok) return reask(state, ctx, `ranking.invalid_${parsed.reason}`);
    return advanced(withTask(state, { ...task, stage: "confirm", picks: picksFromRanking(parsed.ranking) }), ctx);
  }
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  if (input.choice === "undo") {
    if (task.picks.length === 0) return reask(state, ctx, "errors.invalid_choice");
    return advanced(withTask(state, { ...task, picks: task.picks.slice(0, -1) }), ctx);
  }
  const [mode, label] = input.choice.split(":");
  const placed = new Set(task.picks.map((pick) => pick.label));
  const tied = mode === "t";
  if (
    (mode !== "p" && mode !== "t") ||
    !label ||
    !isLabel(label) ||
    placed.has(label) ||
    (tied && (!allowTies || task.picks.length === 0))
  ) {
    return reask(state, ctx, "errors.invalid_choice");
  }
  const picks = [...task.picks, { label, tied }];
  const stage = picks.length === LABELS.length ? "confirm" : "ranking";
  return advanced(withTask(state, { ...task, picks, stage }), ctx);
}

function picksFromRanking(ranking: Ranking): Pick[] {
  return ranking.flatMap((tier) => tier.map((label, index) => ({ label, tied: index > 0 })));
}

export function rankingFromPicks(picks: Pick[]): Ranking {
  const tiers: Label[][] = [];
  for (const pick of picks) {
    const last = tiers[tiers.length - 1];
    if (pick.tied && last) last.push(pick.label);
    else tiers.push([pick.label]);
  }
  return tiers;
}

function currentShownOrder(state: FlowState): string {
  const plan = state.assignments[state.taskIndex];
  if (!plan) throw new Error("task index out of range");
  return plan.shownOrder;
}

function confirm(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  if (input.choice === "redo") return advanced(withTask(state, { ...task, stage: "ranking", picks: [] }), ctx);
  if (input.choice !== "ok") return reask(state, ctx, "errors.invalid_choice");
  const block = task.blocks[0] ?? "world";
  const canonical = formatRanking(displayRankingToCanonical(rankingFromPicks(task.picks), currentShownOrder(state)));
  const answers = { ...task.answers, [block]: { ranking: canonical, rankedAt: ctx.now } };
  return advanced(withTask(state, { ...task, stage: "rationale", answers }), ctx);
}

function checkRationale(state: FlowState, input: Input, ctx: FlowContext): Transition | string {
  if (input.kind !== "text") return reask(state, ctx, "rationale.type_it");
  const problem = checkFreeText(input.text, ctx.study.rationale);
  if (!problem) return input.text;
  if (problem.problem === "too_long") return reask(state, ctx, "rationale.too_long", { max: problem.max });
  if (problem.problem === "too_short") return reask(state, ctx, "rationale.too_short", { min: problem.min });
  return reask(state, ctx, "rationale.empty");
}

function rationale(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  const checked = checkRationale(state, input, ctx);
  if (typeof checked !== "string") return checked;
  const block = task.blocks[0] ?? "world";
  const answer = task.answers[block];
  if (!answer) throw new Error("rationale before ranking");
  const answers = { ...task.answers, [block]: { ...answer, rationale: checked, rationaleAt: ctx.now } };
  const blocks = task.blocks.slice(1);
  if (blocks.length > 0) {
    return advanced(withTask(state, { ...task, answers, blocks, stage: "ranking", picks: [] }), ctx);
  }
  const plan = state.assignments[state.taskIndex];
  const next = { ...task, answers, blocks };
  if (plan?.form === "long" && ctx.study.blocks.unacceptable) {
    return advanced(withTask(state, { ...next, stage: "unacceptable" }), ctx);
  }
  return finishTask(state, next, ctx);
}

function unacceptable(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  if (input.choice === "none" && task.unacceptable.length === 0) return finishTask(state, task, ctx);
  if (input.choice === "done" && task.unacceptable.length > 0) {
    return advanced(withTask(state, { ...task, stage: "unacceptable_rationale" }), ctx);
  }
  const [mode, display] = input.choice.split(":");
  if (mode !== "u" || !display || !isLabel(display)) return reask(state, ctx, "errors.invalid_choice");
  const canonical = displayToCanonical(currentShownOrder(state), display);
  const marked = task.unacceptable.includes(canonical)
    ? task.unacceptable.filter((label) => label !== canonical)
    : [...task.unacceptable, canonical].sort();
  return advanced(withTask(state, { ...task, unacceptable: marked }), ctx);
}

function unacceptableRationale(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  const checked = checkRationale(state, input, ctx);
  if (typeof checked !== "string") return checked;
  return finishTask(state, { ...task, unacceptableRationale: checked }, ctx);
}

function rationaleRecord(text: string | undefined, ctx: FlowContext): RationaleRecord | null {
  if (text === undefined) return null;
  const detected = ctx.detectLanguage?.(text) ?? null;
  return { text, detectedLanguage: detected?.language ?? null, detectedConfidence: detected?.confidence ?? null };
}

/** Records the assessment and moves to the next task or to completion. */
function finishTask(state: FlowState, task: TaskProgress, ctx: FlowContext): Transition {
  const plan = state.assignments[state.taskIndex];
  if (!plan) throw new Error("task index out of range");
  const blocks: BlockRecord[] = (["world", "personal"] as const).flatMap((block) => {
    const answer = task.answers[block];
    if (!answer) return [];
    return [
      {
        block,
        ranking: answer.ranking,
        rationale: rationaleRecord(answer.rationale, ctx),
        rankedAt: answer.rankedAt,
        rationaleAt: answer.rationaleAt ?? null,
      },
    ];
  });
  const askedUnacceptable = plan.form === "long" && ctx.study.blocks.unacceptable;
  const assessment: AssessmentRecord = {
    position: plan.position,
    scenarioId: plan.scenarioId,
    shownOrder: plan.shownOrder,
    form: plan.form,
    blocks,
    unacceptable: askedUnacceptable
      ? { labels: task.unacceptable, rationale: rationaleRecord(task.unacceptableRationale, ctx) }
      : null,
    startedAt: task.startedAt,
    readingDoneAt: task.readingDoneAt ?? null,
    completedAt: ctx.now,
    locale: state.locale,
  };
  const effects: Effect[] = [{ type: "assessment_recorded", assessment }];
  const nextIndex = state.taskIndex + 1;
  const total = state.assignments.length;
  const saved = { kind: "message" as const, text: key("task.saved", { done: nextIndex, total, count: total }) };
  if (nextIndex < state.assignments.length) {
    const next = { ...state, task: undefined };
    return beginTask(next, nextIndex, ctx, effects, [saved]);
  }
  effects.push({ type: "status_changed", status: "completed", at: ctx.now });
  const done: FlowState = {
    ...state,
    phase: "completed",
    task: undefined,
    taskIndex: nextIndex,
    phaseStartedAt: ctx.now,
  };
  return { state: { ...done, step: done.step + 1 }, prompts: [saved, completionMessage(ctx)], effects };
}
