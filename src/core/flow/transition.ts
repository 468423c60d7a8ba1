import type { FlowContext, Transition } from "./context.js";
import type { Effect } from "./effects.js";
import { type Input, isCommandName } from "./inputs.js";
import { myDataPrompts } from "./mydata.js";
import { onboardingTransition } from "./onboarding.js";
import { key, type Prompt } from "./prompts.js";
import { completionMessage, currentPrompts } from "./render.js";
import { FINAL_PHASES, type FlowState, type Phase } from "./state.js";
import { startMoreTasks, taskTransition } from "./task.js";

/** A fresh state for a newcomer: the journey begins with the language. */
export function initialState(studyId: string, locale: string, now: string): FlowState {
  return {
    schemaVersion: 1,
    studyId,
    phase: "language",
    step: 1,
    locale,
    paused: false,
    changingLanguage: false,
    questionIndex: 0,
    typingAnswer: false,
    profile: {},
    assignments: [],
    taskIndex: 0,
    phaseStartedAt: now,
    recentEvents: [],
  };
}

/** Nothing changes; the given prompts are shown (a notice, a re-ask). */
export function unchanged(state: FlowState, prompts: Prompt[]): Transition {
  return { state, prompts, effects: [] };
}

/** State changed: the step advances so buttons made for the old state become stale. */
export function advanced(
  state: FlowState,
  ctx: FlowContext,
  before: Prompt[] = [],
  effects: Effect[] = [],
  detail: "full" | "update" = "full",
): Transition {
  const next = { ...state, step: state.step + 1 };
  return { state: next, prompts: [...before, ...currentPrompts(next, ctx, detail)], effects };
}

export function notice(textKey: string, params?: Record<string, string | number>): Prompt {
  return { kind: "notice", text: key(textKey, params) };
}

/** Re-ask: a remark about the input, then the current prompts again with the same step. */
export function reask(
  state: FlowState,
  ctx: FlowContext,
  textKey: string,
  params?: Record<string, string | number>,
): Transition {
  return unchanged(state, [notice(textKey, params), ...currentPrompts(state, ctx)]);
}

/**
 * The whole survey as one pure function: (state, input, context) → (state, prompts, effects).
 * Commands work in every phase; a choice made for another step is stale and changes nothing.
 */
export function transition(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind === "command") return commandTransition(state, input.name, ctx);
  if (input.kind === "start") return startTransition(state, ctx);
  const answersStep = input.kind === "choice" || input.kind === "text" ? input.step : undefined;
  if (answersStep !== undefined && answersStep !== state.step) return unchanged(state, [notice("errors.stale")]);

  if (state.confirming === "withdraw") return withdrawConfirmation(state, input, ctx);
  if (state.changingLanguage) return languageChange(state, input, ctx);
  if (state.paused) return unchanged(state, [{ kind: "message", text: key("pause.still_paused") }]);
  if (FINAL_PHASES.includes(state.phase)) return finalPhaseInput(state, input, ctx);
  if (state.phase === "task") return taskTransition(state, input, ctx);
  return onboardingTransition(state, input, ctx);
}

/**
 * Phases from which a participant starts scenarios added since (the "start the new scenarios"
 * button of a broadcast, or /start): done with their batch, or told none were available yet.
 */
const CAN_START_MORE: readonly Phase[] = ["completed", "no_scenarios"];

function startTransition(state: FlowState, ctx: FlowContext): Transition {
  if (CAN_START_MORE.includes(state.phase)) return startMoreTasks(state, ctx);
  if (state.phase === "declined") {
    // Someone who declined may reconsider; nothing of theirs was kept.
    return advanced({ ...state, phase: "consent", phaseStartedAt: ctx.now }, ctx);
  }
  return unchanged(state, [{ kind: "message", text: key("start.welcome_back") }, ...currentPrompts(state, ctx)]);
}

function finalPhaseInput(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (CAN_START_MORE.includes(state.phase) && input.kind === "choice" && input.choice === "more")
    return startMoreTasks(state, ctx);
  return unchanged(state, currentPrompts(state, ctx));
}

function commandTransition(state: FlowState, name: string, ctx: FlowContext): Transition {
  if (!isCommandName(name)) return unchanged(state, [notice("errors.unknown_command", { command: name })]);
  switch (name) {
    case "start":
      return startTransition(state, ctx);
    case "help":
      return unchanged(state, [{ kind: "message", text: key("help.text") }, ...currentPrompts(state, ctx)]);
    case "progress":
      return unchanged(state, [progressMessage(state, ctx)]);
    case "mydata":
      return unchanged(state, myDataPrompts(state, ctx));
    case "language":
      return advanced({ ...state, changingLanguage: true }, ctx);
    case "pause":
      if (state.paused || FINAL_PHASES.includes(state.phase)) return unchanged(state, currentPrompts(state, ctx));
      return advanced({ ...state, paused: true }, ctx, [], [{ type: "status_changed", status: "paused", at: ctx.now }]);
    case "resume":
      if (!state.paused) return unchanged(state, currentPrompts(state, ctx));
      return advanced(
        { ...state, paused: false },
        ctx,
        [{ kind: "message", text: key("pause.resumed") }],
        [{ type: "status_changed", status: "active", at: ctx.now }],
      );
    case "withdraw":
      return advanced({ ...state, confirming: "withdraw" }, ctx);
  }
}

function withdrawConfirmation(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  if (input.choice === "yes") {
    return {
      state: null,
      prompts: [{ kind: "message", text: key("withdraw.done") }],
      effects: [{ type: "participant_deleted", at: ctx.now }],
    };
  }
  if (input.choice === "no") {
    const { confirming: _dropped, ...rest } = state;
    return advanced(rest, ctx, [{ kind: "message", text: key("withdraw.kept") }]);
  }
  return reask(state, ctx, "errors.invalid_choice");
}

function languageChange(state: FlowState, input: Input, ctx: FlowContext): Transition {
  const locale = pickLocale(input, ctx);
  if (!locale) return reask(state, ctx, input.kind === "choice" ? "errors.invalid_choice" : "language.unknown");
  return advanced(
    { ...state, changingLanguage: false, locale },
    ctx,
    [{ kind: "message", text: key("language.changed") }],
    [{ type: "locale_set", locale }],
  );
}

/** A locale from a language button or a typed code or name. */
export function pickLocale(input: Input, ctx: FlowContext): string | undefined {
  if (input.kind === "choice") return ctx.locales.find((locale) => locale === input.choice);
  if (input.kind !== "text") return undefined;
  const typed = input.text.trim().toLocaleLowerCase();
  return ctx.locales.find((locale) => {
    if (locale.toLowerCase() === typed) return true;
    const ownName = new Intl.DisplayNames([locale], { type: "language" }).of(locale)?.toLocaleLowerCase();
    const englishName = new Intl.DisplayNames(["en"], { type: "language" }).of(locale)?.toLowerCase();
    return ownName === typed || englishName === typed;
  });
}

function progressMessage(state: FlowState, ctx: FlowContext): Prompt {
  if (state.phase === "completed") return completionMessage(ctx);
  if (state.phase !== "task") return { kind: "message", text: key("progress.not_started") };
  return {
    kind: "message",
    text: key("progress.tasks", {
      done: state.taskIndex,
      total: state.assignments.length,
      count: state.assignments.length,
    }),
  };
}
