/**
 * How a platform breaks a text longer than it takes into pieces (messages,
 * pages, blocks). Lengths are UTF-16 code units, what JavaScript's `length`
 * counts and never fewer than what Telegram or Slack count.
 */
export interface SplitRules {
  /** Where to break, best first; a break is taken only in the second half of a piece. */
  breaks: readonly RegExp[];
  /**
   * "drop": the text a break matched is left out (pieces sent as separate
   * messages need no blank line at either end). "keep": it ends the piece,
   * so the pieces joined give the text back.
   */
  separator: "drop" | "keep";
  /** Leave out pieces that are only whitespace (Slack refuses an empty section). */
  dropBlank: boolean;
}

/**
 * Splits `text` into pieces of at most `limit` code units, never cutting it
 * short: at the first of `rules.breaks` found in the second half of the
 * piece; only a text with none of them there is broken mid-word, and never
 * inside a surrogate pair. An empty text is one empty piece, unless blank
 * pieces are dropped.
 */
export function splitText(text: string, limit: number, rules: SplitRules): string[] {
  if (limit < 2) throw new RangeError("limit must be at least 2");
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const { end, next } = breakPoint(rest, limit, rules);
    pieces.push(rest.slice(0, end));
    rest = rest.slice(next);
  }
  if (rest !== "" || pieces.length === 0) pieces.push(rest);
  return rules.dropBlank ? pieces.filter((piece) => piece.trim() !== "") : pieces;
}

/** Where the first piece of `text` ends, and where the rest starts (after a dropped separator). */
function breakPoint(text: string, limit: number, rules: SplitRules): { end: number; next: number } {
  const keep = rules.separator === "keep";
  // A dropped separator may begin right at the limit: the piece before it still fits.
  const window = text.slice(0, keep ? limit : limit + 1);
  const floor = Math.floor(limit / 2);
  for (const pattern of rules.breaks) {
    let best: { end: number; next: number } | undefined;
    for (const { start, stop } of matchesOf(pattern, window)) {
      const end = keep ? stop : start;
      if (end >= floor && end <= limit && (!best || end > best.end)) best = { end, next: stop };
    }
    if (best) return best;
  }
  const code = text.charCodeAt(limit - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
  return { end, next: end };
}

/** Every match of `pattern` in `text`, overlapping ones included ("\n\n\n" holds "\n\n" twice). */
function* matchesOf(pattern: RegExp, text: string): Generator<{ start: number; stop: number }> {
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  for (let match = global.exec(text); match; match = global.exec(text)) {
    yield { start: match.index, stop: match.index + match[0].length };
    global.lastIndex = match.index + 1;
  }
}
