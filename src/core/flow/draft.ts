import { characterCount } from "../text/measure.js";
import type { FlowContext } from "./context.js";
import type { Input } from "./inputs.js";
import type { TextParam } from "./prompts.js";
import type { Draft } from "./state.js";

/** An identical message this soon after the last part is the same message sent twice. */
export const REPEAT_WINDOW_SECONDS = 10;

export type DraftOutcome =
  /** The text was added: the new draft. */
  | { kind: "draft"; draft: Draft }
  /** A repeat of the last part: nothing to do, nothing to say. */
  | { kind: "ignored" }
  /** Not added, with the reason to tell the participant. */
  | { kind: "refused"; textKey: string; params?: Record<string, TextParam> }
  | { kind: "cleared" }
  | { kind: "done" }
  /** A choice that is not Done or Start again. */
  | { kind: "other" };

/**
 * The whole text of a draft. Parts are joined by a line break, except after a
 * part exactly as long as the platform's split length: the app cut one long
 * message there, and the next part continues it mid-word.
 */
export function joinDraft(draft: Pick<Draft, "parts">, splitChars?: number): string {
  let text = "";
  draft.parts.forEach((part, index) => {
    if (index > 0) text += splitChars !== undefined && draft.parts[index - 1]?.length === splitChars ? "" : "\n";
    text += part;
  });
  return text;
}

/**
 * What a participant's input does to a free-text answer being collected: text
 * is appended (the maximum applies to the whole), Done and Start again are
 * the two buttons, media without text is refused with a reason.
 */
export function takeDraftInput(draft: Draft | undefined, input: Input, ctx: FlowContext): DraftOutcome {
  if (input.kind === "media") return { kind: "refused", textKey: "rationale.type_it" };
  if (input.kind === "choice") {
    if (input.choice === "done") return { kind: "done" };
    if (input.choice === "clear") return { kind: "cleared" };
    return { kind: "other" };
  }
  if (input.kind !== "text") return { kind: "other" };
  if (input.text.trim() === "") return { kind: "refused", textKey: "rationale.empty" };
  const last = draft?.parts[draft.parts.length - 1];
  if (draft && last === input.text && secondsBetween(draft.lastAt, ctx.now) < REPEAT_WINDOW_SECONDS) {
    return { kind: "ignored" };
  }
  const parts = [...(draft?.parts ?? []), input.text];
  const max = ctx.study.rationale.maxChars;
  const length = characterCount(joinDraft({ parts }, ctx.surface?.splitChars));
  if (length > max) return { kind: "refused", textKey: "rationale.too_long_total", params: { max, length } };
  return { kind: "draft", draft: { parts, lastAt: ctx.now, fromCaption: input.fromCaption === true } };
}

function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}
