import { foreignKey, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { PARTICIPANT_STATUSES } from "../core/flow/effects.js";
import type { FlowState } from "../core/flow/state.js";
import type { Label } from "../core/labels.js";
import { PLATFORMS } from "../core/ports.js";
import type { ChatMessage, LocalizedText } from "../core/study/schema.js";
import type { StoredDefinition } from "./stored-study.js";

/**
 * The one SQLite file every process shares. Names follow the domain words of
 * DESIGN.md. Timestamps are ISO-8601 text from the injected clock. Everything
 * about a participant hangs off `participants.id` with ON DELETE CASCADE, so
 * deleting that one row erases the participant's data (withdrawal).
 *
 * After editing: `flock /tmp/chorus-migrations.lock npm run db:generate` and
 * commit the schema together with the generated migration.
 */

export const STUDY_STATUSES = ["draft", "published", "closed"] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];
export const ASSIGNMENT_FORMS = ["long", "short"] as const;
export const RANKING_BLOCKS = ["world", "personal"] as const;
export const STAFF_ROLES = ["coordinator", "researcher", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Where an audited action came from: a platform or the command line. */
export const AUDIT_ORIGINS = [...PLATFORMS, "cli"] as const;
export type AuditOrigin = (typeof AUDIT_ORIGINS)[number];
export const BROADCAST_STATUSES = ["draft", "sending", "sent", "cancelled"] as const;
/** `skipped`: the participant paused, declined or became unreachable between create and send. */
export const DELIVERY_STATUSES = ["pending", "sent", "failed", "unreachable", "skipped"] as const;

export const studies = sqliteTable("studies", {
  id: text("id").primaryKey(),
  version: integer("version").notNull(),
  title: text("title", { mode: "json" }).$type<LocalizedText>().notNull(),
  /**
   * The validated Study (defaults applied) without its scenarios' texts: their ids in order
   * (src/store/stored-study.ts builds the full Study from `scenarios` and `candidate_responses`).
   */
  definition: text("definition", { mode: "json" }).$type<StoredDefinition>().notNull(),
  status: text("status", { enum: STUDY_STATUSES }).notNull().default("draft"),
  createdAt: text("created_at").notNull(),
  /** When the current version was imported. */
  updatedAt: text("updated_at").notNull(),
  publishedAt: text("published_at"),
  closedAt: text("closed_at"),
});

export const scenarios = sqliteTable(
  "scenarios",
  {
    studyId: text("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    position: integer("position").notNull(),
    messages: text("messages", { mode: "json" }).$type<ChatMessage[]>().notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    referenceRanking: text("reference_ranking"),
    attentionCheck: text("attention_check", { mode: "json" }).$type<{ best?: Label; worst?: Label }>(),
    /**
     * Completed assessments, kept by triggers on `assessments` (see the custom
     * migration). Assignment balancing reads this on every new participant;
     * counting with GROUP BY instead grows with the study.
     */
    assessmentCount: integer("assessment_count").notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.studyId, table.id] })],
);

export const candidateResponses = sqliteTable(
  "candidate_responses",
  {
    studyId: text("study_id").notNull(),
    scenarioId: text("scenario_id").notNull(),
    label: text("label", { enum: ["A", "B", "C", "D"] }).notNull(),
    text: text("text").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.studyId, table.scenarioId, table.label] }),
    foreignKey({
      columns: [table.studyId, table.scenarioId],
      foreignColumns: [scenarios.studyId, scenarios.id],
    }).onDelete("cascade"),
  ],
);

