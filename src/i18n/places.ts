/**
 * Countries and languages as participants type them, in any language:
 * "Deutschland", "UK", "The Netherlands", "Mandarin", "ケニア", "مصر".
 *
 * Names come from maintained data, merged per language:
 * - i18n-iso-countries: country names and short forms ("UK", "USA") in 78 languages;
 * - @cospired/i18n-iso-languages: language names in 32 languages ("Tagalog");
 * - the runtime's CLDR names (Intl.DisplayNames) in every language it has data for;
 * - place-aliases.ts, for the few names none of them has ("England", "Mandarin").
 *
 * A name is looked up in the participant's languages first, then English, then
 * every language at once (where languages disagree on a name, it matches
 * nothing there). Failing that, a close misspelling of a name in the
 * participant's languages is offered for confirmation ("Did you mean Kenya?").
 * A name found only in another language that is also one letter from another
 * place's name in the participant's languages (Latvian "Nigēra" is Niger, one
 * letter from Nigeria) is offered for confirmation too, never taken silently.
 */
import { createRequire } from "node:module";
import { distance } from "fastest-levenshtein";
import type { PlaceKind, PlaceMatch, PlaceMatcher } from "../core/ports.js";
import { normalisePlaceName, placeCode, placeCodes } from "../core/profile/places.js";
import { PLACE_ALIASES } from "./place-aliases.js";

/** The alias table is consulted like one more language, right after English. */
const ALIASES = "aliases";

/** Runtime locales worth asking besides the ISO 639-1 languages: scripts and languages without a 639-1 code. */
const EXTRA_INTL_LOCALES = ["zh-Hant", "sr-Latn", "fil", "yue"];

/** Normalised name → code; null where one language uses the name for two places ("Congo"). */
type NameTable = Map<string, string | null>;

interface PlaceIndex {
  byLocale: Map<string, NameTable>;
  anywhere: NameTable;
}

/**
 * The deployment's place matcher. The name tables are built on the first
 * answer of each kind (about a fifth of a second), not at start-up, so
 * processes that never see a typed place never pay for them.
 */
export function createPlaceMatcher(): PlaceMatcher {
  const indexes = new Map<PlaceKind, PlaceIndex>();
  const indexOf = (kind: PlaceKind): PlaceIndex => {
    let index = indexes.get(kind);
    if (!index) {
      index = buildIndex(kind);
      indexes.set(kind, index);
    }
    return index;
  };

  return (kind, typed, locales) => {
    const code = placeCode(kind, typed);
    if (code) return { code, exact: true };
    const wanted = normalisePlaceName(typed);
    if (wanted === "") return null;
    const index = indexOf(kind);
    const order = preferenceOrder(locales);
    const forms = [...new Set([wanted, wanted.replace(/^the /, "")])];
    for (const form of forms) {
      for (const locale of order) {
        const named = index.byLocale.get(locale)?.get(form);
        if (named) return { code: named, exact: true };
      }
    }
    const near = nearPlaces(index, wanted, order);
    for (const form of forms) {
      const foreign = index.anywhere.get(form);
      if (foreign) return { code: foreign, exact: !near.some((place) => place.code !== foreign && place.edits <= 1) };
    }
    return closest(near);
  };
}

/** The participant's locales and their base languages, then English, then the aliases. */
function preferenceOrder(locales: readonly string[]): string[] {
  const order = new Set<string>();
  for (const locale of locales) {
    order.add(locale);
    order.add(locale.split("-")[0] ?? locale);
  }
  order.add("en");
  order.add(ALIASES);
  return [...order];
}

/** How many edits a misspelling of this many characters may have: none below 4 (too many short names). */
function allowedEdits(length: number): number {
  if (length < 4) return 0;
  return length < 6 ? 1 : 2;
}

interface NearPlace {
  code: string;
  edits: number;
  /** Position of the name's language in the participant's preference order. */
  rank: number;
}

