import { basename, dirname, extname, join } from "node:path";
import { OutputPathError, prepareOutput } from "../../files.js";
import { createExportReads, type ExportDatabase, inReadSnapshot } from "../../store/export-reads.js";
import { createAnnotatorIds, requireExportSecret } from "../annotator-id.js";
import { DEFAULT_PAGE_SIZE } from "./assessment-rows.js";
import { type CodebookFile, writeCodebook } from "./codebook.js";
import type { ExportContext, ExportCounts } from "./context.js";
import { ANNOTATOR_FIELDS, COMPARISON_FIELDS, FLAT_FIELDS, MERGED_FIELDS, PAIR_FIELDS } from "./fields.js";
import type { HfConfig } from "./hf.js";
import type { Progress } from "./progress.js";
import type { RedactionCounts } from "./redact.js";
import { ResearchError, resolveScope } from "./scope.js";

export const EXPORT_FORMATS = ["ca1", "csv", "pairs", "parquet", "hf"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface ExportOptions {
  format: ExportFormat;
  /** A file (csv, pairs, parquet) or a folder (ca1, hf). */
  out: string;
  studyId?: string | undefined;
  since?: string | undefined;
  /** EXPORT_SECRET from the config; the export refuses to run without it. */
  secret: string | undefined;
  /** Dataset card licence (hf). */
  license?: string;
  /** Replace emails, phone numbers, URLs, @handles and mention ids in rationales with typed placeholders. */
  redact?: boolean;
  /** The export's time (the codebook records it); default now. */
  now?: () => Date;
  /** Assessments read per query (default 1000); tests use tiny pages to cross page boundaries. */
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
  /** Placeholders written per kind (each rationale counted once), or null without --redact. */
  redactions: RedactionCounts | null;
  /** The codebook files written beside the data. */
  codebook: string[];
  seconds: number;
}

/** `FOLDER/codebook` for folder formats, `DIR/NAME.codebook` beside a file (NAME without its extension). */
function codebookBase(options: ExportOptions): string {
  if (options.format === "ca1" || options.format === "hf") return join(options.out, "codebook");
  const name = basename(options.out, extname(options.out));
  return join(dirname(options.out), `${name}.codebook`);
}

function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Runs one export. Everything streams from one read transaction's snapshot
 * (WAL readers never block the bots), so the files agree with each other
 * even while participants keep answering.
 */
export async function runExport(sqlite: ExportDatabase, options: ExportOptions): Promise<ExportSummary> {
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

  const reads = createExportReads(sqlite, scope);
  return inReadSnapshot(sqlite, async () => {
    const total = reads.count();
    // ca1 reads the assessments twice (by prompt, then by annotator); hf reads them four times.
    const passes = options.format === "ca1" ? 2 : options.format === "hf" ? 4 : 1;
    const progress = options.progress(total * passes, `export ${options.format}`);
    const context: ExportContext = {
      reads,
      scope,
      annotatorId,
      progress,
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      redact: options.redact ?? false,
      now: options.now ?? (() => new Date()),
    };
    const summary = { format: options.format, out: options.out, studies: scope.studies.map((s) => s.id) };
    let result: Omit<ExportSummary, keyof typeof summary | "seconds" | "codebook">;
    let files: CodebookFile[];
    switch (options.format) {
      case "csv":
      case "pairs":
      case "parquet": {
        const counts: ExportCounts = await (await flatWriter(options.format))(context, options.out);
        result = {
          assessments: counts.assessments,
          rows: counts.rows,
          annotators: null,
          prompts: null,
          redactions: counts.redactions,
        };
        files = [{ file: basename(options.out), fields: options.format === "pairs" ? PAIR_FIELDS : FLAT_FIELDS }];
        break;
      }
      case "ca1": {
        const { CA1_FILES, writeCa1 } = await import("./ca1.js");
        const counts = await writeCa1(context, options.out);
        result = {
          assessments: counts.assessments,
          rows: counts.prompts,
          annotators: counts.annotators,
          prompts: counts.prompts,
          redactions: counts.redactions,
        };
        files = [
          { file: CA1_FILES.comparisons, fields: COMPARISON_FIELDS },
          { file: CA1_FILES.annotators, fields: ANNOTATOR_FIELDS },
          { file: CA1_FILES.merged, fields: MERGED_FIELDS },
        ];
        break;
      }
      case "hf": {
        const { HF_CONFIGS, HF_FIELD_DOCS, writeHf } = await import("./hf.js");
        const counts = await writeHf(context, options.out, { license: options.license ?? "other" });
        result = {
          assessments: counts.ca1.assessments,
          rows: counts.flat.rows,
          annotators: counts.ca1.annotators,
          prompts: counts.ca1.prompts,
          redactions: counts.flat.redactions,
        };
        files = (Object.entries(HF_CONFIGS) as [HfConfig, string][]).map(([config, file]) => ({
          file,
          fields: HF_FIELD_DOCS[config],
        }));
        break;
      }
    }
    const codebook = writeCodebook(context, codebookBase(options), {
      format: options.format,
      files,
      redactions: result.redactions,
    });
    progress.done();
    return { ...summary, ...result, codebook, seconds: (performance.now() - started) / 1000 };
  });
}

/**
 * The writer of a one-file format, imported when its format runs: the CSV
 * export does not load the Parquet writer (start-up counts against every
 * export; see bench/README.md).
 */
async function flatWriter(
  format: "csv" | "pairs" | "parquet",
): Promise<(context: ExportContext, path: string) => ExportCounts | Promise<ExportCounts>> {
  if (format === "csv") return (await import("./csv-export.js")).writeCsv;
  const { writePairs, writeParquet } = await import("./flat-writers.js");
  return format === "pairs" ? writePairs : writeParquet;
}
