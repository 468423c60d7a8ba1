import { textIn } from "./localized.js";
import type { Scope } from "./scope.js";

/**
 * The study's prompt ratings (CA-1's importance, representativeness,
 * subjectivity) in the exports. In the assessment records (ca1, merged,
 * hf) each is a top-level key named by the rating id holding the option id
 * (`"importance": "3"`), beside `<id>_label`, that option's label in the
 * study's language (readable without the codebook); in the flat table a
 * column `rating_<id>` holds the option id. Every rating of the studies in
 * scope is present on every record: null when not asked (its form, another
 * study, or an assessment from before ratings).
 */

/** Keys the assessment records already use (ca1.ts); a rating id among them is written `rating_<id>`. */
export const TAKEN_KEYS: ReadonlySet<string> = new Set([
  "prompt_id",
  "study_id",
  "prompt",
  "responses",
  "annotator_id",
  "demographics",
  "declared_native_language",
  "platform",
  "assessment_id",
  "ranking_blocks",
  "unacceptable_asked",
  "layout",
  "opens",
  "ranked_without_opening_all",
  "shown_order",
  "form",
  "position",
  "ui_locale",
  "started_at",
  "reading_done_at",
  "completed_at",
  "reading_seconds",
  "total_seconds",
]);

export interface RatingField {
  id: string;
  /** The record key holding the option id. */
  key: string;
  /** The record key holding the option's label in the study language. */
  labelKey: string;
  /** The flat table's column. */
  column: string;
}

export function ratingFields(scope: Scope): RatingField[] {
  const ids = new Set(scope.ratings);
  return scope.ratings.map((id) => {
    const clash = TAKEN_KEYS.has(id) || TAKEN_KEYS.has(`${id}_label`) || ids.has(`${id}_label`);
    const key = clash ? `rating_${id}` : id;
    return { id, key, labelKey: `${key}_label`, column: `rating_${id}` };
  });
}

/** Reads an assessment's stored ratings (JSON rating id → option id) as option ids in ratingFields order. */
export function ratingOptions(scope: Scope): (stored: string | null) => (string | null)[] {
  const none = scope.ratings.map(() => null);
  if (scope.ratings.length === 0) return () => none;
  return (stored) => {
    if (stored === null) return none;
    const answers = JSON.parse(stored) as Record<string, string>;
    return scope.ratings.map((id) => answers[id] ?? null);
  };
}

/**
 * The labels of a study's answered options, in the study's language (null:
 * not answered, or an option the study no longer has).
 */
export function ratingLabels(scope: Scope): (studyId: string, options: (string | null)[]) => (string | null)[] {
  const labels = new Map<string, Map<string, Map<string, string>>>();
  for (const study of scope.studies) {
    labels.set(
      study.id,
      new Map(
        study.promptRatings.map((rating) => [
          rating.id,
          new Map(rating.options.map((option) => [option.id, textIn(option.text, study.language)])),
        ]),
      ),
    );
  }
  return (studyId, options) => {
    const studyLabels = labels.get(studyId);
    return options.map((option, i) =>
      option === null ? null : (studyLabels?.get(scope.ratings[i] as string)?.get(option) ?? null),
    );
  };
}
