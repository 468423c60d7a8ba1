import { LABELS, type Label } from "../../core/labels.js";
import { SCRIPT_WEIGHTS } from "../../core/text/measure.js";
import type { WeakOrder } from "./weak-orders.js";

/**
 * Quality flags researchers filter on. Pure rules; the loader feeds them.
 *
 * - speeder: the reading stage (first response shown → ranking started) took
 *   less than `quality.minSecondsPerResponse` per response, i.e.
 *   (reading_done_at − started_at) / 4 below the study threshold.
 * - short rationale: a rationale whose script-weighted letter count (the
 *   same measure the survey validates with) is below `rationale.minLetters`,
 *   e.g. answers kept from before the study raised its minimum.
 * - failed attention check: on a scenario with `attentionCheck`, the world
 *   ranking does not put `best` alone at the top or `worst` alone at the
 *   bottom. The flag is the participant's: all their assessments are suspect.
 * - ranked without opening every response: the card showed one response at
 *   a time ("paged") and at least one was never opened before the first
 *   ranking was confirmed. Unknown (null) for assessments recorded before
 *   cards, which have no layout.
 */

const RESPONSES_PER_SCENARIO = LABELS.length;

export function isSpeeder(readingSeconds: number | null, minSecondsPerResponse: number): boolean {
  if (readingSeconds === null || !Number.isFinite(readingSeconds)) return false;
  return readingSeconds / RESPONSES_PER_SCENARIO < minSecondsPerResponse;
}

/**
 * `layout` and the four opens counts (any order) as stored: false when all
 * four responses were on the card together ("all") or each was opened,
 * true when the layout was "paged" and one was opened 0 times, null when
 * unknown (no layout, or counts missing).
 */
export function rankedWithoutOpeningAll(layout: unknown, opens: readonly unknown[]): boolean | null {
  if (layout === "all") return false;
  if (layout !== "paged") return null;
  if (opens.some((count) => count === 0)) return true;
  return opens.length === RESPONSES_PER_SCENARIO && opens.every((count) => typeof count === "number") ? false : null;
}

export interface AttentionCheck {
  best?: Label;
  worst?: Label;
}

export function failsAttentionCheck(order: WeakOrder, check: AttentionCheck): boolean {
  const rank = (label: Label) => order.ranks[LABELS.indexOf(label)] as number;
  if (check.best) {
    const best = rank(check.best);
    if (LABELS.some((label) => label !== check.best && rank(label) <= best)) return true;
  }
  if (check.worst) {
    const worst = rank(check.worst);
    if (LABELS.some((label) => label !== check.worst && rank(label) >= worst)) return true;
  }
  return false;
}

/** True when `text` holds at least `count` ASCII letters or digits (each is its own letter cluster). */
function asciiAlphanumericAtLeast(text: string, count: number): boolean {
  if (count <= 0) return true;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      if (++seen >= count) return true;
    }
  }
  return false;
}

const LETTER = /\p{L}|\p{N}/u;
let segmenter: Intl.Segmenter | undefined;

/**
 * Whether the survey's measure of `text` (core/text/measure.ts: letters and
 * digits by grapheme cluster, weighted per script) reaches `min`. The same
 * rule as `weightedLetterCount`, but it stops segmenting as soon as the
 * minimum is reached, which on a valid rationale is within its first words.
 */
export function weightedLettersAtLeast(text: string, min: number): boolean {
  if (asciiAlphanumericAtLeast(text, min)) return true;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let count = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (!LETTER.test(segment)) continue;
    count += SCRIPT_WEIGHTS.find(([script]) => script.test(segment))?.[1] ?? 1;
    if (count >= min) return true;
  }
  return count >= min;
}

/**
 * Decides "below the minimum" from the start of a rationale where it can: a
 * prefix never counts more than the whole text, so a prefix that reaches the
 * minimum settles it. Returns undefined when the whole text is needed
 * (`complete` false and the prefix fell short).
 */
export function rationaleBelowMinimumFromPrefix(
  prefix: string,
  complete: boolean,
  minLetters: number,
): boolean | undefined {
  if (weightedLettersAtLeast(prefix, minLetters)) return false;
  return complete ? true : undefined;
}

export function rationaleBelowMinimum(text: string, minLetters: number): boolean {
  return !weightedLettersAtLeast(text, minLetters);
}
