import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import i18next, { type i18n as I18nInstance, type TFunction } from "i18next";
import type { Text } from "../core/flow/prompts.js";
import type { LocalizedText } from "../core/study/schema.js";

export interface I18n {
  /** Locales found in the locales folder, the fallback first. */
  readonly locales: readonly string[];
  readonly fallbackLocale: string;
  /** A `t` fixed to one locale: adapters take one per participant, never a global `t`. */
  fixedT(locale: string): TFunction;
  /** Resolves a core Text (locale key, study text or verbatim) in a locale. */
  render(locale: string, text: Text): string;
}

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

/** Picks the best text of a study author's localized text for a locale. */
export function pickLocalized(text: LocalizedText, locale: string, fallbackLocale: string): string {
  if (typeof text === "string") return text;
  const primary = locale.split("-")[0] ?? locale;
  return text[locale] ?? text[primary] ?? text[fallbackLocale] ?? text.en ?? Object.values(text)[0] ?? "";
}

export function createI18n(options: { localesDir: string; fallbackLocale?: string; resources?: Resources }): I18n {
  const fallbackLocale = options.fallbackLocale ?? "en";
  const resources = options.resources ?? loadLocaleResources(options.localesDir);
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

  function render(locale: string, text: Text): string {
    if ("verbatim" in text) return text.verbatim;
    if ("localized" in text) return pickLocalized(text.localized, locale, fallbackLocale);
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(text.params ?? {})) {
      params[name] = typeof value === "object" ? render(locale, value) : value;
    }
    return fixedT(locale)(text.key, params) as string;
  }

  return { locales, fallbackLocale, fixedT, render };
}
