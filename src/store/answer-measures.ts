import type Database from "better-sqlite3";
import { weightedLetterCount } from "../core/text/measure.js";
import { isBusyError } from "./busy.js";

/**
 * Measures kept beside each answer when it is recorded, so the analysis
 * compares numbers instead of re-reading every rationale and timestamp:
 *
 * - `assessments.reading_seconds`: reading_done_at − started_at in seconds,
 *   computed by SQLite exactly as the analysis used to (julianday, rounded to
 *   the millisecond);
 * - `ranking_blocks.rationale_weight`, `assessments.unacceptable_rationale_weight`:
 *   the rationale's weightedLetterCount, the measure its minimum is checked with.
 *
 * Rows recorded before migration 0008 are filled afterwards by
 * fillAnswerMeasures, in slices of a few thousand assessments, each in its
 * own short write transaction.
 */

/** The SQL of the reading time from two time expressions, readingDoneAt first in the text (also in migration 0008). */
export function readingSecondsSql(startedAt: string, readingDoneAt: string): string {
  return `round((julianday(${readingDoneAt}) - julianday(${startedAt})) * 86400.0, 3)`;
}

/** What is stored as a rationale's weight (null without a rationale). */
export function rationaleWeight(text: string | null | undefined): number | null {
  return typeof text === "string" ? weightedLetterCount(text) : null;
}

const ANSWER_MEASURES_BACKFILL = "answer_measures";
/** Assessments per slice: about 80 ms of work at 10% non-Latin rationales (slices of 4,000 took up to 0.9 s on a loaded machine). */
const DEFAULT_SLICE_ASSESSMENTS = 2000;

interface FillProgress {
  /** Slices committed by this call. */
  slices: number;
  /** Nothing left to fill (also when there never was anything). */
  done: boolean;
}

/**
 * Fills the measures of rows recorded before they were kept, one slice per
 * transaction, until done. Another process may write between slices; one
 * that finds the database locked longer than busy_timeout stops here and
 * the next open goes on (the analysis measures what is still missing).
 */
export function fillAnswerMeasures(
  sqlite: Database.Database,
  options: { sliceAssessments?: number; maxSlices?: number } = {},
): FillProgress {
  // (A database migrated from another folder than db/migrations may not have the table.)
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backfills'").get();
  if (!table) return { slices: 0, done: true };
  const pending = sqlite.prepare<[string], { next_id: number; last_id: number }>(
    "SELECT next_id, last_id FROM backfills WHERE name = ?",
  );
  if (!pending.get(ANSWER_MEASURES_BACKFILL)) return { slices: 0, done: true };
  const size = Math.max(1, options.sliceAssessments ?? DEFAULT_SLICE_ASSESSMENTS);
  const readingSeconds = sqlite.prepare<[number, number]>(
    `UPDATE assessments SET reading_seconds = ${readingSecondsSql("started_at", "reading_done_at")}
     WHERE id BETWEEN ? AND ?`,
  );
  const unacceptableTexts = sqlite.prepare<[number, number], [number, string]>(
    `SELECT id, unacceptable_rationale FROM assessments
     WHERE id BETWEEN ? AND ? AND unacceptable_rationale IS NOT NULL AND unacceptable_rationale_weight IS NULL`,
  );
  const setUnacceptable = sqlite.prepare<[number | null, number]>(
    "UPDATE assessments SET unacceptable_rationale_weight = ? WHERE id = ?",
  );
  const blockTexts = sqlite.prepare<[number, number], [number, string]>(
    `SELECT rowid, rationale FROM ranking_blocks
     WHERE assessment_id BETWEEN ? AND ? AND rationale IS NOT NULL AND rationale_weight IS NULL`,
  );
  const setBlock = sqlite.prepare<[number | null, number]>(
    "UPDATE ranking_blocks SET rationale_weight = ? WHERE rowid = ?",
  );
  const advance = sqlite.prepare<[number, string]>("UPDATE backfills SET next_id = ? WHERE name = ?");
  const finish = sqlite.prepare<[string]>("DELETE FROM backfills WHERE name = ?");

  const slice = sqlite.transaction((): boolean => {
    // Read under the lock: another process may be filling too.
    const job = pending.get(ANSWER_MEASURES_BACKFILL);
    if (!job) return true;
    const low = job.next_id;
    const high = Math.min(job.last_id, low + size - 1);
    readingSeconds.run(low, high);
    for (const [id, text] of unacceptableTexts.raw(true).all(low, high)) setUnacceptable.run(rationaleWeight(text), id);
    for (const [rowid, text] of blockTexts.raw(true).all(low, high)) setBlock.run(rationaleWeight(text), rowid);
    if (high >= job.last_id) {
      finish.run(ANSWER_MEASURES_BACKFILL);
      return true;
    }
    advance.run(high + 1, ANSWER_MEASURES_BACKFILL);
    return false;
  });

  let slices = 0;
  for (;;) {
    if (options.maxSlices !== undefined && slices >= options.maxSlices) return { slices, done: false };
    let done: boolean;
    try {
      done = slice.immediate();
    } catch (error) {
      if (isBusyError(error)) return { slices, done: false };
      throw error;
    }
    slices++;
    if (done) return { slices, done: true };
  }
}
