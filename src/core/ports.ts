import type { Effect, ParticipantStatus } from "./flow/effects.js";
import type { FlowState, RankingBlockName } from "./flow/state.js";
import type { Label } from "./labels.js";
import type { Study } from "./study/schema.js";

/** Platforms a participant can come from. Adding one means one adapter folder and one entry here. */
export const PLATFORMS = ["telegram", "slack", "console"] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface ParticipantRef {
  platform: Platform;
  platformUserId: string;
}

export interface ParticipantRecord {
  id: string;
  studyId: string;
  locale: string;
  status: ParticipantStatus;
}

export interface NewParticipant extends ParticipantRecord {
  platform: Platform;
  platformUserId: string;
  source: string | null;
  createdAt: string;
}

/**
 * Everything stored about a participant: what "/mydata" shows them and what
 * `chorus participant show|export` hands over on an access request. Never
 * the platform user id.
 */
export interface ParticipantDataSummary {
  participantId: string;
  platform: Platform;
  studyId: string;
  locale: string;
  status: ParticipantStatus;
  createdAt: string;
  source: string | null;
  consentVersion: string | null;
  consentedAt: string | null;
  screening: { questionId: string; optionId: string; passed: boolean; answeredAt: string }[];
  /** value null: "prefer not to say". */
  profile: { questionId: string; value: string | null; answeredAt: string }[];
  /** Completed scenarios, in the participant's order. */
  assessments: AssessmentSummary[];
}

/** One completed scenario: rankings in canonical labels with the order shown, rationales verbatim. */
export interface AssessmentSummary {
  scenarioId: string;
  /** 0-based place in the participant's sequence. */
  position: number;
  /** Canonical labels in the order shown, e.g. "CADB". */
  shownOrder: string;
  form: "long" | "short";
  locale: string;
  completedAt: string;
  blocks: { block: RankingBlockName; ranking: string; rationale: string | null }[];
  /** null when the study did not ask. */
  unacceptable: { labels: Label[]; rationale: string | null } | null;
}

/**
 * The store as the engine sees it. Every method is synchronous: one engine
 * call runs inside one `transaction`, with no await between read and write.
 */
export interface SurveyStore {
  /** A write transaction; called inside another one, a savepoint that rolls back alone if `fn` throws. */
  transaction<T>(fn: () => T): T;
  /**
   * Records a platform update/event id that has no participant state to live
   * in (first contact, withdrawal); false if it was already processed within
   * the store's window (a day), so an id the platform reuses later never
   * silences a newcomer. A participant's own inputs are remembered in their
   * state (recentEvents).
   */
  claimEvent(platform: Platform, eventId: string, at: string): boolean;
  findParticipant(ref: ParticipantRef): ParticipantRecord | undefined;
  createParticipant(participant: NewParticipant): void;
  /** The raw stored state document (validated by the engine), if any. */
  loadState(participantId: string): unknown;
  saveState(participantId: string, state: FlowState, at: string): void;
  applyEffect(participantId: string, effect: Effect): void;
  /** The study new participants join (the most recently published open one). */
  openStudy(): Study | undefined;
  study(studyId: string): Study | undefined;
  /** Completed assessments per scenario id of a study. */
  assessmentCounts(studyId: string): Map<string, number>;
  /** Scenario ids ever assigned to this participant. */
  assignedScenarioIds(participantId: string): Set<string>;
  /** Participants past the quota check whose profile matches every entry of `match`. */
  quotaCount(studyId: string, match: Record<string, string>): number;
  dataSummary(participantId: string): ParticipantDataSummary | undefined;
}

export interface Clock {
  now(): Date;
}

/** Detects the language of a rationale; optional so the core runs without a detector. */
export type LanguageDetector = (text: string) => { language: string; confidence: number } | null;

export type PlaceKind = "country" | "language";

/** A typed place: its ISO code, and whether the text named it (true) or only came close to a name (false). */
export interface PlaceMatch {
  code: string;
  exact: boolean;
}

/**
 * Matches what a participant typed for a country or language ("Deutschland",
 * "UK", "Mandarin", "Kenyaa") to an ISO 3166-1 / 639-1 code. `locales` are
 * the participant's, most preferred first. A close misspelling comes back
 * with `exact: false`, for the participant to confirm ("Did you mean Kenya?").
 */
export type PlaceMatcher = (kind: PlaceKind, typed: string, locales: readonly string[]) => PlaceMatch | null;
