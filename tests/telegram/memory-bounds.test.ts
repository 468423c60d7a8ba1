import { describe, expect, it } from "vitest";
import type { Text } from "../../src/core/flow/prompts.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { LocaleMemory } from "../../src/telegram/locale.js";
import { MessageMemory } from "../../src/telegram/message-memory.js";
import { cachedRender } from "../../src/telegram/text-cache.js";

/**
 * The adapter's in-memory caches stay within their bound and forget the
 * least recently used entry first: an entry read or written again stays.
 */

const card = (messageId: number) => ({ messageId, cardId: `task-${messageId}`, summary: `card ${messageId}` });

describe("MessageMemory", () => {
  it("keeps at most its bound of live cards, forgetting the least recently used chat", () => {
    const memory = new MessageMemory(2);
    memory.setLiveCard(1, card(10));
    memory.setLiveCard(2, card(20));
    expect(memory.liveCard(1)?.messageId).toBe(10); // chat 1 is now the most recently used
    memory.setLiveCard(3, card(30));
    expect(memory.liveCard(2)).toBeUndefined();
    expect(memory.liveCard(1)?.messageId).toBe(10);
    expect(memory.liveCard(3)?.messageId).toBe(30);
  });

  it("keeps at most its bound of memos; an empty memo forgets, cardClosed only closes the live card", () => {
    const memory = new MessageMemory(2);
    memory.remember(1, 1, { choiceIds: ["a"] });
    memory.remember(1, 2, { choiceIds: ["b"] });
    memory.remember(1, 1, { choiceIds: ["a2"] }); // written again: the most recent
    memory.remember(1, 3, { choiceIds: ["c"] });
    expect(memory.recall(1, 2)).toBeUndefined();
    expect(memory.recall(1, 1)).toEqual({ choiceIds: ["a2"] });
    memory.remember(1, 1, undefined);
    expect(memory.recall(1, 1)).toBeUndefined();
    expect(memory.recall(1, 3)).toEqual({ choiceIds: ["c"] });

    memory.setLiveCard(5, card(50));
    memory.cardClosed(5, 49);
    expect(memory.liveCard(5)?.messageId).toBe(50);
    memory.cardClosed(5, 50);
    expect(memory.liveCard(5)).toBeUndefined();
  });
});

describe("LocaleMemory", () => {
  const i18n = createI18n({ localesDir: LOCALES_DIR });

  it("answers a remembered user in their locale until they are the least recently used past the bound", () => {
    const locales = new LocaleMemory(i18n, 2);
    locales.remember(1, "de");
    locales.remember(2, "fr");
    expect(locales.localeFor(1, undefined)).toBe("de");
    locales.remember(3, "es");
    expect(locales.localeFor(2, "pt")).toBe("pt"); // forgotten: Telegram's language_code again
    expect(locales.localeFor(1, "pt")).toBe("de");
    expect(locales.localeFor(undefined, undefined)).toBe(i18n.fallbackLocale);
  });
});

describe("cachedRender", () => {
  it("renders each text once while it stays among the most recently used, verbatim text never", () => {
    const rendered: string[] = [];
    const render = cachedRender(
      {
        render: (locale: string, text: Text) => {
          const key = "key" in text ? text.key : "?";
          rendered.push(key);
          return `${locale}:${key}`;
        },
      },
      2,
    );
    const a = { key: "a" };
    expect(render("en", a)).toBe("en:a");
    expect(render("en", { key: "b" })).toBe("en:b");
    expect(render("en", a)).toBe("en:a"); // cached, and now the most recent
    expect(render("en", { key: "c" })).toBe("en:c"); // b is forgotten
    expect(render("en", a)).toBe("en:a");
    expect(render("en", { key: "b" })).toBe("en:b");
    expect(render("de", a)).toBe("de:a"); // another locale is another entry
    expect(render("en", { verbatim: "typed" })).toBe("typed");
    expect(rendered).toEqual(["a", "b", "c", "b", "a"]);
  });
});
