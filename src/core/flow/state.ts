import { z } from "zod";
import { LabelSchema } from "../study/schema.js";

/**
 * The participant's place in the journey, stored as one JSON document per
 * participant (validated on load). `step` increases with every transition
 * that shows new choices, so answers to older prompts can be recognised.
 */
export const PHASES = [
  "language",
  "consent",
  "screening",
  "profile",
  "briefing",
  "task",
  "completed",
  "declined",
  "screened_out",
  "quota_full",
  "no_scenarios",
] as const;
export const PhaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof PhaseSchema>;

/** Phases that end the journey; only help, my data and withdraw still do something. */
export const FINAL_PHASES: readonly Phase[] = ["completed", "declined", "screened_out", "quota_full", "no_scenarios"];

/**
 * Where the participant is inside one scenario. There is no separate reading
 * stage: the responses stay in reach (the card) on every stage, and ranking
 * can start at once; how often each response was opened is recorded instead.
 */
export const TaskStageSchema = z.enum([
  "ranking",
  "confirm",
  "rationale",
  "rating",
  "unacceptable",
  "unacceptable_rationale",
]);
export type TaskStage = z.infer<typeof TaskStageSchema>;

export const BlockSchema = z.enum(["world", "personal"]);
export type RankingBlockName = z.infer<typeof BlockSchema>;

export const AssignmentPlanSchema = z.object({
  scenarioId: z.string(),
  position: z.number().int().nonnegative(),
  shownOrder: z.string().length(4),
  form: z.enum(["long", "short"]),
});
export type AssignmentPlan = z.infer<typeof AssignmentPlanSchema>;

/** One tier pick while ranking: a display letter, tied or not with the previous pick. */
export const PickSchema = z.object({ label: LabelSchema, tied: z.boolean() });
export type Pick = z.infer<typeof PickSchema>;

export const BlockAnswerSchema = z.object({
  /** Canonical ranking text, e.g. "B>A=C>D". */
  ranking: z.string(),
  rationale: z.string().optional(),
  /** How many messages the rationale was collected from. */
  rationaleParts: z.number().int().positive().optional(),
  rankedAt: z.string(),
  rationaleAt: z.string().optional(),
});

/**
 * A free-text answer being collected: every message sent for it, in order,
 * until the participant presses Done (a split or second message is kept whole).
 */
export const DraftSchema = z.object({
  parts: z.array(z.string()),
  /** Time of the latest part: an identical part soon after it is a double send. */
  lastAt: z.string(),
  /** The latest part came from a media caption (shown, so Done confirms it). */
  fromCaption: z.boolean().default(false),
});
export type Draft = z.infer<typeof DraftSchema>;

/**
 * How the four responses are laid out on the card: all at once when they fit
 * the platform's message, else one open at a time with buttons to open another.
 */
export const CardLayoutSchema = z.enum(["all", "paged"]);
export type CardLayout = z.infer<typeof CardLayoutSchema>;

const PerDisplayCount = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]);

export const TaskProgressSchema = z.object({
  stage: TaskStageSchema,
  /** Blocks still to answer in this task, current first. */
  blocks: z.array(BlockSchema),
  layout: CardLayoutSchema,
  /** The response open on the card (display index 0–3; with "all", the last one opened). */
  open: z.number().int().min(0).max(3),
  /** Times each response (by display index) was shown, counting the card's first display. */
  opens: PerDisplayCount,
  /** `opens` when the first ranking was confirmed: "who ranked without reading" in the data. */
  opensAtRanking: PerDisplayCount.optional(),
  picks: z.array(PickSchema),
  answers: z.partialRecord(BlockSchema, BlockAnswerSchema).default({}),
  /** Canonical labels marked unacceptable. */
  unacceptable: z.array(LabelSchema).default([]),
  unacceptableRationale: z.string().optional(),
  /** Prompt rating id → option id (the study's promptRatings). */
  ratings: z.record(z.string(), z.string()).default({}),
  draft: DraftSchema.optional(),
  startedAt: z.string(),
  /** When the first ranking input arrived (the end of reading, as far as the data can tell). */
  readingDoneAt: z.string().optional(),
});
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

/** The version `FlowStateSchema` validates; older stored states are migrated (state-migrations.ts). */
export const FLOW_STATE_VERSION = 2;

export const FlowStateSchema = z.object({
  schemaVersion: z.literal(FLOW_STATE_VERSION),
  studyId: z.string(),
  phase: PhaseSchema,
  step: z.number().int().nonnegative(),
  locale: z.string(),
  paused: z.boolean().default(false),
  /** A confirmation the participant was asked for (withdraw), answered by the next choice. */
  confirming: z.enum(["withdraw"]).optional(),
  /** While choosing a language mid-survey: the phase to return to. */
  changingLanguage: z.boolean().default(false),
  questionIndex: z.number().int().nonnegative().default(0),
  /** The profile question awaiting a typed answer ("other" country / language). */
  typingAnswer: z.boolean().default(false),
  /** The ISO code offered for a misspelt typed answer ("Did you mean Kenya?"), until answered. */
  placeSuggestion: z.string().optional(),
  /** Profile answers so far (null: prefer not to say), for the quota check; emptied once it is made. */
  profile: z.record(z.string(), z.string().nullable()).default({}),
  assignments: z.array(AssignmentPlanSchema).default([]),
  taskIndex: z.number().int().nonnegative().default(0),
  task: TaskProgressSchema.optional(),
  phaseStartedAt: z.string(),
  /**
   * The platform event ids of this participant's latest inputs (newest last,
   * at most RECENT_EVENTS): a redelivered update is recognised here, in the
   * row every input writes anyway, instead of one stored row per input.
   */
  recentEvents: z.array(z.string()).default([]),
});
/** How many event ids a state remembers; a platform redelivers only the last few unconfirmed updates. */
export const RECENT_EVENTS = 16;
export type FlowState = z.infer<typeof FlowStateSchema>;
