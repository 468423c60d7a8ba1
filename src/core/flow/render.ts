import { LABELS, type Label } from "../labels.js";
import { nativeLanguageName, placeName } from "../profile/places.js";
import type { ProfileQuestion, Scenario } from "../study/schema.js";
import type { FlowContext } from "./context.js";
import { type Choice, key, localized, type Prompt, type Text, verbatim } from "./prompts.js";
import type { FlowState, Pick, TaskProgress } from "./state.js";

/**
 * The prompts that show the participant where they are. Transitions add
 * transient messages in front; re-prompts (after help, resume, a wrong
 * input) show exactly this again, with the same step.
 */
export function currentPrompts(state: FlowState, ctx: FlowContext, detail: "full" | "update" = "full"): Prompt[] {
  if (state.confirming === "withdraw") return [withdrawQuestion(state)];
  if (state.changingLanguage) return [languageQuestion(state, ctx)];
  if (state.paused) return [{ kind: "message", text: key("pause.paused") }];
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
      return taskPrompts(state, ctx, detail);
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

function shownOrderOf(state: FlowState): string {
  const plan = state.assignments[state.taskIndex];
  if (!plan) throw new Error("task index out of range");
  return plan.shownOrder;
}

function taskOf(state: FlowState): TaskProgress {
  if (!state.task) throw new Error("task phase without task progress");
  return state.task;
}

export function scenarioPrompt(state: FlowState, ctx: FlowContext): Prompt {
  const scenario = scenarioOf(state, ctx);
  return {
    kind: "scenario",
    position: state.taskIndex + 1,
    total: state.assignments.length,
    title: key("task.scenario_title", { position: state.taskIndex + 1, total: state.assignments.length }),
    messages: scenario.messages,
  };
}

export function responsePrompt(state: FlowState, ctx: FlowContext): Prompt {
  const task = taskOf(state);
  const scenario = scenarioOf(state, ctx);
  const canonical = shownOrderOf(state)[task.viewing];
  const response = scenario.responses.find((candidate) => candidate.label === canonical);
  const displayLabel = LABELS[task.viewing];
  if (!response || !displayLabel) throw new Error("response missing");
  const choices: Choice[] = [];
  if (task.viewing > 0) choices.push({ id: "prev", label: key("task.previous") });
  if (task.viewing < LABELS.length - 1) choices.push({ id: "next", label: key("task.next") });
  if (task.seen.length === LABELS.length) choices.push({ id: "rank", label: key("task.rank") });
  return {
    kind: "response",
    step: state.step,
    viewerId: `task-${state.taskIndex}`,
    displayLabel,
    index: task.viewing + 1,
    total: LABELS.length,
    text: response.text,
    choices,
  };
}

/** "B > A = C" in display letters, for showing a ranking being built. */
export function picksText(picks: Pick[]): string {
  return picks.map((pick, index) => (index === 0 ? pick.label : `${pick.tied ? " = " : " > "}${pick.label}`)).join("");
}

function taskPrompts(state: FlowState, ctx: FlowContext, detail: "full" | "update"): Prompt[] {
  const task = taskOf(state);
  const block = task.blocks[0] ?? "world";
  switch (task.stage) {
    case "reading":
      return detail === "full"
        ? [scenarioPrompt(state, ctx), responsePrompt(state, ctx)]
        : [responsePrompt(state, ctx)];
    case "ranking": {
      const placed = new Set(task.picks.map((pick) => pick.label));
      const remaining = LABELS.filter((label) => !placed.has(label));
      const choices: Choice[] = remaining.map((label) => ({ id: `p:${label}`, label: verbatim(label) }));
      if (task.picks.length > 0 && ctx.study.blocks.allowTies) {
        for (const label of remaining) choices.push({ id: `t:${label}`, label: key("ranking.tie_with", { label }) });
      }
      if (task.picks.length > 0) choices.push({ id: "undo", label: key("ranking.undo") });
      const text =
        task.picks.length === 0
          ? key(`ranking.ask_${block}`)
          : key(`ranking.ask_next_${block}`, { so_far: verbatim(picksText(task.picks)) });
      return [question(state, text, choices, true)];
    }
    case "confirm":
      return [
        question(state, key("ranking.confirm", { ranking: verbatim(picksText(task.picks)) }), [
          { id: "ok", label: key("ranking.confirm_yes") },
          { id: "redo", label: key("ranking.redo") },
        ]),
      ];
    case "rationale":
      return [
        {
          kind: "ask_text",
          step: state.step,
          purpose: "rationale",
          text: key(`rationale.ask_${block}`, {
            min: ctx.study.rationale.minLetters,
            max: ctx.study.rationale.maxChars,
          }),
          maxChars: ctx.study.rationale.maxChars,
          choices: [],
        },
      ];
    case "unacceptable": {
      const order = shownOrderOf(state);
      const marked = new Set(task.unacceptable.map((canonical) => LABELS[order.indexOf(canonical)] as Label));
      const choices: Choice[] = LABELS.map((label) => ({
        id: `u:${label}`,
        label: marked.has(label) ? key("unacceptable.marked", { label }) : verbatim(label),
      }));
      choices.push(
        marked.size === 0
          ? { id: "none", label: key("unacceptable.none") }
          : { id: "done", label: key("unacceptable.done") },
      );
      return [question(state, key("unacceptable.ask"), choices)];
    }
    case "unacceptable_rationale":
      return [
        {
          kind: "ask_text",
          step: state.step,
          purpose: "rationale",
          text: key("unacceptable.why", { max: ctx.study.rationale.maxChars }),
          maxChars: ctx.study.rationale.maxChars,
          choices: [],
        },
      ];
  }
}
