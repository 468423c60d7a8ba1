import { matchPlaceByName } from "../profile/places.js";
import { planAssignments } from "../study/assignment.js";
import { quotaCell, quotaTarget } from "../study/quota.js";
import type { ProfileQuestion } from "../study/schema.js";
import type { FlowContext, Transition } from "./context.js";
import type { Effect } from "./effects.js";
import type { Input } from "./inputs.js";
import { pickLocale } from "./locale-choice.js";
import { advanced, notice, reask } from "./outcomes.js";
import { currentProfileQuestion, TYPED_ANSWER_MAX } from "./render.js";
import type { FlowState } from "./state.js";
import { beginTask } from "./task.js";

/** language → consent → screening → profile → quota check → briefing. */
export function onboardingTransition(state: FlowState, input: Input, ctx: FlowContext): Transition {
  switch (state.phase) {
    case "language":
      return languageAnswer(state, input, ctx);
    case "consent":
      return consentAnswer(state, input, ctx);
    case "screening":
      return screeningAnswer(state, input, ctx);
    case "profile":
      return profileAnswer(state, input, ctx);
    case "briefing":
      return briefingAnswer(state, input, ctx);
    default:
      throw new Error(`onboarding has no phase ${state.phase}`);
  }
}

function languageAnswer(state: FlowState, input: Input, ctx: FlowContext): Transition {
  const locale = pickLocale(input, ctx);
  if (!locale) return reask(state, ctx, input.kind === "choice" ? "errors.invalid_choice" : "language.unknown");
  return advanced(
    { ...state, locale, phase: "consent", phaseStartedAt: ctx.now },
    ctx,
    [],
    [{ type: "locale_set", locale }],
  );
}

function consentAnswer(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  const consentVersion = ctx.study.consent.version;
  if (input.choice === "no") {
    return advanced(
      { ...state, phase: "declined", phaseStartedAt: ctx.now, profile: {} },
      ctx,
      [],
      [
        { type: "consent_declined", consentVersion, at: ctx.now },
        { type: "status_changed", status: "declined", at: ctx.now },
      ],
    );
  }
  if (input.choice !== "yes") return reask(state, ctx, "errors.invalid_choice");
  const effects: Effect[] = [
    { type: "consent_given", consentVersion, at: ctx.now },
    { type: "status_changed", status: "active", at: ctx.now },
  ];
  const next: FlowState =
    ctx.study.screening.length > 0
      ? { ...state, phase: "screening", questionIndex: 0, phaseStartedAt: ctx.now }
      : enterProfile(state, ctx);
  return continueOnboarding(next, ctx, effects);
}

function screeningAnswer(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  const item = ctx.study.screening[state.questionIndex];
  if (!item) throw new Error("screening index out of range");
  if (!item.options.some((option) => option.id === input.choice)) return reask(state, ctx, "errors.invalid_choice");
  const passed = input.choice === item.correct;
  const effects: Effect[] = [
    { type: "screening_answered", questionId: item.id, optionId: input.choice, passed, at: ctx.now },
  ];
  if (!passed) {
    effects.push({ type: "status_changed", status: "screened_out", at: ctx.now });
    return advanced({ ...state, phase: "screened_out", phaseStartedAt: ctx.now }, ctx, [], effects);
  }
  const nextIndex = state.questionIndex + 1;
  const next =
    nextIndex < ctx.study.screening.length ? { ...state, questionIndex: nextIndex } : enterProfile(state, ctx);
  return continueOnboarding(next, ctx, effects);
}

function enterProfile(state: FlowState, ctx: FlowContext): FlowState {
  return { ...state, phase: "profile", questionIndex: 0, typingAnswer: false, phaseStartedAt: ctx.now };
}

