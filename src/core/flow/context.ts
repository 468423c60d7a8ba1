import type { LanguageDetector, ParticipantDataSummary, PlaceMatcher } from "../ports.js";
import type { Study } from "../study/schema.js";
import type { Effect } from "./effects.js";
import type { Prompt } from "./prompts.js";
import type { FlowState } from "./state.js";

/**
 * Everything a transition may consult besides the state and the input.
 * Reads are synchronous functions so the engine can hand in store queries
 * that run inside the current transaction; tests hand in plain values.
 */
export interface FlowContext {
  study: Study;
  /** ISO time of this input, from the injected clock. */
  now: string;
  /** 0 ≤ r < 1, injected so runs can be repeated. */
  random: () => number;
  /** UI locales the deployment offers, in display order. */
  locales: readonly string[];
  assessmentCounts: () => Map<string, number>;
  assignedScenarioIds: () => Set<string>;
  quotaCount: (match: Record<string, string>) => number;
  dataSummary: () => ParticipantDataSummary | undefined;
  detectLanguage?: LanguageDetector;
  /** Typed countries and languages; without one, exact names in the participant's languages (core/profile/places.ts). */
  matchPlace?: PlaceMatcher;
}

/** The result of one transition: the new state (null once the participant is deleted). */
export interface Transition {
  state: FlowState | null;
  prompts: Prompt[];
  effects: Effect[];
}
