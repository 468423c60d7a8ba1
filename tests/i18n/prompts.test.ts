import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FlowContext } from "../../src/core/flow/context.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt, Text } from "../../src/core/flow/prompts.js";
import type { FlowState } from "../../src/core/flow/state.js";
import { initialState, transition } from "../../src/core/flow/transition.js";
import { type Study, StudySchema } from "../../src/core/study/schema.js";
import { stripBidiControls } from "../../src/i18n/bidi.js";
import { flattenKeys, PLURAL_CATEGORIES } from "../../src/i18n/check.js";
import { createI18n, type I18n, loadLocaleResources } from "../../src/i18n/index.js";
import { createPlaceMatcher } from "../../src/i18n/places.js";
import { choose, command, fakeContext, sampleStudy, text } from "../helpers/flow.js";

const LOCALES_DIR = path.resolve(import.meta.dirname, "../../locales");
const resources = loadLocaleResources(LOCALES_DIR);
const LOCALES = Object.keys(resources).sort();
const sample = sampleStudy();

type Step = Input | ((state: FlowState) => Input);

/** Runs inputs from a state and returns every prompt shown on the way. */
function run(ctx: FlowContext, steps: Step[], start?: FlowState): { state: FlowState | null; prompts: Prompt[] } {
  let state: FlowState | null = start ?? initialState(ctx.study.id, "en", ctx.now);
  const prompts: Prompt[] = [];
  for (const step of steps) {
    if (!state) throw new Error("input after deletion");
    const result = transition(state, typeof step === "function" ? step(state) : step, ctx);
    prompts.push(...result.prompts);
    state = result.state;
  }
  return { state, prompts };
}

const stale = (state: FlowState): Input => ({ kind: "choice", step: state.step - 1, choice: "x" });
/** Three picks (the last letter places itself) and confirm. */
const rankAll = [...["p:A", "p:B", "p:C"].map(choose), choose("ok")];
const REASON = "Clear and honest, it respects the person asking.";

function contextFor(study: Study, overrides: Partial<FlowContext> = {}): FlowContext {
  return fakeContext(study, {
    locales: LOCALES,
    matchPlace: createPlaceMatcher(),
    dataSummary: () => ({
      participantId: "p-1",
      platform: "telegram",
      studyId: study.id,
      locale: "en",
      status: "active",
      createdAt: "2026-11-27T10:00:00.000Z",
      source: null,
      consentVersion: "2026-11",
      consentedAt: "2026-11-27T10:00:00.000Z",
      screening: [
        { questionId: "reading-garden", optionId: "wait-north-gate", passed: true, answeredAt: "2026-11-27T10:01:00Z" },
      ],
      // An option, "prefer not to say", and a typed country stored as its code.
      profile: [
        { questionId: "age_band", value: "25-34", answeredAt: "2026-11-27T10:02:00Z" },
        { questionId: "gender", value: null, answeredAt: "2026-11-27T10:02:10Z" },
        { questionId: "country_of_residence", value: "KE", answeredAt: "2026-11-27T10:02:20Z" },
      ],
      assessments: [
        {
          scenarioId: study.scenarios[0]?.id ?? "",
          position: 0,
          shownOrder: "CADB",
          form: "long",
          locale: "en",
          completedAt: "2026-11-27T10:10:00Z",
          blocks: [
            { block: "world", ranking: "B>A=C>D", rationale: REASON },
            { block: "personal", ranking: "A>B>C>D", rationale: null },
          ],
          unacceptable: { labels: ["D"], rationale: "It is cruel." },
        },
        {
          scenarioId: study.scenarios[1]?.id ?? "",
          position: 1,
          shownOrder: "ABCD",
          form: "short",
          locale: "en",
          completedAt: "2026-11-27T10:20:00Z",
          blocks: [{ block: "world", ranking: "D>C>B>A", rationale: REASON }],
          unacceptable: { labels: [], rationale: null },
        },
      ],
    }),
    ...overrides,
  });
}

