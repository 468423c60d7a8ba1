import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import type { Engine } from "../../src/core/engine-types.js";
import { nativeLanguageName } from "../../src/core/profile/places.js";
import { createI18n } from "../../src/i18n/index.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

const i18n = createI18n({ localesDir: path.resolve(import.meta.dirname, "../../locales") });

let database: TestDatabase;
let engine: Engine;
let user = 0;

beforeEach(() => {
  database = createTestDatabase();
  seedMiniStudy(database);
  let id = 0;
  engine = createEngine({
    store: createSurveyStore(database),
    clock: { now: () => new Date("2026-11-27T10:00:00Z") },
    random: () => 0.5,
    newParticipantId: () => `p${++id}`,
    locales: i18n.locales,
  });
});
afterEach(() => database.cleanup());

function firstContact(suggestedLocale: string | undefined) {
  return engine.handle(
    { platform: "telegram", platformUserId: `u${++user}` },
    { kind: "start", ...(suggestedLocale === undefined ? {} : { suggestedLocale }) },
  );
}

describe("the language suggested by the platform", () => {
  it.each([
    ["pt-BR", "pt"], // Slack and Telegram regional tags
    ["pt-br", "pt"],
    ["es-419", "es"], // Latin American Spanish
    ["es_MX", "es"],
    ["zu", "zu"],
    ["zu-ZA", "zu"],
    ["af-ZA", "af"],
    ["sw-KE", "sw"],
    ["ar-EG", "ar"],
    ["ja-JP", "ja"],
    ["hi-IN", "hi"],
    ["nl-BE", "nl"],
    ["en-GB", "en"],
    ["AR", "ar"],
    ["zh-Hant", "en"], // not offered: the fallback
    ["", "en"],
    [undefined, "en"],
  ])("maps %s to %s, and the first prompts are in that language", (suggested, expected) => {
    const result = firstContact(suggested);
    expect(result.locale).toBe(expected);
    const question = result.prompts.find((prompt) => prompt.kind === "question");
    if (question?.kind !== "question") throw new Error("no language question");
    const rendered = i18n.render(result.locale, question.text);
    expect(rendered).toBe(i18n.render(expected, { key: "language.choose" }));
    if (expected !== "en") expect(rendered).not.toBe(i18n.render("en", { key: "language.choose" }));
  });

  it("offers every locale by its own name, in its own script", () => {
    const result = firstContact("en");
    const question = result.prompts.find((prompt) => prompt.kind === "question");
    if (question?.kind !== "question") throw new Error("no language question");
    const names = question.choices.map((choice) => i18n.render("ar", choice.label));
    expect(names).toEqual([
      "English",
      "Afrikaans",
      "العربية",
      "Español",
      "हिन्दी",
      "日本語",
      "Nederlands",
      "Português",
      "Kiswahili",
      "isiZulu",
    ]);
    expect(question.choices.map((choice) => choice.id)).toEqual(i18n.locales);
    expect(nativeLanguageName("es")).toBe("Español");
  });

  it("accepts a language typed by its own name or its English name, and changes it at any time", () => {
    const ref = { platform: "slack" as const, platformUserId: "typed" };
    engine.handle(ref, { kind: "start", suggestedLocale: "en-US" });
    expect(engine.handle(ref, { kind: "text", text: "Kiswahili" }).locale).toBe("sw");
    engine.handle(ref, { kind: "command", name: "language" });
    const changed = engine.handle(ref, { kind: "text", text: "japanese" });
    expect(changed.locale).toBe("ja");
    const said = changed.prompts.map((prompt) =>
      prompt.kind === "message" || prompt.kind === "notice" ? i18n.render(changed.locale, prompt.text) : "",
    );
    expect(said).toContain("設定しました。これからは日本語でご案内します。");
  });
});
