import type { Label } from "../labels.js";
import type { AssignmentPlan, RankingBlockName } from "./state.js";

/**
 * What a transition asks the store to record, besides the new state.
 * The engine applies them in the same transaction as the state save.
 * Timestamps are ISO strings from the injected clock.
 */
export type Effect =
  | { type: "locale_set"; locale: string }
  | { type: "consent_given"; consentVersion: string; at: string }
  /** Declining keeps nothing but the refusal: profile and answers are erased. */
  | { type: "consent_declined"; consentVersion: string; at: string }
  | { type: "screening_answered"; questionId: string; optionId: string; passed: boolean; at: string }
  /** `value` null means "prefer not to say". */
  | { type: "profile_answered"; questionId: string; value: string | null; at: string }
  | { type: "status_changed"; status: ParticipantStatus; at: string }
  /** Passed the quota check: counts toward the quota cells from now on. */
  | { type: "admitted"; at: string }
  | { type: "assignments_created"; assignments: AssignmentPlan[]; at: string }
  | { type: "assignment_started"; position: number; at: string }
  | { type: "assessment_recorded"; assessment: AssessmentRecord }
  /** Withdraw: every row about the participant is deleted. */
  | { type: "participant_deleted"; at: string };

export const PARTICIPANT_STATUSES = [
  "active",
  "paused",
  "completed",
  "declined",
  "screened_out",
  "quota_full",
  "unreachable",
] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

export interface RationaleRecord {
  text: string;
  /** Language detected from the text (BCP 47 primary tag) and the detector's confidence 0–1. */
  detectedLanguage: string | null;
  detectedConfidence: number | null;
}

export interface BlockRecord {
  block: RankingBlockName;
  /** Canonical ranking text, e.g. "B>A=C>D". */
  ranking: string;
  rationale: RationaleRecord | null;
  /** How many messages the rationale was collected from (null: none asked, or an older release). */
  rationaleParts?: number | null;
  rankedAt: string;
  rationaleAt: string | null;
}

export interface AssessmentRecord {
  position: number;
  scenarioId: string;
  shownOrder: string;
  form: "long" | "short";
  blocks: BlockRecord[];
  /** Canonical labels judged unacceptable (empty: none), with the rationale if any. */
  unacceptable: { labels: Label[]; rationale: RationaleRecord | null } | null;
  /** Prompt rating id → option id, for the ratings the study asks on this form. */
  ratings?: Record<string, string>;
  /** "all": the four responses were on the card together; "paged": one open at a time. */
  layout?: "all" | "paged";
  /** Times each response (canonical label) was shown before the first ranking was confirmed. */
  opens?: Record<Label, number>;
  startedAt: string;
  readingDoneAt: string | null;
  completedAt: string;
  /** The participant's UI locale when answering. */
  locale: string;
}