/** Places with a name in the participant's languages within allowedEdits of what was typed. */
function nearPlaces(index: PlaceIndex, wanted: string, order: string[]): NearPlace[] {
  const allowed = allowedEdits(wanted.length);
  const near: NearPlace[] = [];
  if (allowed === 0) return near;
  order.forEach((locale, rank) => {
    for (const [name, code] of index.byLocale.get(locale) ?? []) {
      if (code === null || Math.abs(name.length - wanted.length) > allowed) continue;
      const edits = distance(wanted, name);
      if (edits <= allowed) near.push({ code, edits, rank });
    }
  });
  return near;
}

/** The nearest place, fewest edits first, then the most preferred language; none if two places tie. */
function closest(near: NearPlace[]): PlaceMatch | null {
  const [best, runnerUp] = [...near].sort((a, b) => a.edits - b.edits || a.rank - b.rank);
  if (!best) return null;
  const tied = near.some((place) => place.code !== best.code && place.edits === best.edits && place.rank === best.rank);
  return tied && runnerUp ? null : { code: best.code, exact: false };
}

function buildIndex(kind: PlaceKind): PlaceIndex {
  const index: PlaceIndex = { byLocale: new Map(), anywhere: new Map() };
  const known = new Set(placeCodes(kind));
  const add = (locale: string, code: string, name: string) => {
    const stored = kind === "country" ? code.toUpperCase() : code.toLowerCase();
    if (!known.has(stored)) return;
    let table = index.byLocale.get(locale);
    if (!table) {
      table = new Map();
      index.byLocale.set(locale, table);
    }
    for (const form of nameForms(name)) {
      put(table, form, stored);
      put(index.anywhere, form, stored);
    }
  };
  for (const [locale, code, name] of packageNames(kind)) add(locale, code, name);
  for (const [locale, code, name] of runtimeNames(kind)) add(locale, code, name);
  for (const [code, names] of Object.entries(PLACE_ALIASES[kind])) {
    for (const name of names) add(ALIASES, code, name);
  }
  return index;
}

function put(table: NameTable, name: string, code: string): void {
  const existing = table.get(name);
  if (existing === undefined) table.set(name, code);
  else if (existing !== code) table.set(name, null);
}

/** "Greek (modern)" and "Myanmar (Burma)" are also typed without their bracketed part. */
function nameForms(name: string): string[] {
  const forms = [normalisePlaceName(name)];
  const bare = name.replace(/\s*\([^)]*\)\s*/g, " ").trim();
  if (bare !== name && bare !== "") forms.push(normalisePlaceName(bare));
  return forms.filter((form) => form !== "");
}

type NamedPlace = [locale: string, code: string, name: string];

// Both packages register all their languages when loaded, so they are loaded here, on first use.
const requirePackage = createRequire(import.meta.url);

function* packageNames(kind: PlaceKind): Generator<NamedPlace> {
  if (kind === "country") {
    const countries = requirePackage("i18n-iso-countries") as typeof import("i18n-iso-countries");
    for (const locale of countries.getSupportedLanguages()) {
      for (const [code, names] of Object.entries(countries.getNames(locale, { select: "all" }))) {
        for (const name of names) yield [locale, code, name];
      }
    }
  } else {
    const languages = requirePackage("@cospired/i18n-iso-languages") as typeof import("@cospired/i18n-iso-languages");
    for (const locale of languages.langs()) {
      for (const [code, name] of Object.entries(languages.getNames(locale))) yield [locale, code, name];
    }
  }
}

/** CLDR names from the runtime, in every ISO 639-1 language (and a few more) it has data for. */
function* runtimeNames(kind: PlaceKind): Generator<NamedPlace> {
  const type = kind === "country" ? "region" : "language";
  for (const locale of Intl.DisplayNames.supportedLocalesOf([...placeCodes("language"), ...EXTRA_INTL_LOCALES])) {
    const names = new Intl.DisplayNames([locale], { type, fallback: "none" });
    for (const code of placeCodes(kind)) {
      const name = names.of(code);
      if (name) yield [locale, code, name];
    }
  }
}
