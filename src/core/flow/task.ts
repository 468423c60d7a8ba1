import { displayToCanonical, isLabel, LABELS, type Label } from "../labels.js";
import { displayRankingToCanonical, formatRanking, parseRanking, type Ranking } from "../ranking.js";
import { planAssignments } from "../study/assignment.js";
import type { Scenario } from "../study/schema.js";
import { checkFreeText } from "../text/measure.js";
import type { FlowContext, Transition } from "./context.js";
import { joinDraft, takeDraftInput } from "./draft.js";
import type { AssessmentRecord, BlockRecord, Effect, RationaleRecord } from "./effects.js";
import type { CardSubmission, Input } from "./inputs.js";
import { advanced, notice, reask, unchanged } from "./outcomes.js";
import { key, type Prompt } from "./prompts.js";
import { nextRating, ratingsAsked } from "./ratings.js";
import {
  blocksAsked,
  cardClosed,
  completionMessage,
  currentPlan,
  currentPrompts,
  planAsksUnacceptable,
  scenarioOf,
  shownOrderOf,
} from "./render.js";
import type { CardLayout, FlowState, Pick, RankingBlockName, TaskProgress } from "./state.js";

/** Characters a card spends around each text (headers, role lines) when judging whether all fits. */
const CARD_OVERHEAD_PER_TEXT = 80;

/** What a scenario's card takes, as weighed against `Surface.cardChars`: its texts and their headers. */
export function cardSize(scenario: Scenario): number {
  const texts = [...scenario.messages.map((message) => message.content), ...scenario.responses.map((r) => r.text)];
  return texts.reduce((sum, text) => sum + text.length + CARD_OVERHEAD_PER_TEXT, 0);
}

/** All four responses on one card when they fit the platform's card; else one open at a time. */
export function cardLayout(scenario: Scenario, ctx: FlowContext): CardLayout {
  if (!ctx.surface) return "all";
  return cardSize(scenario) <= ctx.surface.cardChars ? "all" : "paged";
}

