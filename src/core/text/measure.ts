/**
 * Script-aware length of free text, so a rationale minimum is fair across
 * writing systems: a Japanese or Chinese character carries roughly what a
 * short Latin word does, and a Hindi syllable is one grapheme cluster made
 * of several code points.
 */

/** Scripts whose characters are logographic or syllabic and so count for more than one letter. */
const DENSE_SCRIPT = /\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}|\p{Script=Yi}/u;
/** One Han/Kana character ≈ three Latin letters (the ratio of translated text lengths). */
export const DENSE_SCRIPT_WEIGHT = 3;
const LETTER = /\p{L}|\p{N}/u;

let segmenter: Intl.Segmenter | undefined;
function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/**
 * Weighted count of letters and digits, by grapheme cluster (so a Devanagari
 * syllable with its vowel sign is one), dense-script clusters weighted ×3.
 * Spaces, punctuation and emoji count for nothing.
 */
export function weightedLetterCount(text: string): number {
  // Plain ASCII (most rationales) needs no segmentation: one letter per character.
  if (/^[\x00-\x7F]*$/.test(text)) return text.replace(/[^A-Za-z0-9]/g, "").length;
  let count = 0;
  for (const cluster of graphemes(text)) {
    if (!LETTER.test(cluster)) continue;
    count += DENSE_SCRIPT.test(cluster) ? DENSE_SCRIPT_WEIGHT : 1;
  }
  return count;
}

/** Length in Unicode code points, the unit of every maximum Chorus names to participants. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export type TextProblem =
  | { problem: "empty" }
  | { problem: "too_short"; min: number }
  | { problem: "too_long"; max: number };

export function checkFreeText(text: string, limits: { minLetters: number; maxChars: number }): TextProblem | null {
  if (text.trim().length === 0) return { problem: "empty" };
  if (characterCount(text) > limits.maxChars) return { problem: "too_long", max: limits.maxChars };
  if (weightedLetterCount(text) < limits.minLetters) return { problem: "too_short", min: limits.minLetters };
  return null;
}
