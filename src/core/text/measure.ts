/**
 * Script-aware length of free text, so a rationale minimum is fair across
 * writing systems: a Japanese or Chinese character carries roughly what a
 * short Latin word does, a Hindi syllable is one grapheme cluster made of
 * several code points, and Arabic leaves its short vowels unwritten.
 */

/**
 * Latin letters one grapheme cluster of a script stands for, from the length
 * of the same rationale written in English and in each language (tests in
 * tests/i18n/measure.test.ts): with these weights a translation counts within
 * about ±15% of its English original, where counting clusters alone gave
 * Hindi 0.6× and Japanese (at ×3 for every character) up to 2×.
 */
export const SCRIPT_WEIGHTS: ReadonlyArray<readonly [script: RegExp, weight: number]> = [
  [/\p{Script=Han}/u, 3],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, 1.5],
  [/\p{Script=Hangul}/u, 2.5],
  [/[\p{Script=Yi}\p{Script=Ethiopic}]/u, 2],
  [
    /[\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]/u,
    1.6,
  ],
  [/[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}]/u, 1.2],
];
const LETTER = /\p{L}|\p{N}/u;

let segmenter: Intl.Segmenter | undefined;
function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

function clusterWeight(cluster: string): number {
  for (const [script, weight] of SCRIPT_WEIGHTS) if (script.test(cluster)) return weight;
  return 1;
}

/**
 * Weighted count of letters and digits, by grapheme cluster (so a Devanagari
 * syllable with its vowel sign is one), each cluster weighted by its script
 * (SCRIPT_WEIGHTS; Latin, Cyrillic, Greek and the rest count 1). Spaces,
 * punctuation and emoji count for nothing.
 */
export function weightedLetterCount(text: string): number {
  // Plain ASCII (most rationales) needs no segmentation: one letter per character.
  if (!/[^ -~\s]/.test(text)) return text.replace(/[^A-Za-z0-9]/g, "").length;
  let count = 0;
  for (const cluster of graphemes(text)) {
    if (LETTER.test(cluster)) count += clusterWeight(cluster);
  }
  return count;
}

/** Length in Unicode code points, the unit of every maximum Chorus names to participants. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

type TextProblem = { problem: "empty" } | { problem: "too_short"; min: number } | { problem: "too_long"; max: number };

export function checkFreeText(text: string, limits: { minLetters: number; maxChars: number }): TextProblem | null {
  if (text.trim().length === 0) return { problem: "empty" };
  if (characterCount(text) > limits.maxChars) return { problem: "too_long", max: limits.maxChars };
  if (weightedLetterCount(text) < limits.minLetters) return { problem: "too_short", min: limits.minLetters };
  return null;
}
