import { type Command, Option } from "commander";
import type { Progress } from "../research/export/progress.js";
import { describeRedactions } from "../research/export/redact.js";
import { EXPORT_FORMATS, type ExportFormat, type ExportSummary, runExport } from "../research/export/run.js";
import {
  type CliIo,
  type CliRuntime,
  defaultIo,
  EXIT_CODES_HELP,
  printJson,
  runReadCommand,
  startProgress,
} from "./runtime.js";

/**
 * `chorus export`: research data out of the database, streamed (see
 * src/research/export). Participants appear only as annotator ids keyed
 * with EXPORT_SECRET; the command refuses to run without it.
 */

interface ExportCommandOptions {
  format: ExportFormat;
  out: string;
  study?: string;
  since?: string;
  license: string;
  redact?: boolean;
  json?: boolean;
}

/** Adapts the CLI's progress bar / plain lines to the exporters' tick interface. */
function progressReporter(io: CliIo): (total: number, label: string) => Progress {
  return (total, label) => {
    const progress = startProgress(io, label, total);
    let done = 0;
    return {
      tick(count = 1) {
        done += count;
        progress.update(done);
      },
      done() {
        progress.update(total);
        progress.stop();
      },
    };
  };
}

function describe(summary: ExportSummary): string {
  const what =
    summary.format === "ca1" || summary.format === "hf"
      ? `${summary.prompts} prompts, ${summary.annotators} annotators`
      : `${summary.rows} ${summary.format === "pairs" ? "pairs" : "rows"}`;
  return [
    `Exported ${summary.assessments} assessments (${what}) of ${summary.studies.join(", ") || "no study"} to ${summary.out} in ${summary.seconds.toFixed(1)} s`,
    ...(summary.redactions ? [`Redacted in rationales: ${describeRedactions(summary.redactions)}`] : []),
    `Codebook: ${summary.codebook.join(", ")}`,
  ].join("\n");
}

async function exportAction(runtime: CliRuntime, io: CliIo, options: ExportCommandOptions): Promise<number> {
  const summary = await runExport(runtime.database.sqlite, {
    format: options.format,
    out: options.out,
    studyId: options.study,
    since: options.since,
    secret: runtime.config.EXPORT_SECRET,
    license: options.license,
    redact: Boolean(options.redact),
    progress: progressReporter(io),
  });
  if (options.json) printJson(io, summary);
  else io.out(describe(summary));
  return 0;
}

export function registerExportCommand(program: Command, io: CliIo = defaultIo()): void {
  program
    .command("export")
    .description("Export research data (pseudonymous annotator ids; withdrawn participants are gone)")
    .addOption(
      new Option("--format <format>", "ca1 (public dataset layout, a folder), csv, pairs, parquet, hf (a folder)")
        .choices(EXPORT_FORMATS)
        .makeOptionMandatory(),
    )
    .requiredOption("--out <path>", "output file (csv, pairs, parquet) or folder (ca1, hf)")
    .option("--study <id>", "only this study (default: every study)")
    .option("--since <date>", "only assessments completed on or after this date (2026-03-01 or an ISO time)")
    .option("--license <id>", "licence written in the hf dataset card", "other")
    .option("--redact", "replace emails, phone numbers, URLs, @handles and mention ids in rationales with [email] etc.")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `\nNeeds EXPORT_SECRET (at least 16 characters): annotator_id = HMAC-SHA256(participant id, EXPORT_SECRET).
Every export writes a codebook beside it (codebook.json and .md): question wording per locale, option ids and
labels, consent and screening texts, study version, and the field dictionary (also in README.md, "Exports and analyses").${EXIT_CODES_HELP}`,
    )
    .action((options: ExportCommandOptions) => runReadCommand(io, (runtime) => exportAction(runtime, io, options)));
}
