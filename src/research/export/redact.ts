/**
 * `chorus export --redact`: replaces what could identify or reach a person in
 * participants' free text (rationales) with a typed placeholder, so the text
 * can be published: `[email]`, `[phone]`, `[url]`, `[handle]` (@name) and
 * `[mention]` (Slack mention markup and member ids, Telegram user links).
 * Off by default: the verbatim text is the data, and redaction is a choice
 * made for a public release.
 *
 * The patterns are written for text in any script: the pieces they remove
 * are ASCII (addresses, handles, ids), but digits may be Arabic-Indic,
 * Devanagari or full-width, and the text around them may have no spaces
 * (Japanese), so a match never runs on into the letters that follow.
 * Deliberately greedy where a miss would leak: any run of 7–15 digits with
 * phone-like separators counts as a phone number.
 */

export const REDACTION_KINDS = ["mention", "email", "url", "phone", "handle"] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];
export type RedactionCounts = Record<RedactionKind, number>;

/** Letters that end a URL: CJK and kana are written without spaces, so they cannot be part of one. */
const URL_CHAR = String.raw`(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%()]|(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\u3000-\u303F\uFF00-\uFFEF])[\p{L}\p{M}\p{N}])`;
/** Letters (any script but the unspaced CJK ones) that may stand in an address's local part (RFC 6531). */
const LOCAL_CHAR = String.raw`(?:[A-Za-z0-9._%+-]|(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}])[\p{L}\p{M}])`;
const DIGIT = String.raw`\p{Nd}`;
const PHONE_SEPARATOR = String.raw`[\s.\-\u2010-\u2015\u2212\uFF0D\u30FC()\uFF08\uFF09]`;

/** In the order applied: markup first, so an id inside `<@U…|name>` is one mention, not a handle. */
const PATTERNS: readonly [RedactionKind, RegExp][] = [
  // Slack: <@U123ABC>, <@U123ABC|ana>, <#C123ABC|general>, <!subteam^S123|@team>; Telegram: tg://user?id=123.
  ["mention", /<[@#][A-Z0-9]{6,}(?:\|[^>\n]*)?>|<!subteam\^[A-Z0-9]+(?:\|[^>\n]*)?>|tg:\/\/user\?id=\d+/gu],
  ["email", new RegExp(String.raw`${LOCAL_CHAR}+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}`, "gu")],
  ["url", new RegExp(String.raw`(?:\b(?:https?|ftp|tg):\/\/|\bwww\.)${URL_CHAR}+`, "giu")],
  [
    "phone",
    new RegExp(
      String.raw`(?<![\p{Nd}A-Za-z])(?:[+\uFF0B]${PHONE_SEPARATOR}?)?${DIGIT}(?:${PHONE_SEPARATOR}{0,2}${DIGIT}){6,14}(?![\p{Nd}])`,
      "gu",
    ),
  ],
  // Telegram and most platforms: ASCII letters, digits, underscore (dots inside); not the middle of a word or address.
  ["handle", /(?<![A-Za-z0-9_.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?/gu],
  // A bare Slack member, bot or channel id (U0123ABCD): upper-case letters and at least one digit.
  ["mention", /(?<![A-Za-z0-9])[UWBC](?=[A-Z0-9]*\d)[A-Z0-9]{8,11}(?![A-Za-z0-9])/gu],
];

/** A date written with digits (2026-03-01, 01.02.2026, 1/2/26) looks like a phone number but is not one. */
const DATE = /^(?:\p{Nd}{4}[-./]\p{Nd}{1,2}[-./]\p{Nd}{1,2}|\p{Nd}{1,2}[-./]\p{Nd}{1,2}[-./]\p{Nd}{2,4})$/u;

/** Punctuation that ends a sentence rather than a URL. */
const URL_TRAILING = /[.,;:!?'")\]]+$/u;

export function emptyRedactionCounts(): RedactionCounts {
  return { mention: 0, email: 0, url: 0, phone: 0, handle: 0 };
}

interface Redactor {
  /** The text with every match replaced by `[kind]`; counts each replacement. */
  redact(text: string): string;
  readonly counts: RedactionCounts;
}

export function createRedactor(): Redactor {
  const counts = emptyRedactionCounts();
  return {
    counts,
    redact(text) {
      let result = text;
      for (const [kind, pattern] of PATTERNS) {
        result = result.replace(pattern, (match) => {
          if (kind === "phone" && DATE.test(match)) return match;
          if (kind !== "url") {
            counts[kind]++;
            return `[${kind}]`;
          }
          const trailing = URL_TRAILING.exec(match)?.[0] ?? "";
          counts.url++;
          return `[url]${trailing}`;
        });
      }
      return result;
    },
  };
}

/** What writers apply to participants' free text: identity, or redaction with counts. */
export interface TextFilter {
  (value: unknown): unknown;
  readonly counts: RedactionCounts | null;
}

export function textFilter(redact: boolean): TextFilter {
  if (!redact) return Object.assign((value: unknown) => value, { counts: null });
  const redactor = createRedactor();
  return Object.assign((value: unknown) => (typeof value === "string" ? redactor.redact(value) : value), {
    counts: redactor.counts,
  });
}

/** "3 emails, 1 phone number" (nothing found: "nothing to redact"). */
export function describeRedactions(counts: RedactionCounts): string {
  const names: Record<RedactionKind, [string, string]> = {
    mention: ["mention", "mentions"],
    email: ["email address", "email addresses"],
    url: ["URL", "URLs"],
    phone: ["phone number", "phone numbers"],
    handle: ["@handle", "@handles"],
  };
  const parts = REDACTION_KINDS.filter((kind) => counts[kind] > 0).map(
    (kind) => `${counts[kind]} ${names[kind][counts[kind] === 1 ? 0 : 1]}`,
  );
  return parts.length > 0 ? parts.join(", ") : "nothing to redact";
}
