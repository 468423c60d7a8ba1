import { isCommandName } from "./commands.js";
import type { FlowContext, Transition } from "./context.js";
import type { Input } from "./inputs.js";
import { pickLocale } from "./locale-choice.js";
import { myDataPrompts } from "./mydata.js";
import { onboardingTransition } from "./onboarding.js";
import { advanced, notice, reask, unchanged } from "./outcomes.js";
import { key, type Prompt, parseReadChoice } from "./prompts.js";
import { completionMessage, currentPrompts } from "./render.js";
import { FINAL_PHASES, FLOW_STATE_VERSION, type FlowState, type Phase } from "./state.js";
import { openResponse, startMoreTasks, taskTransition } from "./task.js";

/** A fresh state for a newcomer: the journey begins with the language. */
export function initialState(studyId: string, locale: string, now: string): FlowState {
  return {
    schemaVersion: FLOW_STATE_VERSION,
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

/**
 * The whole survey as one pure function: (state, input, context) → (state, prompts, effects).
 * Commands work in every phase; a choice made for another step is stale and changes nothing.
 */
export function transition(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind === "command") return commandTransition(state, input.name, ctx);
  if (input.kind === "start") return startTransition(state, ctx);
  // Paused first: whatever they pressed, they learn how to go on.
  if (state.paused) return pausedInput(state, input, ctx);
  const read =
    input.kind === "choice" && !state.confirming && !state.changingLanguage ? parseReadChoice(input.choice) : undefined;
  if (read) return openResponse(state, read, ctx);
  const answersStep = "step" in input ? input.step : undefined;
  // Out of date: say so, and show where they are now, so an old message is never a dead end.
  if (answersStep !== undefined && answersStep !== state.step) return reask(state, ctx, "errors.stale");

  if (state.confirming === "withdraw") return withdrawConfirmation(state, input, ctx);
  if (state.changingLanguage) return languageChange(state, input, ctx);
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

function pausedInput(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind === "choice" && input.choice === "resume" && input.step === state.step) return resume(state, ctx);
  return unchanged(state, [notice("pause.still_paused"), ...currentPrompts(state, ctx)]);
}

function resume(state: FlowState, ctx: FlowContext): Transition {
  return advanced(
    { ...state, paused: false },
    ctx,
    [{ kind: "message", text: key("pause.resumed") }],
    [{ type: "status_changed", status: "active", at: ctx.now }],
  );
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
    // The answer, then the current step again: a command never leaves them without the buttons.
    case "progress":
      return unchanged(state, [progressMessage(state, ctx), ...promptsAfterCommand(state, ctx)]);
    case "mydata":
      return unchanged(state, [...myDataPrompts(state, ctx), ...promptsAfterCommand(state, ctx)]);
    case "language":
      return advanced({ ...state, changingLanguage: true }, ctx);
    case "pause":
      if (state.paused || FINAL_PHASES.includes(state.phase)) return unchanged(state, currentPrompts(state, ctx));
      return advanced({ ...state, paused: true }, ctx, [], [{ type: "status_changed", status: "paused", at: ctx.now }]);
    case "resume":
      if (!state.paused) return unchanged(state, currentPrompts(state, ctx));
      return resume(state, ctx);
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

/** Final phases show only a message, which the command's answer already replaces. */
function promptsAfterCommand(state: FlowState, ctx: FlowContext): Prompt[] {
  return FINAL_PHASES.includes(state.phase) && !state.confirming ? [] : currentPrompts(state, ctx);
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
