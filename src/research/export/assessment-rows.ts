import type {
  AssessmentPage,
  ExportReads,
  ParticipantInfo,
  RawRow,
  RowOrder,
  RowShape,
} from "../../store/export-reads.js";
import { COL } from "../../store/export-reads.js";
import type { ExportContext } from "./context.js";
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

/**
 * Each row of each page with its participant's details; once the caller has
 * taken a page's last row, the page counts on the export's progress.
 */
export function* assessmentRows(
  context: Pick<ExportContext, "reads" | "pageSize" | "progress">,
  order: RowOrder,
): Generator<{ row: RawRow; participant: ParticipantInfo }> {
  for (const page of assessmentPages(context.reads, order, context.pageSize)) {
    for (const row of page.rows) {
      const participant = page.participants.get(row[COL.participant_id] as string);
      if (!participant) throw new Error(`assessment ${row[COL.assessment_id]} has no participant`);
      yield { row, participant };
    }
    context.progress.tick(page.rows.length);
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
