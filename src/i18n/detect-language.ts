/**
 * Rationale language detection: which language did the participant write in?
 *
 * Two maintained detectors, each for what it does best:
 * - eld (Nito-ELD): the most accurate on short text of the JavaScript
 *   detectors, but its 60 languages lack Afrikaans, isiZulu and Swahili.
 * - franc (wooorm): 187 languages including those three (and isiXhosa,
 *   Sesotho, Setswana…), weaker on short text (it reads short Dutch as
 *   Afrikaans and short Portuguese as Galician).
 *
 * eld answers first. When eld is not confident (the text is in a language
 * it does not know), franc answers among the languages that have an ISO
 * 639-1 code. eld reads Afrikaans as Dutch, so a Dutch verdict is checked
 * against the function words and spellings that tell the two apart.
 *
 * The confidence is a 0–1 score, not a probability: 1 means the detector
 * saw a text typical of the language and clearly apart from the runner-up;
 * below about 0.5 the language is a guess worth checking by hand.
 */
import type { LanguageDetector } from "../core/ports.js";
import { weightedLetterCount } from "../core/text/measure.js";

/** eld's database sizes: larger is a little more accurate and much heavier (XS ≈ 90 MB RSS, L ≈ 400 MB). */
type EldSize = "extrasmall" | "small" | "medium" | "large";

interface LanguageDetectorOptions {
  /** eld database; default "extrasmall" (same verdicts as "large" on our rationale tests at a fifth of the memory). */
  eldSize?: EldSize;
}

/** Fewer weighted letters than this and no language is claimed. */
const MIN_LETTERS_TO_DETECT = 8;

interface EldResult {
  language: string;
  getScores(): Record<string, number>;
  isReliable(thresholdRatio?: number): boolean;
}

/**
 * Loads both detectors' data (once, at start-up; no work at import time) and
 * returns a synchronous detector for the engine.
 */
export async function createLanguageDetector(options: LanguageDetectorOptions = {}): Promise<LanguageDetector> {
  const { eld } = await import("eld");
  const detector = eld.newInstance() as typeof eld & { load(size: string): Promise<unknown> };
  await detector.load(options.eldSize ?? "extrasmall");
  const { francAll } = await import("franc");
  const { data } = await import("franc/data.js");
  const { expressions } = await import("franc/expressions.js");
  const francLanguages = [
    ...Object.values(data).flatMap((byScript) => Object.keys(byScript)),
    ...Object.keys(expressions),
  ];
  const only = francLanguages.filter((code) => iso6391(code) !== null);

  return (text) => {
    const cleaned = textForDetection(text);
    if (weightedLetterCount(cleaned) < MIN_LETTERS_TO_DETECT) return null;
    const result = detector.detect(cleaned) as EldResult;
    if (result.language && result.isReliable()) {
      const confidence = eldConfidence(result);
      return result.language === "nl"
        ? dutchOrAfrikaans(cleaned, confidence)
        : { language: result.language, confidence };
    }
    const ranked = francAll(cleaned, { only, minLength: 1 });
    const [best, second] = ranked;
    const language = best && best[0] !== "und" ? iso6391(best[0]) : null;
    if (!language || !best) return null;
    return { language, confidence: round(francConfidence(best[1], second?.[1] ?? 0)) };
  };
}

/**
 * Removes what says nothing about the language: links, addresses, response
 * letters and rankings ("B > A = C > D", "回答Bは"), digits.
 */
export function textForDetection(text: string): string {
  return text
    .replace(/\bhttps?:\/\/\S+|\S+@\S+\.\S+/g, " ")
    .replace(/(?<![\p{Script=Latin}\p{M}])[A-D](?![\p{Script=Latin}\p{M}])/gu, " ")
    .replace(/[\d>=<]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** ISO 639-3 (franc) → ISO 639-1, via the runtime's CLDR aliases; null when there is no two-letter code. */
export function iso6391(code: string): string | null {
  if (code === "tgl") return "tl";
  try {
    const canonical = Intl.getCanonicalLocales(code)[0];
    return canonical && /^[a-z]{2}$/.test(canonical) ? canonical : null;
  } catch {
    return null;
  }
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));
const round = (value: number) => Math.round(value * 100) / 100;

/**
 * eld's own reliability test compares the top score with that language's
 * average score (× 0.75 by default). The largest ratio at which the result
 * still counts as reliable is how typical the text is of the language.
 */
function eldConfidence(result: EldResult): number {
  let low = 0;
  let high = 1.5;
  for (let i = 0; i < 10; i++) {
    const middle = (low + high) / 2;
    if (result.isReliable(middle)) low = middle;
    else high = middle;
  }
  const typical = clamp01((low - 0.5) / 0.5);
  const scores = Object.values(result.getScores()).sort((a, b) => b - a);
  const margin = (scores[0] ?? 0) - (scores[1] ?? 0);
  return round(typical * (0.5 + 0.5 * clamp01(margin / 0.1)));
}

/** franc's scores are relative to the best (1); the gap to the runner-up decides, capped below eld's certainty. */
function francConfidence(best: number, second: number): number {
  const margin = best > 0 ? (best - second) / best : 0;
  return 0.3 + 0.55 * clamp01(margin / 0.15);
}

/** Words and spellings frequent in one of the two languages and rare in the other. */
const AFRIKAANS_WORDS = new Set("die nie ek jy julle hulle vir baie hierdie daardie sal gee sy se sê".split(" "));
const DUTCH_WORDS = new Set("de een niet ik jij je hij zij wij ze voor deze heb hebben naar wordt".split(" "));
/** Dutch "ij", "sch", initial "z" and -en endings; Afrikaans writes y, sk, s and mostly drops -en. */
const DUTCH_SPELLING = /ij|sch|\bz|\w{2}en\b/gu;
const AFRIKAANS_SPELLING = /[êëôû]|'n\b/gu;

/** eld knows Dutch but not Afrikaans; a vote of telling words separates them. */
export function dutchOrAfrikaans(text: string, confidence: number): { language: string; confidence: number } {
  const words = text.toLowerCase().match(/'n|[\p{L}']+/gu) ?? [];
  let afrikaans = words.filter((word) => AFRIKAANS_WORDS.has(word)).length;
  let dutch = words.filter((word) => DUTCH_WORDS.has(word)).length;
  afrikaans += (text.toLowerCase().match(AFRIKAANS_SPELLING) ?? []).length;
  dutch += (text.toLowerCase().match(DUTCH_SPELLING) ?? []).length / 2;
  const total = afrikaans + dutch;
  const share = total === 0 ? 0 : Math.abs(afrikaans - dutch) / total;
  return {
    language: afrikaans > dutch ? "af" : "nl",
    confidence: round(confidence * (0.5 + 0.5 * share)),
  };
}
