import { z } from "zod";
import { LABELS } from "../labels.js";
import { parseRanking } from "../ranking.js";
import { unknownCommandMessage, unknownCommandWords } from "../text/command-words.js";

/**
 * The study definition file (YAML or JSON), validated whole before anything
 * is written. These schemas are the single source of the study types.
 */

const localeCode = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "expected a locale code such as en or pt-BR");

/** One text of a study author: `{{command:name}}` must name a command (see core/text/command-words.ts). */
const authorText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    for (const name of unknownCommandWords(text))
      ctx.addIssue({ code: "custom", message: unknownCommandMessage(name) });
  });

/** Text a study author writes: one string, or one per locale ({ en: "...", es: "..." }). */
export const LocalizedTextSchema = z.union([
  authorText,
  z.record(localeCode, authorText).refine((value) => Object.keys(value).length > 0, "expected at least one locale"),
]);
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "expected 1–64 characters of A-Z a-z 0-9 _ . -");

export const ChatMessageSchema = z.strictObject({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.string().min(1),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const LabelSchema = z.enum(LABELS);

const CandidateResponseSchema = z.strictObject({
  label: LabelSchema,
  text: z.string().min(1),
});

const rankingText = z.string().refine((text) => parseRanking(text).ok, "expected a ranking of A–D such as B>A=C>D");

export const ScenarioSchema = z
  .strictObject({
    id: slug,
    messages: z.array(ChatMessageSchema).min(1),
    responses: z.array(CandidateResponseSchema).length(4),
    tags: z.array(z.string().min(1)).default([]),
    /** A ranking from an outside source (e.g. a model judging against a behaviour spec). */
    referenceRanking: rankingText.optional(),
    /** An attention check: a scenario with an obviously best and/or worst response. */
    attentionCheck: z.strictObject({ best: LabelSchema.optional(), worst: LabelSchema.optional() }).optional(),
  })
  .refine((scenario) => new Set(scenario.responses.map((r) => r.label)).size === 4, {
    message: "responses must be labelled A, B, C and D, each once",
    path: ["responses"],
  });
export type Scenario = z.infer<typeof ScenarioSchema>;

const OptionSchema = z.strictObject({ id: slug, text: LocalizedTextSchema });

const ScreeningQuestionSchema = z
  .strictObject({
    id: slug,
    text: LocalizedTextSchema,
    options: z.array(OptionSchema).min(2).max(8),
    correct: slug,
  })
  .refine((q) => q.options.some((o) => o.id === q.correct), {
    message: "correct must be the id of one of the options",
    path: ["correct"],
  });

/**
 * Profile questions. "choice" offers the listed options; "country" and
 * "language" offer the listed options as shortcuts and accept any ISO code
 * or name typed by the participant. Every question also offers
 * "prefer not to say" (added by the engine, never written in the file).
 */
export const ProfileQuestionSchema = z.strictObject({
  id: slug,
  kind: z.enum(["choice", "country", "language"]).default("choice"),
  text: LocalizedTextSchema,
  options: z.array(OptionSchema).max(12).default([]),
});
export type ProfileQuestion = z.infer<typeof ProfileQuestionSchema>;

/**
 * A question about the scenario's prompt itself, answered with one tap on the
 * card after the rankings: CA-1 asks each annotator how important it is that
 * an AI answers the prompt well, how representative it is of what people ask,
 * and how subjective the best answer is. Scale and wording are the study's.
 */
export const PromptRatingSchema = z.strictObject({
  id: slug,
  /** A short name for the answered line on the card ("Importance"); the id if absent. */
  label: LocalizedTextSchema.optional(),
  text: LocalizedTextSchema,
  /** The scale's points, lowest first. */
  options: z.array(OptionSchema).min(2).max(7),
  /** The task forms that ask it. */
  forms: z
    .array(z.enum(["long", "short"]))
    .min(1)
    .default(["long", "short"]),
});
export type PromptRating = z.infer<typeof PromptRatingSchema>;

export const QuotaSchema = z.strictObject({
  /** Profile question ids that make a cell, e.g. [country_of_residence, age_band]. */
  dimensions: z.array(slug).min(1),
  /** Target participants per cell; a cell not listed uses `defaultTarget` (unlimited if absent). */
  cells: z
    .array(z.strictObject({ match: z.record(slug, z.string()), target: z.number().int().nonnegative() }))
    .default([]),
  defaultTarget: z.number().int().nonnegative().optional(),
});
export type Quota = z.infer<typeof QuotaSchema>;

export const StudySchema = z
  .strictObject({
    id: slug,
    version: z.number().int().positive().default(1),
    title: LocalizedTextSchema,
    /** The language scenarios and responses are written in. */
    language: localeCode.default("en"),
    consent: z.strictObject({ version: z.string().min(1), text: LocalizedTextSchema }),
    screening: z.array(ScreeningQuestionSchema).default([]),
    profile: z.array(ProfileQuestionSchema).default([]),
    briefing: LocalizedTextSchema,
    assignment: z
      .strictObject({
        scenariosPerParticipant: z.number().int().positive().default(3),
        /** The first N tasks use the long form (every block); the rest the short form (world only). */
        longFormTasks: z.number().int().nonnegative().default(1),
      })
      .prefault({}),
    blocks: z
      .strictObject({
        personal: z.boolean().default(true),
        unacceptable: z.boolean().default(true),
        allowTies: z.boolean().default(true),
      })
      .prefault({}),
    rationale: z
      .strictObject({
        /** Minimum length in letters of the rationale's script (see core/text/measure.ts). */
        minLetters: z.number().int().nonnegative().default(20),
        /** For the whole reason, however many messages it was sent in (Done closes it). */
        maxChars: z.number().int().positive().max(20_000).default(2000),
      })
      .prefault({}),
    /** Ratings of each scenario's prompt (CA-1's importance, representativeness, subjectivity); none by default. */
    promptRatings: z.array(PromptRatingSchema).max(5).default([]),
    quality: z.strictObject({ minSecondsPerResponse: z.number().nonnegative().default(3) }).prefault({}),
    quota: QuotaSchema.optional(),
    completionCode: z.string().min(1).optional(),
    scenarios: z.array(ScenarioSchema).min(1),
  })
  .superRefine((study, ctx) => {
    const seen = new Set<string>();
    study.scenarios.forEach((scenario, index) => {
      if (seen.has(scenario.id)) {
        ctx.addIssue({
          code: "custom",
          message: `duplicate scenario id "${scenario.id}"`,
          path: ["scenarios", index, "id"],
        });
      }
      seen.add(scenario.id);
    });
    const ratingIds = new Set<string>();
    study.promptRatings.forEach((rating, index) => {
      if (ratingIds.has(rating.id)) {
        ctx.addIssue({
          code: "custom",
          message: `duplicate prompt rating id "${rating.id}"`,
          path: ["promptRatings", index, "id"],
        });
      }
      ratingIds.add(rating.id);
    });
    const profileIds = new Set(study.profile.map((q) => q.id));
    for (const dimension of study.quota?.dimensions ?? []) {
      if (!profileIds.has(dimension)) {
        ctx.addIssue({
          code: "custom",
          message: `quota dimension "${dimension}" is not a profile question id`,
          path: ["quota", "dimensions"],
        });
      }
    }
  });
export type Study = z.infer<typeof StudySchema>;
export type StudyInput = z.input<typeof StudySchema>;