/** Onboarding with every detour: unknown language, stale button, typed countries and languages, wrong inputs. */
const onboarding: Step[] = [
  text("Klingon"),
  choose("xx"),
  stale,
  text("Español"),
  command("language"),
  choose("en"),
  command("progress"),
  text("maybe"),
  choose("yes"),
  choose("wait-north-gate"),
  choose("modern"),
  choose("pnts"),
  choose("woman"),
  text("a degree"),
  choose("master"),
  choose("other"),
  text("Atlantis"),
  text("x".repeat(101)),
  text("Kenya"),
  choose("other"),
  text("Kenyq"),
  choose("retype"),
  text("Kenyq"),
  choose("pnts"),
  choose("other"),
  text("Klingon"),
  text("sw"),
  choose("daily"),
  choose("very"),
];

/** Every phase and detour a participant can reach, each prompt collected. */
function everyPrompt(): Prompt[] {
  const ctx = contextFor(sample);
  const main = run(ctx, [
    ...onboarding,
    text("go"),
    choose("go"),
    command("help"),
    command("progress"),
    command("mydata"),
    command("frobnicate"),
    { kind: "start" },
    { kind: "media" },
    text(""),
    text("B > X"),
    text("A > A > B > C"),
    text("A > B"),
    choose("p:B"),
    choose("t:A"),
    choose("undo"),
    choose("t:A"),
    choose("p:C"),
    choose("tie_last"),
    choose("untie_last"),
    choose("undo"),
    choose("p:C"),
    choose("redo"),
    text("B > A = C > D"),
    text("yes"),
    choose("ok"),
    choose("x"),
    { kind: "media" },
    text("   "),
    text("short"),
    choose("done"),
    choose("clear"),
    text("x".repeat(2001)),
    text(REASON),
    { kind: "text", text: `${REASON} (a caption)`, fromCaption: true },
    choose("done"),
    ...rankAll,
    text(REASON),
    choose("done"),
    text("none of them"),
    choose("u:A"),
    choose("u:B"),
    choose("u:B"),
    choose("done"),
    choose("back"),
    choose("done"),
    text(REASON),
    choose("done"),
    command("pause"),
    text("hello"),
    command("resume"),
    command("language"),
    text("Klingon"),
    choose("ar"),
    ...[1, 2, 3].flatMap(() => [...rankAll, text(REASON), choose("done")]),
    command("progress"),
    text("anything more?"),
    command("withdraw"),
    text("no"),
    choose("no"),
  ]);
  if (main.state?.phase !== "completed") throw new Error(`walk ended in ${main.state?.phase}`);
  const done = main.state;
  // After completion: more scenarios (only four were had), then none left.
  const more = run(ctx, [{ kind: "start" }], done);
  const everyId = new Set(sample.scenarios.map((s) => s.id));
  const noneLeft = run(contextFor(sample, { assignedScenarioIds: () => everyId }), [choose("more")], done);
  const withdrawn = run(ctx, [command("withdraw"), choose("yes")], done);

  const declined = run(ctx, [choose("en"), choose("no"), text("hi"), { kind: "start" }]);
  const screenedOut = run(ctx, [choose("en"), choose("yes"), choose("go-home")]);
  const noProfile = StudySchema.parse({ ...sample, profile: [], quota: undefined });
  const quotaStudy = StudySchema.parse({
    ...sample,
    quota: { dimensions: ["age_band"], defaultTarget: 0 },
    completionCode: undefined,
  });
  const quotaFull = run(contextFor(quotaStudy), [...onboarding]);
  const noScenarios = run(contextFor(noProfile, { assignedScenarioIds: () => everyId }), [
    choose("en"),
    choose("yes"),
    choose("wait-north-gate"),
    choose("modern"),
  ]);
  const strict = StudySchema.parse({
    ...sample,
    blocks: { ...sample.blocks, allowTies: false },
    completionCode: undefined,
  });
  const noCode = run(contextFor(strict, { dataSummary: () => undefined }), [
    choose("en"),
    choose("yes"),
    choose("wait-north-gate"),
    choose("modern"),
    ...Array.from({ length: 8 }, () => choose("pnts")),
    choose("go"),
    command("mydata"),
    text("A = B > C > D"),
  ]);
  // A small screen: one response open at a time, another opened from the card.
  const small = contextFor(sample, { surface: { cardChars: 100 } });
  const paged = run(
    small,
    [{ kind: "start" }, (state) => ({ kind: "choice", step: state.step, choice: `read:${state.taskIndex}:2` })],
    done,
  );
  // A study that rates each prompt (CA-1's extras): the rating stage, its answered line, a missing rating.
  const rating = {
    id: "importance",
    label: "Importance",
    text: "How important?",
    options: [1, 2, 3].map((n) => ({ id: String(n), text: String(n) })),
  };
  const ratedStudy = StudySchema.parse({
    ...sample,
    promptRatings: [rating, { ...rating, id: "subjectivity" }],
    blocks: { ...sample.blocks, unacceptable: false },
  });
  const rated = run(
    contextFor(ratedStudy),
    [
      { kind: "start" },
      ...rankAll,
      text(REASON),
      choose("done"),
      ...rankAll,
      text(REASON),
      choose("done"),
      choose("rate:2"),
    ],
    done,
  );
  const ratedMissing = run(
    contextFor(ratedStudy),
    [{ kind: "start" }, (state) => ({ kind: "card_submit", step: state.step, rankings: {}, rationales: {} })],
    done,
  );
  // The whole card at once, with every field wrong.
  const submitted = run(
    ctx,
    [
      (state) => ({
        kind: "card_submit",
        step: state.step,
        rankings: { world: "A>B" },
        rationales: { world: "x".repeat(2001) },
      }),
    ],
    more.state ?? undefined,
  );
  const expected = {
    declined: "consent",
    screenedOut: "screened_out",
    quotaFull: "quota_full",
    noScenarios: "no_scenarios",
  };
  const phases = { declined, screenedOut, quotaFull, noScenarios };
  for (const [name, walked] of Object.entries(phases)) {
    if (walked.state?.phase !== expected[name as keyof typeof expected])
      throw new Error(`${name}: ${walked.state?.phase}`);
  }
  const finishNoCode = run(
    contextFor(strict),
    [
      text("A > B > C > D"),
      choose("ok"),
      text(REASON),
      choose("done"),
      ...rankAll,
      text(REASON),
      choose("done"),
      choose("none"),
      ...[1, 2, 3].flatMap(() => [...rankAll, text(REASON), choose("done")]),
    ],
    noCode.state ?? undefined,
  );

  // Prompts only the engine or the adapters make around the transitions.
  const outside: Prompt[] = [
    { kind: "message", text: { key: "start.welcome", params: { title: { localized: sample.title } } } },
    { kind: "message", text: { key: "errors.no_open_study" } },
    { kind: "message", text: { key: "errors.internal" } },
    { kind: "message", text: { key: "errors.busy" } },
    { kind: "message", text: { key: "mydata.none" } },
    { kind: "message", text: { key: "start.how_to_begin" } },
    { kind: "message", text: { key: "withdraw.gone" } },
    // Every role a scenario message can have.
    ...(["system", "developer", "user", "assistant"] as const).map((role) => ({
      kind: "message" as const,
      text: { key: `task.role_${role}` },
    })),
  ];
  return [
    ...initialPrompts(ctx),
    ...main.prompts,
    ...more.prompts,
    ...noneLeft.prompts,
    ...withdrawn.prompts,
    ...declined.prompts,
    ...screenedOut.prompts,
    ...quotaFull.prompts,
    ...noScenarios.prompts,
    ...noCode.prompts,
    ...finishNoCode.prompts,
    ...paged.prompts,
    ...rated.prompts,
    ...ratedMissing.prompts,
    ...submitted.prompts,
    ...outside,
  ];
}

