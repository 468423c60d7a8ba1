import type { AssignmentPlan } from "../flow/state.js";
import { shuffleLabels } from "../labels.js";
import type { Study } from "./schema.js";

/**
 * Picks a participant's scenarios: those with the fewest completed
 * assessments first (so coverage stays balanced as people drop out), never
 * one the participant already had, ties broken at random. Each assignment
 * gets its own random response order and its form (long for the first
 * `longFormTasks` tasks of the participant, short after).
 */
export function planAssignments(
  study: Study,
  options: {
    counts: Map<string, number>;
    alreadyAssigned: Set<string>;
    /** Tasks the participant has had before (positions continue from here). */
    previousTasks: number;
    random: () => number;
  },
): AssignmentPlan[] {
  const candidates = study.scenarios
    .filter((scenario) => !options.alreadyAssigned.has(scenario.id))
    .map((scenario) => ({ id: scenario.id, count: options.counts.get(scenario.id) ?? 0, tieBreak: options.random() }))
    .sort((a, b) => a.count - b.count || a.tieBreak - b.tieBreak)
    .slice(0, study.assignment.scenariosPerParticipant);
  return candidates.map((candidate, index) => {
    const position = options.previousTasks + index;
    return {
      scenarioId: candidate.id,
      position,
      shownOrder: shuffleLabels(options.random),
      form: position < study.assignment.longFormTasks ? "long" : "short",
    };
  });
}
