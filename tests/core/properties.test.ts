import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import { type FlowState, FlowStateSchema } from "../../src/core/flow/state.js";
import { initialState, transition } from "../../src/core/flow/transition.js";
import { isShownOrder } from "../../src/core/labels.js";
import { parseRanking } from "../../src/core/ranking.js";
import { fakeContext, miniStudy, sampleStudy } from "../helpers/flow.js";

/**
 * An abstract action, resolved against the prompts on screen: mostly
 * plausible presses, with stale steps, garbage ids, free text and commands.
 */
const action = fc.oneof(
  { weight: 10, arbitrary: fc.record({ type: fc.constant("press" as const), index: fc.nat(20) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("stale" as const),
      index: fc.nat(20),
      back: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("garbage" as const), id: fc.string({ maxLength: 10 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant("text" as const),
      text: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom(
          "Kenya",
          "b>a=c>d",
          "A>B>C>D",
          "Because it is clear and kind.",
          "丁寧で分かりやすい説明です",
          "مرحبا بالعالم هذا جيد",
        ),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("media" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("command" as const),
      name: fc.constantFrom("help", "progress", "language", "pause", "resume", "mydata", "withdraw", "start", "nope"),
    }),
  },
);
type Action = typeof action extends fc.Arbitrary<infer T> ? T : never;

function lastChoices(prompts: Prompt[]): string[] {
  for (const prompt of [...prompts].reverse()) {
    if (prompt.kind === "question" || prompt.kind === "ask_text") return prompt.choices.map((choice) => choice.id);
    if (prompt.kind === "card") return [...prompt.choices, ...prompt.readChoices].map((choice) => choice.id);
  }
  return [];
}

function resolve(act: Action, state: FlowState, choices: string[]): Input {
  switch (act.type) {
    case "press":
      return { kind: "choice", step: state.step, choice: choices[act.index % Math.max(choices.length, 1)] ?? "x" };
    case "stale":
      return {
        kind: "choice",
        step: Math.max(0, state.step - act.back),
        choice: choices[act.index % Math.max(choices.length, 1)] ?? "x",
      };
    case "garbage":
      return { kind: "choice", step: state.step, choice: act.id };
    case "text":
      return { kind: "text", text: act.text };
    case "media":
      return { kind: "media" };
    case "command":
      return act.name === "start" ? { kind: "start" } : { kind: "command", name: act.name };
  }
}

describe("random input sequences", () => {
  for (const [name, study, surface] of [
    ["mini study", miniStudy(), undefined],
    ["sample study", sampleStudy(), undefined],
    ["sample study on a small surface", sampleStudy(), { cardChars: 1500, splitChars: 40 }],
  ] as const) {
    it(`never throw, keep the state valid and store only complete A–D rankings (${name})`, () => {
      fc.assert(
        fc.property(fc.array(action, { minLength: 1, maxLength: 150 }), fc.integer(), (actions, seed) => {
          let s = seed;
          const ctx = fakeContext(study, {
            ...(surface ? { surface } : {}),
            random: () => {
              s = (s * 1103515245 + 12345) % 2147483648;
              return Math.abs(s) / 2147483648;
            },
          });
          let state: FlowState | null = initialState(study.id, "en", ctx.now);
          let choices = ["en"];
          for (const act of actions) {
            if (!state) break;
            const before: FlowState = state;
            const result = transition(before, resolve(act, before, choices), ctx);
            if (result.state) {
              FlowStateSchema.parse(result.state);
              expect(result.state.step).toBeGreaterThanOrEqual(before.step);
            }
            for (const effect of result.effects) {
              if (effect.type !== "assessment_recorded") continue;
              expect(isShownOrder(effect.assessment.shownOrder)).toBe(true);
              for (const block of effect.assessment.blocks) {
                const parsed = parseRanking(block.ranking);
                expect(parsed.ok).toBe(true);
                if (parsed.ok) expect(parsed.ranking.flat().sort()).toEqual(["A", "B", "C", "D"]);
              }
            }
            if (result.prompts.length > 0 && lastChoices(result.prompts).length > 0)
              choices = lastChoices(result.prompts);
            state = result.state;
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it("reach completion when presses are plausible and texts long enough", () => {
    const study = miniStudy();
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 400, maxLength: 400 }), (picks) => {
        const ctx = fakeContext(study);
        let state: FlowState | null = initialState(study.id, "en", ctx.now);
        let prompts: Prompt[] = [];
        for (const pick of picks) {
          if (!state || state.phase === "completed" || state.phase === "screened_out" || state.phase === "declined")
            break;
          const last = prompts.at(-1);
          const choices = lastChoices(prompts).filter(
            (id) => !["no", "undo", "redo", "other", "clear", "back", "untie_last"].includes(id),
          );
          const writing = last?.kind === "card" && last.typing?.purpose === "rationale";
          const input: Input =
            last?.kind === "ask_text" || (writing && !choices.includes("done"))
              ? { kind: "text", text: "A long enough reason in words." }
              : writing
                ? { kind: "choice", step: state.step, choice: "done" }
                : { kind: "choice", step: state.step, choice: choices[pick % Math.max(choices.length, 1)] ?? "en" };
          const result = transition(state, input, ctx);
          state = result.state;
          if (result.prompts.length > 0) prompts = result.prompts;
        }
        expect(["completed", "screened_out"]).toContain(state?.phase);
      }),
      { numRuns: 100 },
    );
  });
});
