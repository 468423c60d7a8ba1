import { describe, expect, it } from "vitest";
import type { FlowState } from "../../src/core/flow/state.js";
import { initialState, transition } from "../../src/core/flow/transition.js";
import { fakeContext, miniStudy } from "../helpers/flow.js";

/**
 * The broadcast's "start the new scenarios" button sends the engine the
 * choice `more` at the participant's step. It must start new scenarios both
 * for those who completed their batch and for those told none were available.
 */
function finished(phase: "completed" | "no_scenarios", assigned: string[]): FlowState {
  const state = initialState("mini", "en", "2026-03-01T00:00:00.000Z");
  return {
    ...state,
    phase,
    step: 40,
    assignments: assigned.map((scenarioId, position) => ({ scenarioId, position, shownOrder: "ABCD", form: "short" })),
    taskIndex: assigned.length,
  };
}

describe("start the new scenarios", () => {
  for (const phase of ["completed", "no_scenarios"] as const) {
    it(`a press at the current step starts them (${phase})`, () => {
      const assigned = phase === "completed" ? ["s1", "s2"] : [];
      const ctx = fakeContext(miniStudy(), { assignedScenarioIds: () => new Set(assigned) });
      const result = transition(finished(phase, assigned), { kind: "choice", step: 40, choice: "more" }, ctx);
      expect(result.state?.phase).toBe("task");
      expect(result.state?.assignments.map((a) => a.scenarioId)).toEqual(
        phase === "completed" ? ["s1", "s2", "s3"] : expect.arrayContaining(["s1", "s2"]),
      );
      expect(result.effects.map((e) => e.type)).toContain("assignments_created");
    });
  }

  it("a press from an older message is stale, changes nothing and shows where they are", () => {
    const state = finished("completed", ["s1", "s2"]);
    const result = transition(state, { kind: "choice", step: 39, choice: "more" }, fakeContext(miniStudy()));
    expect(result.state).toBe(state);
    expect(result.prompts).toEqual([
      { kind: "notice", text: { key: "errors.stale" } },
      { kind: "message", text: { key: "completed.thanks" } },
    ]);
  });
});
