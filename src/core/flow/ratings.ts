import type { PromptRating } from "../study/schema.js";
import type { FlowContext } from "./context.js";
import type { FlowState, TaskProgress } from "./state.js";

/** The prompt ratings this task's form asks. */
export function ratingsAsked(state: FlowState, ctx: FlowContext): PromptRating[] {
  const form = state.assignments[state.taskIndex]?.form ?? "short";
  return ctx.study.promptRatings.filter((question) => question.forms.includes(form));
}

/** The first prompt rating of this task not answered yet. */
export function nextRating(state: FlowState, task: TaskProgress, ctx: FlowContext): PromptRating | undefined {
  return ratingsAsked(state, ctx).find((question) => task.ratings[question.id] === undefined);
}
