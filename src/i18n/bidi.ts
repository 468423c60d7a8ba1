/**
 * Right-to-left text with left-to-right pieces in it.
 *
 * An Arabic sentence that mentions "/withdraw", a response letter, "2/4" or
 * "B > A = C > D" is displayed by the Unicode bidirectional algorithm, which
 * reorders the neutral characters around such pieces: "/withdraw" can show as
 * "withdraw/" and "B > A" as "A < B". Wrapping each left-to-right piece in a
 * directional isolate (LRI … PDI, or FSI … PDI when its direction is unknown)
 * keeps it intact and in its place. Isolates are invisible and are supported by
 * Telegram, Slack and bidi-capable terminals; where they are not, they show as
 * nothing.
 *
 * Only UI text is changed. Verbatim texts (AI responses, the participant's own
 * words) shown on their own are never touched; when they are interpolated into
 * an RTL sentence they are isolated as a whole, not altered.
 */

export const LRI = "\u2066";
const RLI = "\u2067";
export const FSI = "\u2068";
export const PDI = "\u2069";
/** Every bidi control character (marks, embeddings, overrides, isolates). */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const RTL_LANGUAGES = new Set(["ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"]);
const RTL_SCRIPTS = new Set(["Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"]);

const rtlByLocale = new Map<string, boolean>();

/** Whether a locale is written right to left ("ar", "ar-EG", "ur", "ku-Arab"). */
export function isRtlLocale(locale: string): boolean {
  let rtl = rtlByLocale.get(locale);
  if (rtl === undefined) {
    rtl = scriptIsRtl(locale);
    rtlByLocale.set(locale, rtl);
  }
  return rtl;
}

function scriptIsRtl(locale: string): boolean {
  try {
    const parsed = new Intl.Locale(locale).maximize();
    if (parsed.script) return RTL_SCRIPTS.has(parsed.script);
    return RTL_LANGUAGES.has(parsed.language);
  } catch {
    return RTL_LANGUAGES.has(locale.split(/[-_]/)[0]?.toLowerCase() ?? "");
  }
}

/** The text without any bidi control characters (for comparisons and logs). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}

/**
 * Wraps a piece in an isolate: "ltr" for codes, letters and numbers, "auto"
 * (first strong character decides) for text of unknown language. Each line
 * is isolated on its own, since a line break ends every isolate.
 */
export function isolate(text: string, direction: "ltr" | "rtl" | "auto" = "auto"): string {
  const open = direction === "ltr" ? LRI : direction === "rtl" ? RLI : FSI;
  return text
    .split("\n")
    .map((line) => (line.length === 0 ? line : `${open}${line}${PDI}`))
    .join("\n");
}

/** For adapters: a left-to-right piece (a letter, number, command, code) made safe to embed in `locale`'s text. */
export function embedLtr(locale: string, piece: string | number): string {
  const text = String(piece);
  return isRtlLocale(locale) ? isolate(text, "ltr") : text;
}

/** Letters of right-to-left scripts, with the characters they share (the Arabic tatweel, Arabic-Indic digits). */
const STRONG_RTL =
  /[\p{Script_Extensions=Arabic}\p{Script_Extensions=Hebrew}\p{Script_Extensions=Syriac}\p{Script_Extensions=Thaana}\p{Script_Extensions=Nko}\p{Script_Extensions=Adlam}]/u;
const MARK = /\p{M}/u;
const STRONG_LTR = /\p{L}/u;
const DIGIT = /[0-9]/;
/** Leading characters that belong to the piece that follows: "/help", "#3", "@bot", "+1", "-2". */
const LEADING = /[/#@+-]/;
const PLACEHOLDER = /\{\{[^{}]+\}\}/y;

type Token = { kind: "ltr" | "rtl" | "neutral" | "placeholder"; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    PLACEHOLDER.lastIndex = index;
    const placeholder = PLACEHOLDER.exec(text);
    if (placeholder) {
      tokens.push({ kind: "placeholder", text: placeholder[0] });
      index += placeholder[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index) ?? 0);
    const previous = tokens[tokens.length - 1];
    if (MARK.test(char) && previous && previous.kind !== "placeholder") {
      // A combining mark stays with its base character.
      previous.text += char;
      index += char.length;
      continue;
    }
    const kind = STRONG_RTL.test(char) ? "rtl" : STRONG_LTR.test(char) || DIGIT.test(char) ? "ltr" : "neutral";
    tokens.push({ kind, text: char });
    index += char.length;
  }
  return tokens;
}

/**
 * In right-to-left UI text (a translation template or a study text), wraps
 * every run of left-to-right pieces in LRI … PDI: a run starts at a Latin
 * letter, a digit or an {{interpolation}} (with a leading "/", "#", "@", "+"
 * or "-"), and goes on through spaces and punctuation as long as more
 * left-to-right pieces follow before any right-to-left letter. A lone
 * {{interpolation}} is left for the renderer, which isolates the value itself.
 * Lines with no right-to-left letter (an English passage in an Arabic text)
 * are returned unchanged: they are left-to-right paragraphs of their own.
 */
export function isolateLtrRuns(text: string): string {
  if (!STRONG_RTL.test(text)) return text;
  return text.split("\n").map(isolateLineRuns).join("\n");
}

/** One line; a line with no right-to-left letter is a left-to-right paragraph of its own and is left alone. */
function isolateLineRuns(line: string): string {
  if (!STRONG_RTL.test(line)) return line;
  const tokens = tokenize(line);
  let out = "";
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] as Token;
    const startsRun =
      token.kind === "ltr" ||
      token.kind === "placeholder" ||
      (token.kind === "neutral" &&
        LEADING.test(token.text) &&
        (tokens[index + 1]?.kind === "ltr" || tokens[index + 1]?.kind === "placeholder"));
    if (!startsRun) {
      out += token.text;
      index++;
      continue;
    }
    let end = index;
    for (let next = index + 1; next < tokens.length; next++) {
      const kind = tokens[next]?.kind;
      if (kind === "rtl") break;
      if (kind === "ltr" || kind === "placeholder") end = next;
    }
    const run = tokens.slice(index, end + 1);
    const piece = run.map((part) => part.text).join("");
    const lonePlaceholder = run.length === 1 && token.kind === "placeholder";
    out += lonePlaceholder ? piece : `${LRI}${piece}${PDI}`;
    index = end + 1;
  }
  return out;
}
