import { CONTEXT_COLUMNS } from "../../store/export-reads.js";
import { COL, type ParticipantInfo, type RawRow } from "./assessment-rows.js";
import { CARD_COLUMNS, cardCells, opensCounts } from "./card.js";
import { ratingFields } from "./ratings.js";
import type { TextFilter } from "./redact.js";
import type { Scope } from "./scope.js";

/**
 * The flat table (CSV and Parquet): one row per assessment block: `world`,
 * `personal` (long-form tasks) and `unacceptable` (when the study asked).
 * A row is three parts: the block's own fields, the assessment's context
 * (the same on every block row of an assessment: timings, the card's
 * layout and opens, the prompt ratings) and the participant's profile
 * answers, so the CSV writer formats the shared parts once.
 * Every column is documented in README.md ("Exports and analyses").
 */

const FLAT_HEAD_COLUMNS = ["study_id", "scenario_id", "assessment_id", "annotator_id"] as const;
const FLAT_BLOCK_COLUMNS = [
  "block",
  "ranking",
  "unacceptable_labels",
  "rationale",
  "rationale_language",
  "rationale_language_confidence",
  "rationale_parts",
  "ranked_at",
  "rationale_at",
] as const;
export const FLAT_CONTEXT_COLUMNS = [...CONTEXT_COLUMNS, ...CARD_COLUMNS] as const;
/** Then the participant's: where they took part and their declared native language, then the profile. */
const FLAT_PARTICIPANT_COLUMNS = ["platform", "declared_native_language"] as const;
const FLAT_FIXED_COLUMNS = [
  ...FLAT_HEAD_COLUMNS,
  ...FLAT_BLOCK_COLUMNS,
  ...FLAT_CONTEXT_COLUMNS,
  ...FLAT_PARTICIPANT_COLUMNS,
];

/**
 * The fixed columns with a `rating_<id>` column per prompt rating after the
 * assessment's context, and a column per profile question at the end, named
 * by its id (prefixed `profile_` only if that clashes).
 */
export function flatColumns(scope: Scope): string[] {
  const ratings = ratingFields(scope).map((rating) => rating.column);
  const taken = new Set<string>([...FLAT_FIXED_COLUMNS, ...ratings]);
  return [
    ...FLAT_HEAD_COLUMNS,
    ...FLAT_BLOCK_COLUMNS,
    ...FLAT_CONTEXT_COLUMNS,
    ...ratings,
    ...FLAT_PARTICIPANT_COLUMNS,
    ...scope.profile.map((question) => (taken.has(question.id) ? `profile_${question.id}` : question.id)),
  ];
}

/** Canonical labels judged unacceptable, from the stored JSON array; null when the study did not ask. */
export function unacceptableLabels(row: RawRow): string[] | null {
  const stored = row[COL.unacceptable_labels] as string | null;
  return stored === null ? null : (JSON.parse(stored) as string[]);
}

export function flatHead(row: RawRow, annotatorId: string): unknown[] {
  return [row[COL.study_id], row[COL.scenario_id], row[COL.assessment_id], annotatorId];
}

/** The block parts (FLAT_BLOCK_COLUMNS) of one assessment: 1 to 3 of them; `text` filters the rationales. */
export function flatBlocks(row: RawRow, text: TextFilter): unknown[][] {
  const blocks: unknown[][] = [];
  for (const block of ["world", "personal"] as const) {
    const ranking = row[COL[`${block}_ranking`]];
    if (ranking === null) continue;
    blocks.push([
      block,
      ranking,
      null,
      text(row[COL[`${block}_rationale`]]),
      row[COL[`${block}_rationale_language`]],
      row[COL[`${block}_rationale_confidence`]],
      row[COL[`${block}_rationale_parts`]],
      row[COL[`${block}_ranked_at`]],
      row[COL[`${block}_rationale_at`]],
    ]);
  }
  const labels = unacceptableLabels(row);
  if (labels !== null) {
    blocks.push([
      "unacceptable",
      null,
      labels.join(","),
      text(row[COL.unacceptable_rationale]),
      row[COL.unacceptable_rationale_language],
      row[COL.unacceptable_rationale_confidence],
      null,
      null,
      null,
    ]);
  }
  return blocks;
}

/** The opens counts of A–D. */
export function opensOf(row: RawRow): readonly unknown[] {
  return opensCounts(row[COL.opens]);
}

/** FLAT_CONTEXT_COLUMNS of one assessment, then its rating columns. */
export function flatContext(row: RawRow, ratingOptions: (stored: string | null) => unknown[]): unknown[] {
  return [
    row[COL.ui_locale],
    row[COL.position],
    row[COL.shown_order],
    row[COL.form],
    row[COL.started_at],
    row[COL.reading_done_at],
    row[COL.completed_at],
    row[COL.reading_seconds],
    row[COL.total_seconds],
    ...cardCells(row[COL.layout], opensOf(row)),
    ...ratingOptions(row[COL.ratings] as string | null),
  ];
}

/** FLAT_PARTICIPANT_COLUMNS and the profile answers. */
export function flatParticipant(participant: ParticipantInfo): unknown[] {
  return [participant.platform, participant.declaredLanguage, ...participant.profile];
}
