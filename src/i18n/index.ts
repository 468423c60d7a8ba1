import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import i18next, { type i18n as I18nInstance, type TFunction } from "i18next";
import type { CommandName } from "../core/flow/commands.js";
import type { Text } from "../core/flow/prompts.js";
import type { LocalizedText } from "../core/study/schema.js";
import { writeCommandWords } from "../core/text/command-words.js";
import { isolate, isolateLtrRuns, isRtlLocale } from "./bidi.js";

export interface I18n {
  /** Locales found in the locales folder, the fallback first. */
  readonly locales: readonly string[];
  readonly fallbackLocale: string;
  /** A `t` fixed to one locale: adapters take one per participant, never a global `t`. */
  fixedT(locale: string): TFunction;
  /**
   * Resolves a core Text (locale key, study text or verbatim) in a locale.
   * A study text's `{{command:name}}` is written by `writeCommand`, by default
   * "/name" as Telegram and the terminal type it (and as the locale texts write commands).
   */
  render(locale: string, text: Text, writeCommand?: CommandWriter): string;
}

/** How a platform types a command, e.g. "/withdraw" or "/chorus withdraw". */
export type CommandWriter = (name: CommandName) => string;

const slashCommand: CommandWriter = (name) => `/${name}`;

type Resources = Record<string, { translation: Record<string, unknown> }>;

/** Reads locales/<lng>/*.json; every file of a locale is merged into one namespace. */
export function loadLocaleResources(localesDir: string): Resources {
  const resources: Resources = {};
  for (const locale of readdirSync(localesDir).sort()) {
    const dir = path.join(localesDir, locale);
    if (!statSync(dir).isDirectory()) continue;
    const translation: Record<string, unknown> = {};
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .sort()) {
      Object.assign(translation, JSON.parse(readFileSync(path.join(dir, file), "utf8")));
    }
    resources[locale] = { translation };
  }
  return resources;
}

/** The best text of a study author's localized text for a locale, and the locale it was written for (undefined for a plain string). */
function pickLocalizedWithLocale(
  text: LocalizedText,
  locale: string,
  fallbackLocale: string,
): { text: string; locale: string | undefined } {
  if (typeof text === "string") return { text, locale: undefined };
  const primary = locale.split("-")[0] ?? locale;
  for (const candidate of [locale, primary, fallbackLocale, "en"]) {
    const found = text[candidate];
    if (found !== undefined) return { text: found, locale: candidate };
  }
  const [first] = Object.entries(text);
  return first ? { text: first[1], locale: first[0] } : { text: "", locale: undefined };
}

/**
 * Right-to-left locales get their templates' left-to-right pieces (commands,
 * letters, codes, "{{index}}/{{total}}") wrapped in isolates once, at load.
 */
function withBidiIsolates(resources: Resources): Resources {
  const isolateTree = (tree: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(tree).map(([name, value]) => [
        name,
        typeof value === "string"
          ? isolateLtrRuns(value)
          : value !== null && typeof value === "object" && !Array.isArray(value)
            ? isolateTree(value as Record<string, unknown>)
            : value,
      ]),
    );
  return Object.fromEntries(
    Object.entries(resources).map(([locale, resource]) => [
      locale,
      isRtlLocale(locale) ? { translation: isolateTree(resource.translation) } : resource,
    ]),
  );
}

export function createI18n(options: { localesDir: string; fallbackLocale?: string; resources?: Resources }): I18n {
  const fallbackLocale = options.fallbackLocale ?? "en";
  const resources = withBidiIsolates(options.resources ?? loadLocaleResources(options.localesDir));
  if (!resources[fallbackLocale]) throw new Error(`locales: no folder for the fallback locale "${fallbackLocale}"`);
  const instance: I18nInstance = i18next.createInstance();
  // Synchronous init: resources are in memory, so no backend and no await.
  void instance.init({
    resources,
    lng: fallbackLocale,
    fallbackLng: fallbackLocale,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const locales = [fallbackLocale, ...Object.keys(resources).filter((locale) => locale !== fallbackLocale)];
  const fixed = new Map<string, TFunction>();

  function fixedT(locale: string): TFunction {
    let t = fixed.get(locale);
    if (!t) {
      t = instance.getFixedT(locales.includes(locale) ? locale : fallbackLocale);
      fixed.set(locale, t);
    }
    return t;
  }

  /**
   * Verbatim text is returned as it is. In a right-to-left locale, a study's
   * text written for an RTL locale has its LTR pieces isolated, and every
   * interpolated value (except `count`, which also picks the plural form) is
   * isolated as a whole, so "Response B · 2/4" and "/withdraw" read right.
   */
  function render(locale: string, text: Text, writeCommand = slashCommand): string {
    if ("verbatim" in text) return text.verbatim;
    const rtl = isRtlLocale(locale);
    if ("localized" in text) {
      const picked = pickLocalizedWithLocale(text.localized, locale, fallbackLocale);
      const written = writeCommandWords(picked.text, writeCommand);
      return rtl && picked.locale && isRtlLocale(picked.locale) ? isolateLtrRuns(written) : written;
    }
    const params: Record<string, string | number> = {};
    const template = rtl ? templateOf(locale, text.key) : undefined;
    for (const [name, value] of Object.entries(text.params ?? {})) {
      const rendered = typeof value === "object" ? render(locale, value, writeCommand) : value;
      // A value that is a whole line of the template (lists of lines) is a paragraph of its own, which
      // finds its own direction; isolating it would hide that and lay Arabic lines out left to right.
      const wholeLines = template !== undefined && new RegExp(`(^|\n)\\{\\{${name}\\}\\}(\n|$)`).test(template);
      params[name] = rtl && name !== "count" && !wholeLines ? isolate(String(rendered)) : rendered;
    }
    return fixedT(locale)(text.key, params) as string;
  }

  /** The raw template of a key (undefined for plural keys, which have one per form). */
  function templateOf(locale: string, key: string): string | undefined {
    const found = instance.getResource(locales.includes(locale) ? locale : fallbackLocale, "translation", key);
    return typeof found === "string" ? found : undefined;
  }

  return { locales, fallbackLocale, fixedT, render };
}
