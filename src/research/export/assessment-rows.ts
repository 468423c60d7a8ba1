import type {
  AssessmentPage,
  ExportReads,
  ParticipantInfo,
  RawRow,
  RowOrder,
  RowShape,
} from "../../store/export-reads.js";
import { COL } from "../../store/export-reads.js";
import { createHeapTrimmer } from "./memory.js";
import type { Scope } from "./scope.js";

/**
 * How every export walks the assessments: the store's pages (see
 * src/store/export-reads.ts), with the heap trimmed between pages, or row
 * by row with each row's participant.
 */

export {
  COL,
  type ParticipantInfo,
  PREFER_NOT_TO_SAY,
  type RawRow,
  type RowOrder,
} from "../../store/export-reads.js";
export const DEFAULT_PAGE_SIZE = 1000;

/** The pages of `reads` in the given order, one full collection between pages when the heap has grown (memory.ts). */
export function* assessmentPages(
  reads: ExportReads,
  order: RowOrder,
  pageSize = DEFAULT_PAGE_SIZE,
  shape: RowShape = "typed",
): Generator<AssessmentPage> {
  const trimHeap = createHeapTrimmer();
  for (const page of reads.pages(order, pageSize, shape)) {
    yield page;
    trimHeap();
  }
}

/** Each row of each page with its participant's details. */
export function* assessmentRows(
  reads: ExportReads,
  order: RowOrder,
  pageSize = DEFAULT_PAGE_SIZE,
): Generator<{ row: RawRow; participant: ParticipantInfo; endOfPage: boolean }> {
  for (const page of assessmentPages(reads, order, pageSize)) {
    const last = page.rows.length - 1;
    for (let i = 0; i <= last; i++) {
      const row = page.rows[i] as RawRow;
      const participant = page.participants.get(row[COL.participant_id] as string);
      if (!participant) throw new Error(`assessment ${row[COL.assessment_id]} has no participant`);
      yield { row, participant, endOfPage: i === last };
    }
  }
}

/** The demographics of a participant: profile question id → answer. */
export function demographicsOf(participant: ParticipantInfo, scope: Scope): Record<string, string | null> {
  const demographics: Record<string, string | null> = {};
  scope.profile.forEach((question, i) => {
    demographics[question.id] = participant.profile[i] ?? null;
  });
  return demographics;
}
