import type { ExportReads } from "../../store/export-reads.js";
import { COL, type RawRow } from "./assessment-rows.js";
import type { Progress } from "./progress.js";
import type { RedactionCounts } from "./redact.js";
import type { Scope } from "./scope.js";

/** What every export writer needs. */
export interface ExportContext {
  /** The database reads, scoped (src/store/export-reads.ts). */
  reads: ExportReads;
  scope: Scope;
  /** participant id → annotator id (keyed HMAC). */
  annotatorId: (participantId: string) => string;
  progress: Progress;
  /** Assessments per database read. */
  pageSize: number;
  /** Replace emails, phone numbers, URLs, handles and mentions in rationales (export --redact). */
  redact: boolean;
  /** When the export was made (the codebook records it). */
  now: () => Date;
}

/** Counts an export reports (and the dataset card prints). */
export interface ExportCounts {
  assessments: number;
  /** Lines or table rows written to the main file. */
  rows: number;
  annotators: number;
  prompts: number;
  /** Detected rationale language → number of rationales. */
  rationaleLanguages: Map<string, number>;
  uiLocales: Set<string>;
  /** Replacements made in rationales (each rationale counted once), or null without --redact. */
  redactions: RedactionCounts | null;
}

export function emptyCounts(): ExportCounts {
  return {
    assessments: 0,
    rows: 0,
    annotators: 0,
    prompts: 0,
    rationaleLanguages: new Map(),
    uiLocales: new Set(),
    redactions: null,
  };
}

/** Tallies the detected languages and UI locale of one assessment. */
export function countLanguages(row: RawRow, counts: ExportCounts): void {
  for (const column of [
    COL.world_rationale_language,
    COL.personal_rationale_language,
    COL.unacceptable_rationale_language,
  ]) {
    const language = row[column] as string | null;
    if (language) counts.rationaleLanguages.set(language, (counts.rationaleLanguages.get(language) ?? 0) + 1);
  }
  counts.uiLocales.add(row[COL.ui_locale] as string);
}

export function annotatorOf(context: ExportContext, row: RawRow): string {
  return context.annotatorId(row[COL.participant_id] as string);
}