function initialPrompts(ctx: FlowContext): Prompt[] {
  return run(ctx, [command("help")]).prompts;
}

/** Every text a prompt shows, including what adapters add (role labels, the viewer header). */
function textsOf(prompt: Prompt): Text[] {
  switch (prompt.kind) {
    case "message":
    case "notice":
      return [prompt.text];
    case "question":
    case "ask_text":
      return [prompt.text, ...prompt.choices.map((choice) => choice.label)];
    case "card":
      return [
        prompt.title,
        ...prompt.messages.map((message) => ({ key: `task.role_${message.role}` })),
        ...prompt.responses.map((response, index) =>
          prompt.layout === "all"
            ? { key: "card.response", params: { label: response.displayLabel } }
            : { key: "viewer.header", params: { label: response.displayLabel, index: index + 1, total: 4 } },
        ),
        ...(prompt.layout === "paged"
          ? [{ key: "card.read_hint" }, { key: "viewer.page", params: { page: 1, pages: 2 } }]
          : []),
        ...prompt.status,
        prompt.question,
        ...[...prompt.choices, ...prompt.readChoices].map((choice) => choice.label),
        prompt.summary,
      ];
    case "card_closed":
      return [prompt.summary];
  }
}

function keysIn(value: Text, into: Set<string>): Set<string> {
  if ("key" in value) {
    into.add(value.key);
    for (const param of Object.values(value.params ?? {})) if (typeof param === "object") keysIn(param, into);
  }
  return into;
}

