import { LRUCache } from "lru-cache";
import type { Text } from "../core/flow/prompts.js";
import type { I18n } from "../i18n/index.js";

/** Texts longer than this (as JSON) are rendered every time: a study's consent text is not worth a slot. */
const MAX_KEY_LENGTH = 400;

/**
 * `i18n.render` with a bounded cache. The same few hundred texts (button
 * labels, headers, questions with small parameters) are rendered for every
 * participant; the translations never change while the process runs, and
 * rendering through i18next was the adapter's largest cost per update in
 * bench/telegram.bench.ts. Verbatim text (AI responses, the participant's
 * words) is returned as it is and never stored.
 */
export function cachedRender(i18n: Pick<I18n, "render">, maxEntries = 5_000): (locale: string, text: Text) => string {
  const cache = new LRUCache<string, string>({ max: maxEntries });
  return (locale, text) => {
    if ("verbatim" in text) return text.verbatim;
    const key = `${locale}\u0000${JSON.stringify(text)}`;
    if (key.length > MAX_KEY_LENGTH) return i18n.render(locale, text);
    let rendered = cache.get(key);
    if (rendered === undefined) {
      rendered = i18n.render(locale, text);
      cache.set(key, rendered);
    }
    return rendered;
  };
}
