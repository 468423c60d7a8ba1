/**
 * Checks every locale against the reference (English): the same keys, the
 * same interpolation variables, and exactly the plural forms each language
 * needs (its Intl.PluralRules categories, as i18next picks them).
 * Pure: takes the loaded resources, returns the problems.
 */
import type { LocalizedText, Study } from "../core/study/schema.js";

export type LocaleProblemKind =
  | "missing_key"
  | "extra_key"
  | "not_text"
  | "empty"
  | "missing_variable"
  | "extra_variable"
  | "missing_plural"
  | "extra_plural";

export interface LocaleProblem {
  locale: string;
  kind: LocaleProblemKind;
  /** Dotted key path, e.g. "ranking.ask_world" (a plural group without its suffix). */
  key: string;
  detail: string;
}

type LocaleResources = Record<string, { translation: Record<string, unknown> }>;

/** i18next's cardinal plural suffixes, one per CLDR category. */
export const PLURAL_CATEGORIES = ["zero", "one", "two", "few", "many", "other"] as const;
type PluralCategory = (typeof PLURAL_CATEGORIES)[number];
const PLURAL_SUFFIX = new RegExp(`^(.+)_(${PLURAL_CATEGORIES.join("|")})$`);

/** The plural categories a language needs, as the runtime's CLDR data says. */
export function pluralCategories(locale: string): PluralCategory[] {
  const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories as PluralCategory[];
  return PLURAL_CATEGORIES.filter((category) => categories.includes(category));
}

/** Nested JSON → dotted key paths; non-string leaves are kept so they can be reported. */
export function flattenKeys(tree: Record<string, unknown>, prefix = ""): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [name, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, leaf] of flattenKeys(value as Record<string, unknown>, path)) flat.set(inner, leaf);
    } else {
      flat.set(path, value);
    }
  }
  return flat;
}

/** The names interpolated in an i18next string: "{{count}}", "{{ date, datetime }}" → count, date. */
export function interpolationVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/\{\{\s*-?\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)) {
    if (match[1]) names.add(match[1]);
  }
  return names;
}

interface KeyGroup {
  /** Plural categories present, or null for a plain key. */
  plurals: Map<PluralCategory, string> | null;
  text: string | null;
}

/** Groups flat keys: "a.b_one", "a.b_other" → "a.b" with its forms. */
function groupKeys(flat: Map<string, unknown>, pluralBases: Set<string>): Map<string, KeyGroup> {
  const groups = new Map<string, KeyGroup>();
  for (const [path, value] of flat) {
    const match = PLURAL_SUFFIX.exec(path);
    const text = typeof value === "string" ? value : null;
    if (match?.[1] && match[2] && pluralBases.has(match[1])) {
      const group = groups.get(match[1]) ?? { plurals: new Map(), text: null };
      group.plurals?.set(match[2] as PluralCategory, text ?? "");
      groups.set(match[1], group);
    } else {
      groups.set(path, { plurals: null, text });
    }
  }
  return groups;
}

/** Plural bases of the reference: keys that end in a category suffix and have an "_other" form. */
function pluralBasesOf(flat: Map<string, unknown>): Set<string> {
  const bases = new Set<string>();
  for (const path of flat.keys()) {
    const match = PLURAL_SUFFIX.exec(path);
    if (match?.[1] && flat.has(`${match[1]}_other`)) bases.add(match[1]);
  }
  return bases;
}

function compareVariables(
  locale: string,
  key: string,
  text: string,
  required: Set<string>,
  allowed: Set<string>,
): LocaleProblem[] {
  const found = interpolationVariables(text);
  const problems: LocaleProblem[] = [];
  for (const name of required) {
    if (!found.has(name)) problems.push({ locale, kind: "missing_variable", key, detail: `{{${name}}} is missing` });
  }
  for (const name of found) {
    if (!allowed.has(name)) {
      problems.push({ locale, kind: "extra_variable", key, detail: `{{${name}}} is not in the reference` });
    }
  }
  return problems;
}

/**
 * Every problem of every locale versus the reference locale. Plural groups:
 * each form must carry the variables every reference form carries (except
 * `count`, which a "one" form may spell out as a word) and no others.
 */
