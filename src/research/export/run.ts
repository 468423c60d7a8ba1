import type Database from "better-sqlite3";
import { OutputPathError, prepareOutput } from "../../files.js";
import { createAnnotatorIds, requireExportSecret } from "../annotator-id.js";
import { countAssessments, DEFAULT_PAGE_SIZE } from "./assessment-rows.js";
import { writeCa1 } from "./ca1.js";
import type { ExportContext } from "./context.js";
import { writeCsv } from "./csv-export.js";
import { writePairs, writeParquet } from "./flat-writers.js";
import { writeHf } from "./hf.js";
import type { Progress } from "./progress.js";
import { ResearchError, resolveScope } from "./scope.js";

export const EXPORT_FORMATS = ["ca1", "csv", "pairs", "parquet", "hf"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** A file (csv, pairs, parquet) or a folder (ca1, hf). */
  out: string;
  studyId?: string | undefined;
  since?: string | undefined;
  /** EXPORT_SECRET from the config; the export refuses to run without it. */
  secret: string | undefined;
  /** Dataset card licence (hf). */
  license?: string;
  /** Assessments read per query (default 5000); tests use tiny pages to cross page boundaries. */
  pageSize?: number;
  /** Builds the progress reporter once the number of assessments is known. */
  progress: (total: number, label: string) => Progress;
}

export interface ExportSummary {
  format: ExportFormat;
  out: string;
  studies: string[];
  assessments: number;
  /** Rows or lines of the main file (blocks for csv/parquet, pairs for pairs, prompts for ca1). */
  rows: number;
  annotators: number | null;
  prompts: number | null;
  seconds: number;
}

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Runs one export. Everything streams from one read transaction's snapshot
 * (WAL readers never block the bots), so the files agree with each other
 * even while participants keep answering.
 */
export async function runExport(sqlite: Database.Database, options: ExportOptions): Promise<ExportSummary> {
  if (!isExportFormat(options.format)) {
    throw new ResearchError(`Unknown export format "${options.format}" (use ${EXPORT_FORMATS.join(", ")})`);
  }
  const annotatorId = createAnnotatorIds(requireExportSecret(options.secret));
  const started = performance.now();
  const scope = resolveScope(sqlite, { studyId: options.studyId, since: options.since });
  const folderFormat = options.format === "ca1" || options.format === "hf";
  try {
    prepareOutput(options.out, folderFormat ? "folder" : "file");
  } catch (error) {
    if (error instanceof OutputPathError) throw new ResearchError(error.message);
    throw error;
  }

  sqlite.exec("BEGIN");
  try {
    const total = countAssessments(sqlite, scope);
    // ca1 reads the assessments twice (by prompt, then by annotator); hf reads them four times.
    const passes = options.format === "ca1" ? 2 : options.format === "hf" ? 4 : 1;
    const progress = options.progress(total * passes, `export ${options.format}`);
    const context: ExportContext = {
      sqlite,
      scope,
      annotatorId,
      progress,
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    };
    const summary = { format: options.format, out: options.out, studies: scope.studies.map((s) => s.id) };
    let result: Omit<ExportSummary, keyof typeof summary | "seconds">;
    switch (options.format) {
      case "csv":
      case "pairs":
      case "parquet": {
        const write = { csv: writeCsv, pairs: writePairs, parquet: writeParquet }[options.format];
        const counts = await write(context, options.out);
        result = { assessments: counts.assessments, rows: counts.rows, annotators: null, prompts: null };
        break;
      }
      case "ca1": {
        const counts = await writeCa1(context, options.out);
        result = {
          assessments: counts.assessments,
          rows: counts.prompts,
          annotators: counts.annotators,
          prompts: counts.prompts,
        };
        break;
      }
      case "hf": {
        const counts = await writeHf(context, options.out, { license: options.license ?? "other" });
        result = {
          assessments: counts.ca1.assessments,
          rows: counts.flat.rows,
          annotators: counts.ca1.annotators,
          prompts: counts.ca1.prompts,
        };
        break;
      }
    }
    progress.done();
    return { ...summary, ...result, seconds: (performance.now() - started) / 1000 };
  } finally {
    sqlite.exec("COMMIT");
  }
}
