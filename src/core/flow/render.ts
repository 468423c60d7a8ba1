import { canonicalToDisplay, LABELS } from "../labels.js";
import { nativeLanguageName, placeName } from "../profile/places.js";
import { canonicalRankingToDisplay, parseRanking } from "../ranking.js";
import type { ProfileQuestion, Scenario } from "../study/schema.js";
import { characterCount } from "../text/measure.js";
import type { FlowContext } from "./context.js";
import { joinDraft } from "./draft.js";
import {
  type CardForm,
  type CardPrompt,
  type Choice,
  key,
  localized,
  type Prompt,
  readChoiceId,
  type Text,
  verbatim,
} from "./prompts.js";
import { nextRating, ratingsAsked } from "./ratings.js";
import type { AssignmentPlan, FlowState, RankingBlockName, TaskProgress, Pick as TierPick } from "./state.js";

/**
 * The prompts that show the participant where they are. Transitions add
 * transient messages in front; re-prompts (after help, resume, a wrong
 * input) show exactly this again, with the same step.
 */
export function currentPrompts(state: FlowState, ctx: FlowContext): Prompt[] {
  if (state.confirming === "withdraw") return [withdrawQuestion(state)];
  if (state.changingLanguage) return [languageQuestion(state, ctx)];
  if (state.paused)
    return [question(state, key("pause.paused"), [{ id: "resume", label: key("pause.resume_button") }])];
  switch (state.phase) {
    case "language":
      return [languageQuestion(state, ctx)];
    case "consent":
      return [
        { kind: "message", text: localized(ctx.study.consent.text) },
        question(state, key("consent.ask"), [
          { id: "yes", label: key("consent.agree") },
          { id: "no", label: key("consent.decline") },
        ]),
      ];
    case "screening": {
      const item = ctx.study.screening[state.questionIndex];
      if (!item) throw new Error("screening index out of range");
      return [
        question(
          state,
          localized(item.text),
          item.options.map((option) => ({ id: option.id, label: localized(option.text) })),
        ),
      ];
    }
    case "profile":
      return [profilePrompt(state, ctx)];
    case "briefing":
      return [
        { kind: "message", text: localized(ctx.study.briefing) },
        question(
          state,
          key("briefing.ready", { count: state.assignments.length || ctx.study.assignment.scenariosPerParticipant }),
          [{ id: "go", label: key("briefing.start") }],
        ),
      ];
    case "task":
      return [cardPrompt(state, ctx)];
    case "completed":
      return [completionMessage(ctx)];
    case "declined":
      return [{ kind: "message", text: key("consent.declined") }];
    case "screened_out":
      return [{ kind: "message", text: key("screening.ended") }];
    case "quota_full":
      return [{ kind: "message", text: key("quota.full") }];
    case "no_scenarios":
      return [{ kind: "message", text: key("tasks.none_available") }];
  }
}

export function completionMessage(ctx: FlowContext): Prompt {
  const code = ctx.study.completionCode;
  return {
    kind: "message",
    text: code ? key("completed.thanks_code", { code: verbatim(code) }) : key("completed.thanks"),
  };
}

function question(state: FlowState, text: Text, choices: Choice[], acceptsText = false): Prompt {
  return { kind: "question", step: state.step, text, choices, ...(acceptsText ? { acceptsText } : {}) };
}

function languageQuestion(state: FlowState, ctx: FlowContext): Prompt {
  const choices = ctx.locales.map((locale) => ({ id: locale, label: verbatim(nativeLanguageName(locale)) }));
  return question(state, key("language.choose"), choices, true);
}

function withdrawQuestion(state: FlowState): Prompt {
  return question(state, key("withdraw.confirm"), [
    { id: "yes", label: key("withdraw.yes") },
    { id: "no", label: key("withdraw.no") },
  ]);
}

export function currentProfileQuestion(state: FlowState, ctx: FlowContext): ProfileQuestion {
  const item = ctx.study.profile[state.questionIndex];
  if (!item) throw new Error("profile index out of range");
  return item;
}

function profilePrompt(state: FlowState, ctx: FlowContext): Prompt {
  const item = currentProfileQuestion(state, ctx);
  const preferNot: Choice = { id: "pnts", label: key("profile.prefer_not_to_say") };
  if (state.placeSuggestion !== undefined && item.kind !== "choice") {
    const place = verbatim(placeName(item.kind, state.placeSuggestion, state.locale));
    const choices: Choice[] = [
      { id: "yes", label: key("profile.suggestion_yes") },
      { id: "retype", label: key("profile.type_again") },
      preferNot,
    ];
    return question(state, key("profile.did_you_mean", { place }), choices, true);
  }
  if (state.typingAnswer) {
    return {
      kind: "ask_text",
      step: state.step,
      purpose: "typed_answer",
      text: key(item.kind === "language" ? "profile.type_language" : "profile.type_country"),
      maxChars: TYPED_ANSWER_MAX,
      choices: [preferNot],
    };
  }
  const choices: Choice[] = item.options.map((option) => ({ id: option.id, label: localized(option.text) }));
  const typed = item.kind !== "choice";
  if (typed) choices.push({ id: "other", label: key("profile.other") });
  choices.push(preferNot);
  return question(state, localized(item.text), choices, typed);
}

