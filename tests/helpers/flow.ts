import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { FlowContext, Transition } from "../../src/core/flow/context.js";
import type { Effect } from "../../src/core/flow/effects.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import type { FlowState } from "../../src/core/flow/state.js";
import { initialState, transition } from "../../src/core/flow/transition.js";
import { type Study, type StudyInput, StudySchema } from "../../src/core/study/schema.js";

export function sampleStudy(): Study {
  return StudySchema.parse(parse(readFileSync(new URL("../../studies/sample.yaml", import.meta.url), "utf8")));
}

/** A small study built in code, with overrides. */
export function miniStudy(overrides: Partial<StudyInput> = {}): Study {
  const scenario = (id: string) => ({
    id,
    messages: [{ role: "user" as const, content: `Prompt ${id}` }],
    responses: (["A", "B", "C", "D"] as const).map((label) => ({ label, text: `Response ${label} of ${id}` })),
  });
  return StudySchema.parse({
    id: "mini",
    title: "Mini study",
    consent: { version: "1", text: "Consent text" },
    screening: [
      {
        id: "read",
        text: "Pick yes",
        options: [
          { id: "yes", text: "Yes" },
          { id: "no", text: "No" },
        ],
        correct: "yes",
      },
    ],
    profile: [
      {
        id: "age_band",
        text: "Age?",
        options: [
          { id: "18-24", text: "18–24" },
          { id: "25plus", text: "25+" },
        ],
      },
      { id: "country_of_residence", kind: "country", text: "Country?", options: [{ id: "KE", text: "Kenya" }] },
    ],
    briefing: "Briefing",
    assignment: { scenariosPerParticipant: 2, longFormTasks: 1 },
    rationale: { minLetters: 5, maxChars: 200 },
    scenarios: [scenario("s1"), scenario("s2"), scenario("s3")],
    ...overrides,
  });
}

/** A context of plain values; `recorded` collects effects as the store would see them. */
export function fakeContext(study: Study, overrides: Partial<FlowContext> = {}): FlowContext {
  let seed = 42;
  return {
    study,
    now: "2026-11-27T10:00:00.000Z",
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    },
    locales: ["en", "es"],
    assessmentCounts: () => new Map(),
    assignedScenarioIds: () => new Set(),
    quotaCount: () => 0,
    dataSummary: () => undefined,
    ...overrides,
  };
}

interface Walk {
  state: FlowState | null;
  prompts: Prompt[];
  effects: Effect[];
}

/** Applies inputs in order; `choose` helpers pick from the latest prompt's step. */
export function walk(ctx: FlowContext, inputs: Array<Input | ((state: FlowState) => Input)>, start?: FlowState): Walk {
  let state: FlowState | null = start ?? initialState(ctx.study.id, "en", ctx.now);
  let last: Transition = { state, prompts: [], effects: [] };
  const effects: Effect[] = [];
  for (const next of inputs) {
    if (!state) throw new Error("input after deletion");
    const input = typeof next === "function" ? next(state) : next;
    last = transition(state, input, ctx);
    effects.push(...last.effects);
    state = last.state;
  }
  return { state, prompts: last.prompts, effects };
}

/** A choice made for the state's current step. */
export const choose =
  (choice: string) =>
  (state: FlowState): Input => ({ kind: "choice", step: state.step, choice });
export const text = (value: string): Input => ({ kind: "text", text: value });
export const command = (name: string): Input => ({ kind: "command", name });

/**
 * Ranks on the card (display letters, the last one is placed by itself) and
 * confirms: by default A > B > C > D.
 */
export function rankAndConfirm(picks = ["p:A", "p:B", "p:C"]) {
  return [...picks.map(choose), choose("ok")];
}

/** A reason sent as one or more messages, then Done. */
export function reason(...parts: string[]) {
  return [...parts.map(text), choose("done")];
}
