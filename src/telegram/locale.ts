import { LRUCache } from "lru-cache";
import { closestOfferedLocale } from "../core/locales.js";
import type { I18n } from "../i18n/index.js";

/**
 * The locale to answer a Telegram user in when the engine has not said (an
 * error, a staff command): the participant's locale from their last engine
 * result if this process saw one, else Telegram's language_code when a
 * supported locale matches it, else the fallback.
 */
export class LocaleMemory {
  private readonly known: LRUCache<number, string>;
  constructor(
    private readonly i18n: I18n,
    maxEntries = 50_000,
  ) {
    this.known = new LRUCache({ max: maxEntries });
  }

  remember(userId: number, locale: string): void {
    this.known.set(userId, locale);
  }

  localeFor(userId: number | undefined, languageCode: string | undefined): string {
    const known = userId === undefined ? undefined : this.known.get(userId);
    if (known) return known;
    return closestOfferedLocale(this.i18n.locales, languageCode) ?? this.i18n.fallbackLocale;
  }
}
