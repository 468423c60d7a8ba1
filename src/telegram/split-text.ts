/**
 * Splits text into chunks of at most `limit` UTF-16 code units (what
 * JavaScript's `length` counts, never fewer than what Telegram counts), so a
 * long text is sent or paged whole and never cut short. Breaks at a blank
 * line, else a line end, else a space, in the second half of the chunk; only
 * a text without any of those is broken mid-word (never inside a surrogate
 * pair). The separator at a break is dropped, nothing else.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit < 2) throw new RangeError("limit too small");
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const { end, skip } = breakPoint(rest, limit);
    chunks.push(rest.slice(0, end));
    rest = rest.slice(end + skip);
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

function breakPoint(text: string, limit: number): { end: number; skip: number } {
  const window = text.slice(0, limit + 1);
  const floor = Math.floor(limit / 2);
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator, limit - separator.length + 1);
    if (at >= floor && at + separator.length <= limit + 1) return { end: at, skip: separator.length };
  }
  // No separator in the second half: a hard break, moved off a surrogate pair.
  const code = text.charCodeAt(limit - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
  return { end, skip: 0 };
}
