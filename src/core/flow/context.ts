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
  /** What the participant's platform can show; without it a card shows everything at once. */
  surface?: Surface;
}

/** What one platform surface holds, as the adapter tells the engine with each input. */
export interface Surface {
  /** Characters one card can hold (prompt and four responses) before it shows one response at a time. */
  cardChars: number;
  /**
   * The app splits longer messages into parts of this many characters: a part
   * that long is continued, without a break, by the next one.
   */
  splitChars?: number;
}

/** The result of one transition: the new state (null once the participant is deleted). */
export interface Transition {
  state: FlowState | null;
  prompts: Prompt[];
  effects: Effect[];
}
