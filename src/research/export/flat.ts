import { COL, PROFILE_START, type RawRow } from "./assessment-rows.js";
import type { Scope } from "./scope.js";

/**
 * The flat table (CSV and Parquet): one row per assessment block: `world`,
 * `personal` (long-form tasks) and `unacceptable` (when the study asked),
 * each carrying the assessment's context, timings and the annotator's
 * demographics. Every column is documented in README.md ("Exports and
 * analyses") and in the dataset card.
 */

export const FLAT_FIXED_COLUMNS = [
  "study_id",
  "scenario_id",
  "assessment_id",
  "annotator_id",
  "block",
  "ranking",
  "unacceptable_labels",
  "rationale",
  "rationale_language",
  "rationale_language_confidence",
  "declared_native_language",
  "ui_locale",
  "platform",
  "position",
  "shown_order",
  "form",
  "started_at",
  "reading_done_at",
  "ranked_at",
  "rationale_at",
  "completed_at",
  "reading_seconds",
  "total_seconds",
] as const;

/** Demographic columns are named by profile question id (prefixed `profile_` only if that clashes). */
export function flatColumns(scope: Scope): string[] {
  const fixed = new Set<string>(FLAT_FIXED_COLUMNS);
  return [
    ...FLAT_FIXED_COLUMNS,
    ...scope.profile.map((question) => (fixed.has(question.id) ? `profile_${question.id}` : question.id)),
  ];
}

/** Canonical labels judged unacceptable, from the stored JSON array; null when the study did not ask. */
export function unacceptableLabels(row: RawRow): string[] | null {
  const stored = row[COL.unacceptable_labels] as string | null;
  return stored === null ? null : (JSON.parse(stored) as string[]);
}

/**
 * Appends the flat rows of one assessment to `out` (1 to 3 of them) and
 * returns how many were added. Cells are strings, numbers or null.
 */
export function appendFlatRows(row: RawRow, annotatorId: string, profileCount: number, out: unknown[][]): number {
  const before = out.length;
  const profile = profileCount > 0 ? row.slice(PROFILE_START, PROFILE_START + profileCount) : [];
  const make = (
    block: string,
    ranking: unknown,
    labels: string | null,
    rationale: unknown,
    language: unknown,
    confidence: unknown,
    rankedAt: unknown,
    rationaleAt: unknown,
  ) => [
    row[COL.study_id],
    row[COL.scenario_id],
    row[COL.assessment_id],
    annotatorId,
    block,
    ranking,
    labels,
    rationale,
    language,
    confidence,
    row[COL.declared_native_language],
    row[COL.ui_locale],
    row[COL.platform],
    row[COL.position],
    row[COL.shown_order],
    row[COL.form],
    row[COL.started_at],
    row[COL.reading_done_at],
    rankedAt,
    rationaleAt,
    row[COL.completed_at],
    row[COL.reading_seconds],
    row[COL.total_seconds],
    ...profile,
  ];
  if (row[COL.world_ranking] !== null) {
    out.push(
      make(
        "world",
        row[COL.world_ranking],
        null,
        row[COL.world_rationale],
        row[COL.world_rationale_language],
        row[COL.world_rationale_confidence],
        row[COL.world_ranked_at],
        row[COL.world_rationale_at],
      ),
    );
  }
  if (row[COL.personal_ranking] !== null) {
    out.push(
      make(
        "personal",
        row[COL.personal_ranking],
        null,
        row[COL.personal_rationale],
        row[COL.personal_rationale_language],
        row[COL.personal_rationale_confidence],
        row[COL.personal_ranked_at],
        row[COL.personal_rationale_at],
      ),
    );
  }
  const labels = unacceptableLabels(row);
  if (labels !== null) {
    out.push(
      make(
        "unacceptable",
        null,
        labels.join(","),
        row[COL.unacceptable_rationale],
        row[COL.unacceptable_rationale_language],
        row[COL.unacceptable_rationale_confidence],
        null,
        null,
      ),
    );
  }
  return out.length - before;
}