export const TYPED_ANSWER_MAX = 100;

export function scenarioOf(state: FlowState, ctx: FlowContext): Scenario {
  const plan = state.assignments[state.taskIndex];
  const scenario = plan && ctx.study.scenarios.find((candidate) => candidate.id === plan.scenarioId);
  if (!scenario) throw new Error("assigned scenario missing from study");
  return scenario;
}

/** The assignment of the task in progress. */
export function currentPlan(state: FlowState): AssignmentPlan {
  const plan = state.assignments[state.taskIndex];
  if (!plan) throw new Error("task index out of range");
  return plan;
}

export function shownOrderOf(state: FlowState): string {
  return currentPlan(state).shownOrder;
}

function taskOf(state: FlowState): TaskProgress {
  if (!state.task) throw new Error("task phase without task progress");
  return state.task;
}

/** "B > A = C" in display letters, for showing a ranking being built. */
export function picksText(picks: TierPick[]): string {
  return picks.map((pick, index) => (index === 0 ? pick.label : `${pick.tied ? " = " : " > "}${pick.label}`)).join("");
}

/** A stored canonical ranking ("B>A=C>D") in the display letters this participant saw. */
function displayRankingText(canonical: string, shownOrder: string): string {
  const parsed = parseRanking(canonical);
  if (!parsed.ok) return canonical;
  return canonicalRankingToDisplay(parsed.ranking, shownOrder)
    .map((tier) => tier.join(" = "))
    .join(" > ");
}

function cardId(state: FlowState): string {
  return `task-${state.taskIndex}`;
}

function cardTitle(state: FlowState): Text {
  return key("task.scenario_title", { position: state.taskIndex + 1, total: state.assignments.length });
}

/** The card as it stands: the scenario, the responses, what is answered and what is asked now. */
function cardPrompt(state: FlowState, ctx: FlowContext): CardPrompt {
  const task = taskOf(state);
  const scenario = scenarioOf(state, ctx);
  const order = shownOrderOf(state);
  const responses = LABELS.map((displayLabel, index) => {
    const response = scenario.responses.find((candidate) => candidate.label === order[index]);
    if (!response) throw new Error("response missing");
    return { displayLabel, text: response.text };
  });
  const readChoices: Choice[] =
    task.layout === "paged"
      ? LABELS.map((label, index) => ({ id: readChoiceId(state.taskIndex, index), label: verbatim(label) }))
      : [];
  return {
    kind: "card",
    step: state.step,
    cardId: cardId(state),
    title: cardTitle(state),
    messages: scenario.messages,
    responses,
    layout: task.layout,
    open: task.open,
    readChoices,
    status: cardStatus(state, task, ctx),
    ...stageControls(state, task, ctx),
    summary: key("card.summary", { position: state.taskIndex + 1, total: state.assignments.length }),
    form: cardForm(state, ctx),
  };
}

/** The ranking blocks a task asks: the personal one too on long-form tasks when the study has it. */
export function blocksAsked(plan: AssignmentPlan, ctx: FlowContext): RankingBlockName[] {
  return plan.form === "long" && ctx.study.blocks.personal ? ["world", "personal"] : ["world"];
}

/** Whether a task asks the unacceptable check (long-form tasks, when the study has it). */
export function planAsksUnacceptable(plan: AssignmentPlan, ctx: FlowContext): boolean {
  return plan.form === "long" && ctx.study.blocks.unacceptable;
}

function cardForm(state: FlowState, ctx: FlowContext): CardForm {
  const plan = currentPlan(state);
  return {
    blocks: blocksAsked(plan, ctx),
    unacceptable: planAsksUnacceptable(plan, ctx),
    allowTies: ctx.study.blocks.allowTies,
    maxChars: ctx.study.rationale.maxChars,
    ratings: ratingsAsked(state, ctx).map((rating) => ({
      id: rating.id,
      question: localized(rating.text),
      choices: rating.options.map((option) => ({ id: option.id, label: localized(option.text) })),
    })),
  };
}

/** The card of the assessment just saved, as one line. */
export function cardClosed(state: FlowState, task: TaskProgress): Prompt {
  const world = task.answers.world;
  return {
    kind: "card_closed",
    cardId: cardId(state),
    summary: key("card.summary_saved", {
      position: state.taskIndex + 1,
      total: state.assignments.length,
      ranking: verbatim(world ? displayRankingText(world.ranking, shownOrderOf(state)) : "—"),
    }),
  };
}