export const participants = sqliteTable(
  "participants",
  {
    /** Random id; the only participant identifier that ever leaves the database. */
    id: text("id").primaryKey(),
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    platformUserId: text("platform_user_id").notNull(),
    studyId: text("study_id")
      .notNull()
      .references(() => studies.id),
    locale: text("locale").notNull(),
    status: text("status", { enum: PARTICIPANT_STATUSES }).notNull(),
    /** Recruitment source (e.g. a deep-link payload). */
    source: text("source"),
    /** For a declined participant: the consent version they declined. */
    consentVersion: text("consent_version"),
    consentedAt: text("consented_at"),
    /** Passed the quota check; counts toward quota cells from then on. */
    admittedAt: text("admitted_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("participants_platform_user").on(table.platform, table.platformUserId),
    index("participants_study_status").on(table.studyId, table.status),
  ],
);

export const profileAnswers = sqliteTable(
  "profile_answers",
  {
    participantId: text("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    questionId: text("question_id").notNull(),
    /** null = "prefer not to say". */
    value: text("value"),
    answeredAt: text("answered_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.participantId, table.questionId] }),
    index("profile_answers_question_value").on(table.questionId, table.value),
  ],
);

export const screeningAnswers = sqliteTable(
  "screening_answers",
  {
    participantId: text("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    questionId: text("question_id").notNull(),
    optionId: text("option_id").notNull(),
    passed: integer("passed", { mode: "boolean" }).notNull(),
    answeredAt: text("answered_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.participantId, table.questionId] })],
);

export const flowStates = sqliteTable("flow_states", {
  participantId: text("participant_id")
    .primaryKey()
    .references(() => participants.id, { onDelete: "cascade" }),
  /**
   * The flow state document, rewritten on every input. Since `assignments`
   * has its own column it is left out of it; a row written before that (the
   * column still null) holds the whole document.
   */
  state: text("state", { mode: "json" }).$type<FlowState>().notNull(),
  step: integer("step").notNull(),
  updatedAt: text("updated_at").notNull(),
  /**
   * Raised by every write (a trigger raises it for writers that do not), so a
   * process that holds the state it saved last knows by this number alone
   * whether the row is still that state.
   */
  revision: integer("revision").notNull().default(0),
  /** The state's assignment plans (JSON), written only when they change: at admission and when more are started. */
  assignments: text("assignments", { mode: "json" }).$type<FlowState["assignments"]>(),
});

export const assignments = sqliteTable(
  "assignments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    participantId: text("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    studyId: text("study_id").notNull(),
    scenarioId: text("scenario_id").notNull(),
    position: integer("position").notNull(),
    /** Canonical labels in the order shown, e.g. "CADB". */
    shownOrder: text("shown_order").notNull(),
    form: text("form", { enum: ASSIGNMENT_FORMS }).notNull(),
    assignedAt: text("assigned_at").notNull(),
    startedAt: text("started_at"),
    completedAt: text("completed_at"),
  },
  (table) => [
    uniqueIndex("assignments_participant_scenario").on(table.participantId, table.studyId, table.scenarioId),
    index("assignments_study_scenario").on(table.studyId, table.scenarioId),
    foreignKey({ columns: [table.studyId, table.scenarioId], foreignColumns: [scenarios.studyId, scenarios.id] }),
  ],
);

export const assessments = sqliteTable(
  "assessments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    assignmentId: integer("assignment_id")
      .notNull()
      .references(() => assignments.id, { onDelete: "cascade" }),
    participantId: text("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    studyId: text("study_id").notNull(),
    scenarioId: text("scenario_id").notNull(),
    /** The participant's UI locale when answering. */
    locale: text("locale").notNull(),
    startedAt: text("started_at").notNull(),
    readingDoneAt: text("reading_done_at"),
    /** reading_done_at − started_at in seconds (to the millisecond), kept at record time for the speeder check. */
    readingSeconds: real("reading_seconds"),
    completedAt: text("completed_at").notNull(),
    /** Canonical labels judged unacceptable ([] = none); null when the study did not ask. */
    unacceptableLabels: text("unacceptable_labels", { mode: "json" }).$type<Label[]>(),
    unacceptableRationale: text("unacceptable_rationale"),
    unacceptableRationaleLanguage: text("unacceptable_rationale_language"),
    unacceptableRationaleConfidence: real("unacceptable_rationale_confidence"),
    /** weightedLetterCount of unacceptable_rationale, kept at record time (null: no rationale, or not yet measured). */
    unacceptableRationaleWeight: real("unacceptable_rationale_weight"),
    /** "all": the four responses were on one card; "paged": one open at a time (null: before cards). */
    layout: text("layout", { enum: ["all", "paged"] }),
    /** Times each response (canonical label) was shown before the first ranking; null before cards. */
    opens: text("opens", { mode: "json" }).$type<Record<Label, number>>(),
    /** Prompt rating id → option id (the study's promptRatings); null when the study asks none. */
    ratings: text("ratings", { mode: "json" }).$type<Record<string, string>>(),
  },
  (table) => [
    uniqueIndex("assessments_assignment").on(table.assignmentId),
    index("assessments_study_scenario").on(table.studyId, table.scenarioId),
    index("assessments_participant").on(table.participantId),
    foreignKey({ columns: [table.studyId, table.scenarioId], foreignColumns: [scenarios.studyId, scenarios.id] }),
  ],
);

export const rankingBlocks = sqliteTable(
  "ranking_blocks",
  {
    assessmentId: integer("assessment_id")
      .notNull()
      .references(() => assessments.id, { onDelete: "cascade" }),
    block: text("block", { enum: RANKING_BLOCKS }).notNull(),
    /** Canonical ranking text, e.g. "B>A=C>D". */
    ranking: text("ranking").notNull(),
    rationale: text("rationale"),
    rationaleLanguage: text("rationale_language"),
    rationaleConfidence: real("rationale_confidence"),
    /** weightedLetterCount of rationale, kept at record time (null: no rationale, or not yet measured). */
    rationaleWeight: real("rationale_weight"),
    /** How many messages the rationale was collected from (null: before multi-message reasons). */
    rationaleParts: integer("rationale_parts"),
    rankedAt: text("ranked_at").notNull(),
    rationaleAt: text("rationale_at"),
  },
  (table) => [primaryKey({ columns: [table.assessmentId, table.block] })],
);

export const staff = sqliteTable(
  "staff",
  {
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    platformUserId: text("platform_user_id").notNull(),
    role: text("role", { enum: STAFF_ROLES }).notNull(),
    addedAt: text("added_at").notNull(),
    addedBy: text("added_by").notNull(),
  },
  (table) => [primaryKey({ columns: [table.platform, table.platformUserId] })],
);

export const processedEvents = sqliteTable(
  "processed_events",
  {
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    eventId: text("event_id").notNull(),
    processedAt: text("processed_at").notNull(),
  },
  // Event ids claimed by a first contact or a withdrawal (later inputs' ids live in the participant's flow
  // state); a claim older than the deduplication window is taken afresh. One b-tree: no index on processed_at
  // (pruning old ids is rare and may scan), and WITHOUT ROWID, set by the custom migration 0004 (drizzle cannot
  // express it).
  (table) => [primaryKey({ columns: [table.platform, table.eventId] })],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    /** Who did it: a staff member ("telegram:123"), "participant:<id>", or "cli:<user>". */
    actor: text("actor").notNull(),
    origin: text("origin", { enum: AUDIT_ORIGINS }).notNull(),
    action: text("action").notNull(),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (table) => [index("audit_log_at").on(table.at)],
);

export const referenceRankings = sqliteTable(
  "reference_rankings",
  {
    studyId: text("study_id").notNull(),
    scenarioId: text("scenario_id").notNull(),
    /** Who ranked, e.g. "study-file" or a model name. */
    source: text("source").notNull(),
    sourceVersion: text("source_version"),
    ranking: text("ranking").notNull(),
    importedAt: text("imported_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.studyId, table.scenarioId, table.source] }),
    foreignKey({
      columns: [table.studyId, table.scenarioId],
      foreignColumns: [scenarios.studyId, scenarios.id],
    }).onDelete("cascade"),
  ],
);

/** Which participants a broadcast goes to; interpreted by src/broadcast/filter.ts. */
export type BroadcastFilter = Record<string, unknown>;

export const broadcasts = sqliteTable("broadcasts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  studyId: text("study_id").references(() => studies.id),
  createdAt: text("created_at").notNull(),
  createdBy: text("created_by").notNull(),
  /** Text per locale: { en: "...", es: "..." }. */
  messages: text("messages", { mode: "json" }).$type<Record<string, string>>().notNull(),
  /** Or a locales/ key rendered per participant. */
  messageKey: text("message_key"),
  withStartButton: integer("with_start_button", { mode: "boolean" }).notNull().default(false),
  filter: text("filter", { mode: "json" }).$type<BroadcastFilter>().notNull(),
  status: text("status", { enum: BROADCAST_STATUSES }).notNull().default("draft"),
  /** When `send` first moved it from draft to sending. */
  startedAt: text("started_at"),
  sentAt: text("sent_at"),
});

/**
 * Which process sends a platform's broadcast messages right now. One sender
 * per platform at a time keeps the pacing (e.g. Telegram's 30 messages/s per
 * bot) true across every process sharing the database. The holder renews
 * `expires_at` (epoch ms) while it works; a crashed holder's lease expires,
 * or is taken over at once when its pid is gone on the same host.
 */
export const broadcastLeases = sqliteTable("broadcast_leases", {
  platform: text("platform", { enum: PLATFORMS }).primaryKey(),
  /** `host:pid:random`, so a resumer on the same host can tell a dead holder. */
  owner: text("owner").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

export const deliveries = sqliteTable(
  "deliveries",
  {
    broadcastId: integer("broadcast_id")
      .notNull()
      .references(() => broadcasts.id, { onDelete: "cascade" }),
    participantId: text("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    locale: text("locale").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /**
     * Sends of this delivery cut short by an interruption (a crash, a kill -9)
     * after the claim: each may have reached the platform. A delivery sent
     * after one, or interrupted twice, may have gone twice (`broadcast status`).
     */
    interruptedSends: integer("interrupted_sends").notNull().default(0),
    lastError: text("last_error"),
    sentAt: text("sent_at"),
  },
  (table) => [
    primaryKey({ columns: [table.broadcastId, table.participantId] }),
    index("deliveries_status").on(table.broadcastId, table.status),
    index("deliveries_participant").on(table.participantId),
  ],
);

/**
 * Work a migration left to be done in slices after it (each slice its own
 * short transaction): the named job has filled the rows of ids below
 * `next_id`, up to `last_id` (the largest id when the migration ran; rows
 * written since are complete already). The row is deleted when done.
 */
export const backfills = sqliteTable("backfills", {
  name: text("name").primaryKey(),
  nextId: integer("next_id").notNull(),
  lastId: integer("last_id").notNull(),
});

/** Tables holding a `participant_id` column: withdrawal must leave none of them with a row. */
export const PARTICIPANT_TABLES = [
  "profile_answers",
  "screening_answers",
  "flow_states",
  "assignments",
  "assessments",
  "deliveries",
] as const;