function profileAnswer(state: FlowState, input: Input, ctx: FlowContext): Transition {
  const item = currentProfileQuestion(state, ctx);
  if (state.placeSuggestion !== undefined && input.kind === "choice") {
    return suggestionAnswer(state, input.choice, state.placeSuggestion, item, ctx);
  }
  let value: string | null;
  if (input.kind === "choice") {
    if (input.choice === "pnts") value = null;
    else if (input.choice === "other" && item.kind !== "choice") {
      return advanced({ ...state, typingAnswer: true }, ctx);
    } else if (item.options.some((option) => option.id === input.choice)) value = input.choice;
    else return reask(state, ctx, "errors.invalid_choice");
  } else if (input.kind === "text" && item.kind !== "choice") {
    if (input.text.length > TYPED_ANSWER_MAX) return reask(state, ctx, "errors.too_long", { max: TYPED_ANSWER_MAX });
    const match = (ctx.matchPlace ?? matchPlaceByName)(item.kind, input.text, [state.locale, ...ctx.locales]);
    const unknown = item.kind === "language" ? "profile.unknown_language" : "profile.unknown_country";
    if (!match) {
      // A pending "Did you mean …?" no longer applies to what was typed since.
      if (state.placeSuggestion === undefined) return reask(state, ctx, unknown);
      return advanced({ ...withoutSuggestion(state), typingAnswer: true }, ctx, [notice(unknown)]);
    }
    if (!match.exact) return advanced({ ...state, typingAnswer: true, placeSuggestion: match.code }, ctx);
    value = match.code;
  } else {
    return reask(state, ctx, "errors.use_buttons");
  }
  return profileAnswered(state, item, value, ctx);
}

/** The answer to "Did you mean Kenya?": yes, type it again, or prefer not to say. */
function suggestionAnswer(
  state: FlowState,
  choice: string,
  suggestion: string,
  item: ProfileQuestion,
  ctx: FlowContext,
): Transition {
  if (choice === "yes") return profileAnswered(state, item, suggestion, ctx);
  if (choice === "pnts") return profileAnswered(state, item, null, ctx);
  if (choice === "retype") return advanced({ ...withoutSuggestion(state), typingAnswer: true }, ctx);
  return reask(state, ctx, "errors.invalid_choice");
}

function withoutSuggestion(state: FlowState): FlowState {
  const { placeSuggestion: _answered, ...rest } = state;
  return rest;
}

function profileAnswered(state: FlowState, item: ProfileQuestion, value: string | null, ctx: FlowContext): Transition {
  const effects: Effect[] = [{ type: "profile_answered", questionId: item.id, value, at: ctx.now }];
  const answered = {
    ...withoutSuggestion(state),
    profile: { ...state.profile, [item.id]: value },
    typingAnswer: false,
  };
  const nextIndex = state.questionIndex + 1;
  if (nextIndex < ctx.study.profile.length) {
    return advanced({ ...answered, questionIndex: nextIndex }, ctx, [], effects);
  }
  return continueOnboarding(answered, ctx, effects, true);
}

/**
 * Moves on, skipping empty phases: a study without screening goes straight
 * to the profile, one without profile questions straight to the quota check.
 */
function continueOnboarding(state: FlowState, ctx: FlowContext, effects: Effect[], profileDone = false): Transition {
  if (!profileDone && !(state.phase === "profile" && ctx.study.profile.length === 0)) {
    return advanced(state, ctx, [], effects);
  }
  // The quota check is the profile's only use in the state (the answers are stored on their own):
  // the state every later input rewrites leaves it out from here on.
  const checked: FlowState = { ...state, profile: {} };
  const quota = ctx.study.quota;
  if (quota) {
    const cell = quotaCell(quota, state.profile);
    const target = quotaTarget(quota, cell);
    if (target !== undefined && ctx.quotaCount(cell) >= target) {
      effects.push({ type: "status_changed", status: "quota_full", at: ctx.now });
      return advanced({ ...checked, phase: "quota_full", phaseStartedAt: ctx.now }, ctx, [], effects);
    }
  }
  effects.push({ type: "admitted", at: ctx.now });
  const assignments = planAssignments(ctx.study, {
    counts: ctx.assessmentCounts(),
    alreadyAssigned: ctx.assignedScenarioIds(),
    previousTasks: 0,
    random: ctx.random,
  });
  if (assignments.length === 0) {
    return advanced({ ...checked, phase: "no_scenarios", phaseStartedAt: ctx.now }, ctx, [], effects);
  }
  effects.push({ type: "assignments_created", assignments, at: ctx.now });
  return advanced(
    { ...checked, phase: "briefing", assignments, taskIndex: 0, phaseStartedAt: ctx.now },
    ctx,
    [],
    effects,
  );
}

function briefingAnswer(state: FlowState, input: Input, ctx: FlowContext): Transition {
  if (input.kind !== "choice") return reask(state, ctx, "errors.use_buttons");
  if (input.choice !== "go") return reask(state, ctx, "errors.invalid_choice");
  return beginTask({ ...state, phase: "task", phaseStartedAt: ctx.now }, 0, ctx, []);
}
