import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import type { Engine, EngineResult } from "../../src/core/engine-types.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import { FlowStateSchema } from "../../src/core/flow/state.js";
import { createI18n } from "../../src/i18n/index.js";
import { createPlaceMatcher } from "../../src/i18n/places.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

/**
 * "Did you mean Kenya?" through the real engine and store: a close
 * misspelling of a typed country is offered for confirmation, and only the
 * confirmed ISO code is stored.
 */
const i18n = createI18n({ localesDir: path.resolve(import.meta.dirname, "../../locales") });
const ref = { platform: "telegram" as const, platformUserId: "4242" };
/** One matcher for the file: its name tables are built once, on the first typed place. */
const matchPlace = createPlaceMatcher();

let database: TestDatabase;
let engine: Engine;
let last: EngineResult;

beforeEach(() => {
  database = createTestDatabase();
  seedMiniStudy(database);
  engine = createEngine({
    store: createSurveyStore(database),
    clock: { now: () => new Date("2026-11-27T10:00:00Z") },
    random: () => 0.5,
    newParticipantId: () => "p1",
    locales: i18n.locales,
    matchPlace,
  });
});
afterEach(() => database.cleanup());

function send(input: Input): EngineResult {
  last = engine.handle(ref, input);
  return last;
}

function lastQuestion(): Extract<Prompt, { kind: "question" | "ask_text" }> {
  const prompt = last.prompts.findLast((p) => p.kind === "question" || p.kind === "ask_text");
  if (prompt?.kind !== "question" && prompt?.kind !== "ask_text") throw new Error("no question shown");
  return prompt;
}

const press = (choice: string) => send({ kind: "choice", step: lastQuestion().step, choice });
const type = (text: string) => send({ kind: "text", text });
const shown = (prompt: Prompt) =>
  "text" in prompt && typeof prompt.text !== "string" ? i18n.render(last.locale, prompt.text) : "";

/** Language, consent, screening and age: the country question is next. */
function toCountry(locale = "en") {
  send({ kind: "start" });
  for (const choice of [locale, "yes", "hot", "18-29"]) press(choice);
  expect(shown(lastQuestion())).toContain("country");
}

function storedCountry(): unknown {
  return database.sqlite
    .prepare("SELECT value FROM profile_answers WHERE participant_id = 'p1' AND question_id = 'country_of_residence'")
    .pluck()
    .get();
}

function storedState() {
  const raw = database.sqlite.prepare("SELECT state FROM flow_states WHERE participant_id = 'p1'").pluck().get();
  return FlowStateSchema.parse(JSON.parse(String(raw)));
}

describe("a typed country close to a name", () => {
  it("asks 'Did you mean …?' and stores the ISO code once confirmed", () => {
    toCountry();
    type("Kenyq");
    const suggestion = lastQuestion();
    expect(shown(suggestion)).toBe("Did you mean Kenya?");
    expect(suggestion).toMatchObject({ kind: "question", acceptsText: true });
    expect(suggestion.choices.map((choice) => [choice.id, i18n.render("en", choice.label)])).toEqual([
      ["yes", "Yes"],
      ["retype", "Type it again"],
      ["pnts", "Prefer not to say"],
    ]);
    expect(storedCountry()).toBeUndefined();
    expect(storedState().placeSuggestion).toBe("KE");

    press("yes");
    expect(storedCountry()).toBe("KE");
    // Past the quota check the state no longer carries the profile; the answer is in its table.
    expect(storedState()).toMatchObject({ phase: "briefing", profile: {} });
    expect(storedState().placeSuggestion).toBeUndefined();
  });

  it("lets the participant type it again, and takes a name typed instead of pressing a button", () => {
    toCountry();
    type("Mexicoo");
    expect(shown(lastQuestion())).toBe("Did you mean Mexico?");
    press("retype");
    expect(lastQuestion()).toMatchObject({ kind: "ask_text", purpose: "typed_answer" });
    expect(storedState().placeSuggestion).toBeUndefined();
    type("Germny");
    expect(shown(lastQuestion())).toBe("Did you mean Germany?");
    // Typing a full name answers the question without the button.
    type("Deutschland");
    expect(storedCountry()).toBe("DE");
  });

  it("stores nothing but 'prefer not to say' when the participant declines", () => {
    toCountry();
    type("Kenyq");
    press("pnts");
    expect(storedCountry()).toBeNull();
    const answers = database.sqlite
      .prepare("SELECT question_id, value FROM profile_answers WHERE participant_id = 'p1' ORDER BY question_id")
      .all();
    expect(answers).toEqual([
      { question_id: "age_band", value: "18-29" },
      { question_id: "country_of_residence", value: null },
    ]);
  });

  it("drops the suggestion when what is typed next is not a place, and asks to type it", () => {
    toCountry();
    type("Kenyq");
    const suggestionStep = lastQuestion().step;
    type("Atlantis");
    expect(last.prompts.map(shown)).toEqual([
      'I couldn\'t recognise that country. Please type its name or two-letter code, or choose "Prefer not to say".',
      "Please type the name of the country (or its two-letter code, e.g. KE).",
    ]);
    expect(storedState().placeSuggestion).toBeUndefined();
    // The old "Yes" button is stale now: it cannot store Kenya.
    send({ kind: "choice", step: suggestionStep, choice: "yes" });
    // It says so and asks the current question again.
    expect(last.prompts.map(shown)).toEqual([
      "This button is out of date. Here is where you are now.",
      "Please type the name of the country (or its two-letter code, e.g. KE).",
    ]);
    expect(storedCountry()).toBeUndefined();
  });

  it("asks in the participant's language, naming the place in it", () => {
    toCountry("ja");
    type("Kenyq");
    expect(shown(lastQuestion())).toBe("ケニアのことですか？");
    press("yes");
    expect(storedCountry()).toBe("KE");
  });

  it("takes exact names in any language without asking", () => {
    toCountry();
    type("Holland");
    expect(storedCountry()).toBe("NL");
    expect(last.prompts.some((prompt) => prompt.kind === "question" && shown(prompt).startsWith("Did you mean"))).toBe(
      false,
    );
  });
});