const prompts = everyPrompt();
const texts = prompts.flatMap(textsOf);
const surveyKeys = [...flattenKeys(JSON.parse(readFileSync(path.join(LOCALES_DIR, "en/survey.json"), "utf8"))).keys()];
const pluralSuffix = new RegExp(`_(${PLURAL_CATEGORIES.join("|")})$`);
const surveyGroups = new Set(surveyKeys.map((k) => k.replace(pluralSuffix, "")));
/** Every key path English knows, longest first: none may ever be shown raw. */
const allKeyPaths = [...flattenKeys(resources.en?.translation ?? {}).keys()]
  .flatMap((k) => [k, k.replace(pluralSuffix, "")])
  .sort((a, b) => b.length - a.length);

/** An i18n with only one locale and no fallback: a missing key shows as its raw path. */
function strictI18n(locale: string): I18n {
  const only = resources[locale];
  if (!only) throw new Error(`no locale ${locale}`);
  return createI18n({ localesDir: LOCALES_DIR, fallbackLocale: locale, resources: { [locale]: only } });
}

describe("every prompt the engine can produce, in every locale", () => {
  it("walks through every key of locales/en/survey.json", () => {
    const used = new Set<string>();
    for (const value of texts) keysIn(value, used);
    expect([...surveyGroups].filter((group) => !used.has(group))).toEqual([]);
    expect(prompts.length).toBeGreaterThan(150);
  });

  for (const locale of LOCALES) {
    it(`renders all of them in ${locale} without a missing key, a raw key or an unfilled variable`, () => {
      const i18n = strictI18n(locale);
      for (const value of texts) {
        const rendered = stripBidiControls(i18n.render(locale, value));
        const where = JSON.stringify(value).slice(0, 120);
        expect(rendered.trim(), where).not.toBe("");
        expect(rendered, where).not.toContain("{{");
        const raw = allKeyPaths.find((keyPath) => rendered.includes(keyPath));
        expect(raw, `${locale}: ${where} → ${rendered}`).toBeUndefined();
      }
    });
  }

  it("shows the study's own translation of consent, screening, profile and briefing in each locale", () => {
    const ctx = contextFor(sample);
    const consent = run(ctx, [choose("en")]).prompts;
    for (const locale of LOCALES) {
      const i18n = strictI18n(locale);
      const consentText = consent.find((p) => p.kind === "message");
      if (consentText?.kind !== "message") throw new Error("no consent text");
      const rendered = stripBidiControls(i18n.render(locale, consentText.text));
      const own = typeof sample.consent.text === "string" ? sample.consent.text : sample.consent.text[locale];
      // The study says {{command:withdraw}}; the default (Telegram, terminal) writes /withdraw.
      expect(rendered, locale).toBe(own?.replaceAll("{{command:", "/").replaceAll("}}", ""));
      expect(rendered, locale).toContain("/withdraw");
    }
  });
});
