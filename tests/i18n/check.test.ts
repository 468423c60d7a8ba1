import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runLocalesCheck } from "../../src/cli/locales.js";
import { checkLocales, interpolationVariables, pluralCategories } from "../../src/i18n/check.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

const en = {
  greet: "Hello {{name}}!",
  nested: { bye: "Bye" },
  items_one: "{{count}} item in {{box}}",
  items_other: "{{count}} items in {{box}}",
};

describe("checkLocales", () => {
  it("finds nothing wrong in a complete translation", () => {
    const resources = {
      en: { translation: en },
      ja: {
        translation: {
          greet: "こんにちは{{name}}さん",
          nested: { bye: "さようなら" },
          items_other: "{{box}}に{{count}}個",
        },
      },
    };
    expect(checkLocales(resources)).toEqual([]);
  });

  it("reports missing and extra keys, variables and plural forms", () => {
    const resources = {
      en: { translation: en },
      ar: {
        translation: {
          greet: "مرحبًا {{nom}}!",
          stray: "زائد",
          items_one: "عنصر واحد في {{box}}",
          items_two: "عنصران في {{box}}",
          items_few: "{{count}} عناصر",
          items_many: "{{count}} عنصرًا في {{box}}",
          items_other: "{{count}} عنصر في {{box}}",
        },
      },
    };
    const found = checkLocales(resources).map((p) => `${p.locale} ${p.kind} ${p.key} ${p.detail}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "ar missing_variable greet {{name}} is missing",
        "ar extra_variable greet {{nom}} is not in the reference",
        "ar missing_key nested.bye not translated",
        "ar extra_key stray not in en",
        "ar missing_plural items no _zero form",
        "ar missing_variable items_few {{box}} is missing",
      ]),
    );
    // "one" and "two" may spell the number out; "few" may not drop {{count}} but may keep it.
    expect(found.filter((line) => line.includes("items_one") || line.includes("items_two"))).toEqual([]);
    expect(found).toHaveLength(6);
  });

  it("reports plural forms a language does not have", () => {
    const resources = {
      en: { translation: en },
      ja: {
        translation: {
          greet: "{{name}}",
          nested: { bye: "じゃあね" },
          items_one: "{{count}}個",
          items_other: "{{box}}に{{count}}個",
        },
      },
    };
    expect(checkLocales(resources)).toEqual([
      { locale: "ja", kind: "extra_plural", key: "items", detail: "_one is not a plural category of ja" },
    ]);
  });

  it("reads i18next interpolation syntax", () => {
    expect([...interpolationVariables("{{a}} {{ b }} {{c, number}} {{- d}} {x}")]).toEqual(["a", "b", "c", "d"]);
  });

  it("takes each language's plural categories from Intl.PluralRules", () => {
    expect(pluralCategories("ar")).toEqual(["zero", "one", "two", "few", "many", "other"]);
    expect(pluralCategories("ja")).toEqual(["other"]);
    expect(pluralCategories("zu")).toEqual(["one", "other"]);
    expect(pluralCategories("pt")).toEqual(["one", "many", "other"]);
  });
});

describe("chorus locales check", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(options: { dir: string; studies?: string[] }) {
    const lines: string[] = [];
    const code = runLocalesCheck({ dir: options.dir, reference: "en", studies: options.studies ?? [] }, (line) =>
      lines.push(line),
    );
    return { code, lines };
  }

  it("passes on the project's locales and the sample study, listing every locale", () => {
    dir = mkdtempSync(path.join(tmpdir(), "chorus-locales-"));
    const { code, lines } = run({
      dir: path.join(ROOT, "locales"),
      studies: [path.join(ROOT, "studies/sample.yaml")],
    });
    expect(lines.at(-1)).toMatch(/^10 locales, \d+ keys in en: all complete$/);
    expect(lines).toContain("ar    ok  (plural: zero/one/two/few/many/other)");
    expect(code).toBe(0);
  });

  it("exits 1 and names each problem by locale and key", () => {
    dir = mkdtempSync(path.join(tmpdir(), "chorus-locales-"));
    mkdirSync(path.join(dir, "en"));
    mkdirSync(path.join(dir, "nl"));
    writeFileSync(path.join(dir, "en", "a.json"), JSON.stringify(en));
    writeFileSync(path.join(dir, "nl", "a.json"), JSON.stringify({ greet: "Hallo!", items_other: "{{count}}" }));
    const { code, lines } = run({ dir });
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        "nl    greet  missing_variable  {{name}} is missing",
        "nl    nested.bye  missing_key  not translated",
        "nl    items  missing_plural  no _one form",
        "nl    items_other  missing_variable  {{box}} is missing",
        "nl    4 problems  (plural: one/other)",
        "4 problems in 1 locale(s)",
      ]),
    );
  });
});