/** Starts task `index`: its card, with the first response open (all of them when they fit). */
export function beginTask(
  state: FlowState,
  index: number,
  ctx: FlowContext,
  effects: Effect[],
  before = [] as Transition["prompts"],
): Transition {
  const plan = state.assignments[index];
  if (!plan) throw new Error("no assignment at index");
  const blocks = blocksAsked(plan, ctx);
  const layout = cardLayout(scenarioOf({ ...state, taskIndex: index }, ctx), ctx);
  const task: TaskProgress = {
    stage: "ranking",
    blocks,
    layout,
    open: 0,
    opens: layout === "all" ? [1, 1, 1, 1] : [1, 0, 0, 0],
    picks: [],
    answers: {},
    unacceptable: [],
    ratings: {},
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

/**
 * Opening a response on the card. It answers no question, so the step stays
 * and every other button of the card keeps working; only the count changes.
 */
export function openResponse(
  state: FlowState,
  read: { taskIndex: number; displayIndex: number },
  ctx: FlowContext,
): Transition {
  const task = state.task;
  if (state.phase !== "task" || !task || read.taskIndex !== state.taskIndex) {
    return unchanged(state, [notice("errors.stale"), ...currentPrompts(state, ctx)]);
  }
  const opens = task.opens.map((count, index) =>
    index === read.displayIndex ? count + 1 : count,
  ) as typeof task.opens;
  const next = withTask(state, { ...task, open: read.displayIndex, opens });
  return { state: next, prompts: currentPrompts(next, ctx), effects: [] };
}

export function taskTransition(state: FlowState, input: Input, ctx: FlowContext): Transition {
  const task = state.task;
  if (!task) throw new Error("task phase without progress");
  if (input.kind === "card_submit") return submitCard(state, task, input, ctx);
  switch (task.stage) {
    case "ranking":
      return ranking(state, task, input, ctx);
    case "confirm":
      return confirm(state, task, input, ctx);
    case "rationale":
      return rationale(state, task, input, ctx);
    case "rating":
      return rating(state, task, input, ctx);
    case "unacceptable":
      return unacceptable(state, task, input, ctx);
    case "unacceptable_rationale":
      return unacceptableRationale(state, task, input, ctx);
  }
}

function withTask(state: FlowState, task: TaskProgress): FlowState {
  return { ...state, task };
}

function currentBlock(task: TaskProgress): RankingBlockName {
  return task.blocks[0] ?? "world";
}

function ranking(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  const allowTies = ctx.study.blocks.allowTies;
  const readingDoneAt = task.readingDoneAt ?? ctx.now;
  if (input.kind === "text") {
    // A whole ranking typed in display letters, e.g. "b > a = c > d".
    const parsed = parseRanking(input.text, { allowTies });
    if (!parsed.ok) return reask(state, ctx, `ranking.invalid_${parsed.reason}`);
    const picks = picksFromRanking(parsed.ranking);
    return advanced(withTask(state, { ...task, stage: "confirm", picks, readingDoneAt }), ctx);
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
  const picks: Pick[] = [...task.picks, { label, tied }];
  const remaining = LABELS.filter((candidate) => candidate !== label && !placed.has(candidate));
  // The last letter has only one place left: it is put there, and the confirm step offers the tie.
  if (remaining.length === 1 && remaining[0]) picks.push({ label: remaining[0], tied: false });
  const stage = picks.length === LABELS.length ? "confirm" : "ranking";
  return advanced(withTask(state, { ...task, picks, stage, readingDoneAt }), ctx);
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

function confirm(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  if (input.kind === "text") return ranking(state, { ...task, stage: "ranking" }, input, ctx);
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  const last = task.picks[task.picks.length - 1];
  switch (input.choice) {
    case "ok": {
      const block = currentBlock(task);
      const canonical = formatRanking(displayRankingToCanonical(rankingFromPicks(task.picks), shownOrderOf(state)));
      const answers = { ...task.answers, [block]: { ranking: canonical, rankedAt: ctx.now } };
      const opensAtRanking = task.opensAtRanking ?? task.opens;
      const { draft: _none, ...rest } = task;
      return advanced(withTask(state, { ...rest, stage: "rationale", answers, opensAtRanking }), ctx);
    }
    case "tie_last":
    case "untie_last": {
      const tie = input.choice === "tie_last";
      if (!last || !ctx.study.blocks.allowTies || last.tied === tie) return reask(state, ctx, "errors.invalid_choice");
      const picks = [...task.picks.slice(0, -1), { ...last, tied: tie }];
      return advanced(withTask(state, { ...task, picks }), ctx);
    }
    case "undo":
      // The last letter was placed by itself: undo takes back the pick that placed it too.
      return advanced(withTask(state, { ...task, stage: "ranking", picks: task.picks.slice(0, -2) }), ctx);
    case "redo":
      return advanced(withTask(state, { ...task, stage: "ranking", picks: [] }), ctx);
    default:
      return reask(state, ctx, "errors.invalid_choice");
  }
}

/**
 * A reason collected from as many messages as the participant sends, until
 * Done: `finish` gets the whole text once it passes the study's limits.
 */
function collectReason(
  state: FlowState,
  task: TaskProgress,
  input: Input,
  ctx: FlowContext,
  finish: (text: string, parts: number) => Transition,
): Transition {
  const taken = takeDraftInput(task.draft, input, ctx);
  switch (taken.kind) {
    case "draft":
      return advanced(withTask(state, { ...task, draft: taken.draft }), ctx);
    case "ignored":
      return unchanged(state, []);
    case "refused":
      return reask(state, ctx, taken.textKey, taken.params);
    case "cleared": {
      const { draft: _dropped, ...rest } = task;
      return advanced(withTask(state, rest), ctx);
    }
    case "done": {
      if (!task.draft) return reask(state, ctx, "rationale.type_it");
      const text = joinDraft(task.draft, ctx.surface?.splitChars);
      const problem = checkFreeText(text, ctx.study.rationale);
      if (problem?.problem === "too_short") return reask(state, ctx, "rationale.too_short", { min: problem.min });
      if (problem?.problem === "too_long") return reask(state, ctx, "rationale.too_long", { max: problem.max });
      if (problem) return reask(state, ctx, "rationale.empty");
      return finish(text.trim(), task.draft.parts.length);
    }
    case "other":
      return reask(state, ctx, "errors.invalid_choice");
  }
}

function rationale(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  return collectReason(state, task, input, ctx, (text, parts) => {
    const block = currentBlock(task);
    const answer = task.answers[block];
    if (!answer) throw new Error("rationale before ranking");
    const answers = {
      ...task.answers,
      [block]: { ...answer, rationale: text, rationaleParts: parts, rationaleAt: ctx.now },
    };
    const { draft: _saved, ...rest } = task;
    const blocks = task.blocks.slice(1);
    if (blocks.length > 0) {
      return advanced(withTask(state, { ...rest, answers, blocks, stage: "ranking", picks: [] }), ctx);
    }
    return afterRankings(state, { ...rest, answers, blocks }, ctx);
  });
}

/** After the last reason: the prompt ratings still to answer, then the unacceptable check, then saving. */
function afterRankings(state: FlowState, task: TaskProgress, ctx: FlowContext): Transition {
  if (nextRating(state, task, ctx)) return advanced(withTask(state, { ...task, stage: "rating" }), ctx);
  if (asksUnacceptable(state, ctx)) return advanced(withTask(state, { ...task, stage: "unacceptable" }), ctx);
  return finishTask(state, task, ctx);
}

function rating(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  const question = nextRating(state, task, ctx);
  const option = input.choice.startsWith("rate:") ? input.choice.slice("rate:".length) : undefined;
  if (!question?.options.some((candidate) => candidate.id === option) || option === undefined) {
    return reask(state, ctx, "errors.invalid_choice");
  }
  const next = { ...task, ratings: { ...task.ratings, [question.id]: option } };
  return afterRankings(state, next, ctx);
}

function asksUnacceptable(state: FlowState, ctx: FlowContext): boolean {
  const plan = state.assignments[state.taskIndex];
  return plan !== undefined && planAsksUnacceptable(plan, ctx);
}

function unacceptable(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  // Once one is marked, the card already asks why: typing starts the reason (no Done tap first).
  if ((input.kind === "text" || input.kind === "media") && task.unacceptable.length > 0) {
    return unacceptableRationale(state, { ...task, stage: "unacceptable_rationale" }, input, ctx);
  }
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  if (input.choice === "none" && task.unacceptable.length === 0) return finishTask(state, task, ctx);
  if (input.choice === "done" && task.unacceptable.length > 0) {
    return advanced(withTask(state, { ...task, stage: "unacceptable_rationale" }), ctx);
  }
  const [mode, display] = input.choice.split(":");
  if (mode !== "u" || !display || !isLabel(display)) return reask(state, ctx, "errors.invalid_choice");
  const canonical = displayToCanonical(shownOrderOf(state), display);
  const marked = task.unacceptable.includes(canonical)
    ? task.unacceptable.filter((label) => label !== canonical)
    : [...task.unacceptable, canonical].sort();
  return advanced(withTask(state, { ...task, unacceptable: marked }), ctx);
}

function unacceptableRationale(state: FlowState, task: TaskProgress, input: Input, ctx: FlowContext): Transition {
  if (input.kind === "choice" && input.choice === "back") {
    const { draft: _dropped, ...rest } = task;
    return advanced(withTask(state, { ...rest, stage: "unacceptable" }), ctx);
  }
  return collectReason(state, task, input, ctx, (text) => {
    const { draft: _saved, ...rest } = task;
    return finishTask(state, { ...rest, unacceptableRationale: text }, ctx);
  });
}

/**
 * A whole card answered at once (Slack's scenario modal). Every field is
 * checked; any problem is a notice naming its field and nothing is kept, so
 * the participant corrects the form they still have open.
 */
function submitCard(state: FlowState, task: TaskProgress, input: CardSubmission, ctx: FlowContext): Transition {
  const plan = currentPlan(state);
  const asked = blocksAsked(plan, ctx);
  const problems: Prompt[] = [];
  const answers: TaskProgress["answers"] = {};
  for (const block of asked) {
    const parsed = parseRanking(input.rankings[block] ?? "", { allowTies: ctx.study.blocks.allowTies });
    if (!parsed.ok) problems.push(notice(`ranking.invalid_${parsed.reason}`, undefined, `${block}_ranking`));
    const reason = input.rationales[block] ?? "";
    const problem = reasonProblem(reason, ctx);
    if (problem) problems.push({ ...problem, field: `${block}_rationale` });
    if (parsed.ok && !problem) {
      const canonical = formatRanking(displayRankingToCanonical(parsed.ranking, plan.shownOrder));
      answers[block] = {
        ranking: canonical,
        rankedAt: ctx.now,
        rationale: reason.trim(),
        rationaleParts: 1,
        rationaleAt: ctx.now,
      };
    }
  }
  let unacceptableLabels: Label[] = [];
  let unacceptableRationale: string | undefined;
  if (asksUnacceptable(state, ctx)) {
    unacceptableLabels = [...new Set(input.unacceptable ?? [])]
      .filter(isLabel)
      .map((display) => displayToCanonical(plan.shownOrder, display))
      .sort();
    if (unacceptableLabels.length > 0) {
      const reason = input.unacceptableRationale ?? "";
      const problem = reasonProblem(reason, ctx);
      if (problem) problems.push({ ...problem, field: "unacceptable_rationale" });
      unacceptableRationale = reason.trim();
    }
  }
  const ratings: Record<string, string> = {};
  for (const question of ratingsAsked(state, ctx)) {
    const option = input.ratings?.[question.id];
    if (option !== undefined && question.options.some((candidate) => candidate.id === option))
      ratings[question.id] = option;
    else problems.push(notice("rating.missing", undefined, `rating_${question.id}`));
  }
  if (problems.length > 0) return unchanged(state, problems);
  const submitted: TaskProgress = {
    ...task,
    ratings,
    answers,
    blocks: [],
    unacceptable: unacceptableLabels,
    ...(unacceptableRationale !== undefined ? { unacceptableRationale } : {}),
    opensAtRanking: task.opensAtRanking ?? task.opens,
    readingDoneAt: task.readingDoneAt ?? ctx.now,
  };
  return finishTask(state, submitted, ctx);
}

/** The notice for a reason that does not pass the study's limits, if any. */
function reasonProblem(text: string, ctx: FlowContext): Extract<Prompt, { kind: "notice" }> | undefined {
  const problem = checkFreeText(text, ctx.study.rationale);
  if (!problem) return undefined;
  if (problem.problem === "too_long") return notice("rationale.too_long", { max: problem.max });
  if (problem.problem === "too_short") return notice("rationale.too_short", { min: problem.min });
  return notice("rationale.empty");
}

function rationaleRecord(text: string | undefined, ctx: FlowContext): RationaleRecord | null {
  if (text === undefined) return null;
  const detected = ctx.detectLanguage?.(text) ?? null;
  return { text, detectedLanguage: detected?.language ?? null, detectedConfidence: detected?.confidence ?? null };
}

/** Opens per canonical label, from opens per display index. */
function opensByLabel(opens: readonly number[], shownOrder: string): Record<Label, number> {
  const byLabel = { A: 0, B: 0, C: 0, D: 0 };
  opens.forEach((count, index) => {
    const label = shownOrder[index];
    if (label && isLabel(label)) byLabel[label] = count;
  });
  return byLabel;
}

/** Records the assessment and moves to the next task or to completion. */
function finishTask(state: FlowState, task: TaskProgress, ctx: FlowContext): Transition {
  const plan = currentPlan(state);
  const blocks: BlockRecord[] = (["world", "personal"] as const).flatMap((block) => {
    const answer = task.answers[block];
    if (!answer) return [];
    return [
      {
        block,
        ranking: answer.ranking,
        rationale: rationaleRecord(answer.rationale, ctx),
        rationaleParts: answer.rationaleParts ?? null,
        rankedAt: answer.rankedAt,
        rationaleAt: answer.rationaleAt ?? null,
      },
    ];
  });
  const assessment: AssessmentRecord = {
    position: plan.position,
    scenarioId: plan.scenarioId,
    shownOrder: plan.shownOrder,
    form: plan.form,
    blocks,
    unacceptable: asksUnacceptable(state, ctx)
      ? { labels: task.unacceptable, rationale: rationaleRecord(task.unacceptableRationale, ctx) }
      : null,
    ...(Object.keys(task.ratings).length > 0 ? { ratings: task.ratings } : {}),
    layout: task.layout,
    opens: opensByLabel(task.opensAtRanking ?? task.opens, plan.shownOrder),
    startedAt: task.startedAt,
    readingDoneAt: task.readingDoneAt ?? null,
    completedAt: ctx.now,
    locale: state.locale,
  };
  const effects: Effect[] = [{ type: "assessment_recorded", assessment }];
  const nextIndex = state.taskIndex + 1;
  const total = state.assignments.length;
  const closed = cardClosed(state, task);
  const saved = { kind: "message" as const, text: key("task.saved", { done: nextIndex, total, count: total }) };
  if (nextIndex < state.assignments.length) {
    const next = { ...state, task: undefined };
    return beginTask(next, nextIndex, ctx, effects, [closed, saved]);
  }
  effects.push({ type: "status_changed", status: "completed", at: ctx.now });
  const done: FlowState = {
    ...state,
    phase: "completed",
    task: undefined,
    taskIndex: nextIndex,
    phaseStartedAt: ctx.now,
  };
  return { state: { ...done, step: done.step + 1 }, prompts: [closed, saved, completionMessage(ctx)], effects };
}
