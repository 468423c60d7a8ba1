import type { FlowContext, Transition } from "./context.js";
import type { Effect } from "./effects.js";
import type { CardField } from "./inputs.js";
import { key, type Prompt, type TextParam } from "./prompts.js";
import { currentPrompts } from "./render.js";
import type { FlowState } from "./state.js";

/**
 * The three ways a transition ends, shared by every phase: nothing changed,
 * the state moved on (a new step), or the input is refused and the step asked again.
 */
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
): Transition {
  const next = { ...state, step: state.step + 1 };
  return { state: next, prompts: [...before, ...currentPrompts(next, ctx)], effects };
}

export function notice(textKey: string, params?: Record<string, TextParam>, field?: CardField): NoticePrompt {
  return { kind: "notice", text: key(textKey, params), ...(field ? { field } : {}) };
}
type NoticePrompt = Extract<Prompt, { kind: "notice" }>;

/** Re-ask: a remark about the input, then the current prompts again with the same step. */
export function reask(
  state: FlowState,
  ctx: FlowContext,
  textKey: string,
  params?: Record<string, TextParam>,
): Transition {
  return unchanged(state, [notice(textKey, params), ...currentPrompts(state, ctx)]);
}