/** One line per answer given on this card so far, and the reason being written. */
function cardStatus(state: FlowState, task: TaskProgress, ctx: FlowContext): Text[] {
  const order = shownOrderOf(state);
  const lines: Text[] = [];
  for (const block of ["world", "personal"] as const) {
    const answer = task.answers[block];
    if (!answer) continue;
    lines.push(key(`card.done_${block}`, { ranking: verbatim(displayRankingText(answer.ranking, order)) }));
    if (answer.rationale !== undefined)
      lines.push(key("card.done_reason", { chars: characterCount(answer.rationale) }));
  }
  for (const question of ratingsAsked(state, ctx)) {
    const answer = question.options.find((option) => option.id === task.ratings[question.id]);
    if (!answer) continue;
    const label = question.label ? localized(question.label) : verbatim(question.id);
    lines.push(key("card.done_rating", { label, answer: localized(answer.text) }));
  }
  if (task.stage === "unacceptable_rationale") {
    const labels = task.unacceptable.map((canonical) => canonicalToDisplay(order, canonical)).sort();
    lines.push(key("card.done_unacceptable", { labels: verbatim(labels.join(", ")) }));
  }
  if (task.draft) {
    const chars = characterCount(joinDraft(task.draft, ctx.surface?.splitChars));
    lines.push(key("card.draft", { chars, max: ctx.study.rationale.maxChars }));
    if (task.draft.fromCaption) lines.push(key("card.draft_caption"));
  }
  return lines;
}

type StageControls = Pick<CardPrompt, "question" | "choices" | "typing">;

function stageControls(state: FlowState, task: TaskProgress, ctx: FlowContext): StageControls {
  const block = task.blocks[0] ?? "world";
  const maxChars = ctx.study.rationale.maxChars;
  switch (task.stage) {
    case "ranking": {
      const placed = new Set(task.picks.map((pick) => pick.label));
      const remaining = LABELS.filter((label) => !placed.has(label));
      const choices: Choice[] = remaining.map((label) => ({ id: `p:${label}`, label: verbatim(label) }));
      if (task.picks.length > 0 && ctx.study.blocks.allowTies) {
        for (const label of remaining) choices.push({ id: `t:${label}`, label: key("ranking.tie_with", { label }) });
      }
      if (task.picks.length > 0) choices.push({ id: "undo", label: key("ranking.undo") });
      const question =
        task.picks.length === 0
          ? key(`ranking.ask_${block}`)
          : key(`ranking.ask_next_${block}`, { so_far: verbatim(picksText(task.picks)) });
      return { question, choices, typing: { purpose: "ranking", maxChars: RANKING_TEXT_MAX } };
    }
    case "confirm": {
      const choices: Choice[] = [{ id: "ok", label: key("ranking.confirm_yes") }];
      const last = task.picks[task.picks.length - 1];
      const previous = task.picks[task.picks.length - 2];
      if (ctx.study.blocks.allowTies && last && previous) {
        const params = { label: last.label, previous: previous.label };
        choices.push(
          last.tied
            ? { id: "untie_last", label: key("ranking.untie_last", params) }
            : { id: "tie_last", label: key("ranking.tie_last", params) },
        );
      }
      choices.push({ id: "undo", label: key("ranking.undo") }, { id: "redo", label: key("ranking.redo") });
      return {
        question: key("ranking.confirm", { ranking: verbatim(picksText(task.picks)) }),
        choices,
        typing: { purpose: "ranking", maxChars: RANKING_TEXT_MAX },
      };
    }
    case "rationale":
    case "unacceptable_rationale": {
      const choices: Choice[] = task.draft
        ? [
            { id: "done", label: key("rationale.done") },
            { id: "clear", label: key("rationale.clear") },
          ]
        : [];
      if (task.stage === "unacceptable_rationale") choices.push({ id: "back", label: key("unacceptable.back") });
      const question = task.draft
        ? key("rationale.add_more")
        : task.stage === "rationale"
          ? key(`rationale.ask_${block}`, { min: ctx.study.rationale.minLetters, max: maxChars })
          : key("unacceptable.why", { max: maxChars });
      return { question, choices, typing: { purpose: "rationale", maxChars } };
    }
    case "rating": {
      const question = nextRating(state, task, ctx);
      if (!question) throw new Error("rating stage without a rating to ask");
      const choices = question.options.map((option) => ({ id: `rate:${option.id}`, label: localized(option.text) }));
      return { question: localized(question.text), choices };
    }
    case "unacceptable": {
      const order = shownOrderOf(state);
      const marked = new Set(task.unacceptable.map((canonical) => canonicalToDisplay(order, canonical)));
      const choices: Choice[] = LABELS.map((label) => ({
        id: `u:${label}`,
        label: marked.has(label) ? key("unacceptable.marked", { label }) : verbatim(label),
      }));
      choices.push(
        marked.size === 0
          ? { id: "none", label: key("unacceptable.none") }
          : { id: "done", label: key("unacceptable.done") },
      );
      if (marked.size === 0) return { question: key("unacceptable.ask"), choices };
      // Marked ones: the reason can be typed right away (or after Done).
      return {
        question: key("unacceptable.why", { max: maxChars }),
        choices,
        typing: { purpose: "rationale", maxChars },
      };
    }
  }
}

/** A typed ranking ("B > A = C > D") is short; anything longer is not one. */
const RANKING_TEXT_MAX = 40;