export function checkLocales(resources: LocaleResources, reference = "en"): LocaleProblem[] {
  const referenceTree = resources[reference]?.translation;
  if (!referenceTree) throw new Error(`locales: no reference locale "${reference}"`);
  const referenceFlat = flattenKeys(referenceTree);
  const pluralBases = pluralBasesOf(referenceFlat);
  const referenceGroups = groupKeys(referenceFlat, pluralBases);
  const problems: LocaleProblem[] = [];

  for (const locale of Object.keys(resources).sort()) {
    if (locale === reference) continue;
    const groups = groupKeys(flattenKeys(resources[locale]?.translation ?? {}), pluralBases);
    const needed = pluralCategories(locale);
    for (const [key, expected] of referenceGroups) {
      const actual = groups.get(key);
      if (!actual) {
        problems.push({ locale, kind: "missing_key", key, detail: "not translated" });
        continue;
      }
      if (expected.plurals) {
        problems.push(...checkPluralGroup(locale, key, expected.plurals, actual, needed));
        continue;
      }
      if (actual.plurals || actual.text === null) {
        problems.push({ locale, kind: "not_text", key, detail: "expected a string" });
        continue;
      }
      if (actual.text.trim() === "") {
        problems.push({ locale, kind: "empty", key, detail: "empty string" });
        continue;
      }
      const variables = interpolationVariables(expected.text ?? "");
      problems.push(...compareVariables(locale, key, actual.text, variables, variables));
    }
    for (const key of groups.keys()) {
      if (!referenceGroups.has(key)) problems.push({ locale, kind: "extra_key", key, detail: `not in ${reference}` });
    }
  }
  return problems;
}

function checkPluralGroup(
  locale: string,
  key: string,
  expected: Map<PluralCategory, string>,
  actual: KeyGroup,
  needed: PluralCategory[],
): LocaleProblem[] {
  if (!actual.plurals) return [{ locale, kind: "not_text", key, detail: `expected plural forms ${needed.join(", ")}` }];
  const problems: LocaleProblem[] = [];
  const referenceSets = [...expected.values()].map(interpolationVariables);
  const allowed = new Set(["count", ...referenceSets.flatMap((set) => [...set])]);
  const common = new Set([...allowed].filter((name) => referenceSets.every((set) => set.has(name))));
  for (const category of needed) {
    const text = actual.plurals.get(category);
    if (text === undefined) {
      problems.push({ locale, kind: "missing_plural", key, detail: `no _${category} form` });
      continue;
    }
    if (text.trim() === "") {
      problems.push({ locale, kind: "empty", key: `${key}_${category}`, detail: "empty string" });
      continue;
    }
    const required = new Set(common);
    // A form for exactly zero, one or two may write the number as a word.
    if (category === "zero" || category === "one" || category === "two") required.delete("count");
    problems.push(...compareVariables(locale, `${key}_${category}`, text, required, allowed));
  }
  for (const category of actual.plurals.keys()) {
    if (!needed.includes(category)) {
      problems.push({
        locale,
        kind: "extra_plural",
        key,
        detail: `_${category} is not a plural category of ${locale}`,
      });
    }
  }
  return problems;
}

/** Texts of a study a participant reads outside the scenarios, with where they sit in the file. */
function participantTexts(study: Study): Array<[string, LocalizedText]> {
  const texts: Array<[string, LocalizedText]> = [
    ["title", study.title],
    ["consent.text", study.consent.text],
    ["briefing", study.briefing],
  ];
  study.screening.forEach((question, q) => {
    texts.push([`screening[${q}].text`, question.text]);
    question.options.forEach((option, o) => {
      texts.push([`screening[${q}].options[${o}].text`, option.text]);
    });
  });
  study.profile.forEach((question, q) => {
    texts.push([`profile[${q}].text`, question.text]);
    question.options.forEach((option, o) => {
      texts.push([`profile[${q}].options[${o}].text`, option.text]);
    });
  });
  return texts;
}

/**
 * Study texts without a translation for a UI locale: the participant would
 * read them in the fallback language. A plain string (one text for every
 * locale) is never reported.
 */
export function checkStudyTexts(study: Study, locales: readonly string[]): LocaleProblem[] {
  const problems: LocaleProblem[] = [];
  for (const locale of locales) {
    for (const [path, text] of participantTexts(study)) {
      if (typeof text === "string") continue;
      const primary = locale.split("-")[0] ?? locale;
      if (!text[locale]?.trim() && !text[primary]?.trim()) {
        problems.push({ locale, kind: "missing_key", key: `study ${study.id}: ${path}`, detail: "no translation" });
      }
    }
  }
  return problems;
}
