import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { prepareOutput } from "../files.js";
import { DEFAULT_MIN_GROUP_SIZE } from "../research/analysis/analyze.js";
import { PARTICIPANT_FIELDS } from "../research/analysis-data.js";
import { renderHtml } from "../research/report/html.js";
import { renderText } from "../research/report/text.js";
import { DEFAULT_CONFIDENCE, DEFAULT_REPLICATES, DEFAULT_SEED, runAnalysis } from "../research/run-analysis.js";
import {
  type CliIo,
  type CliRuntime,
  defaultIo,
  EXIT_CODES_HELP,
  printJson,
  runReadCommand,
  UsageError,
} from "./runtime.js";

/**
 * `chorus analyze`: per-scenario mean rank, Borda, first-choice share,
 * pairwise wins, Kendall's W and Krippendorff's α, agreement with the
 * reference ranking, the personal rankings likewise and their agreement
 * with the world ones, unacceptable shares, by group (or intersection) with
 * Kruskal–Wallis tests and Holm's correction, bootstrap intervals clustered
 * by participant; quality flags.
 */

interface AnalyzeCommandOptions {
  study?: string;
  by?: string;
  since?: string;
  reference?: string;
  json?: boolean;
  html?: string;
  excludeFlagged?: boolean;
  bootstrap: string;
  seed: string;
  confidence: string;
  minGroup: string;
}

function integer(text: string, name: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new UsageError(`--${name} ${text}: expected a whole number ≥ ${min}`);
  return value;
}

async function analyzeAction(runtime: CliRuntime, io: CliIo, options: AnalyzeCommandOptions): Promise<number> {
  const confidence = Number(options.confidence);
  if (!(confidence > 0 && confidence < 1)) {
    throw new UsageError(`--confidence ${options.confidence}: expected a number between 0 and 1, e.g. 0.95`);
  }
  const replicates = integer(options.bootstrap, "bootstrap", 0);
  const seed = integer(options.seed, "seed", 0);
  const minGroupSize = integer(options.minGroup, "min-group", 1);
  // Before the analysis: an --html that cannot be written fails at once, not after the bootstrap.
  if (options.html) prepareOutput(options.html, "file");
  const report = runAnalysis(runtime.database.sqlite, {
    studyId: options.study,
    by: options.by,
    since: options.since,
    reference: options.reference,
    excludeFlagged: Boolean(options.excludeFlagged),
    replicates,
    seed,
    confidence,
    minGroupSize,
  });
  if (options.html) writeFileSync(options.html, renderHtml(report));
  if (options.json) printJson(io, report);
  else if (options.html) io.out(`Report written to ${options.html}`);
  else io.out(renderText(report));
  return 0;
}

export function registerAnalyzeCommand(program: Command, io: CliIo = defaultIo()): void {
  program
    .command("analyze")
    .description("Rank statistics per scenario, agreement with the reference, by group, with bootstrap intervals")
    .option("--study <id>", "the study (default: the only one, or the most recently published)")
    .option(
      "--by <field>",
      `split by a profile question id or ${PARTICIPANT_FIELDS.join(" / ")}; two with a comma (age_band,gender) for intersections`,
    )
    .option("--since <date>", "only assessments completed on or after this date")
    .option("--reference <source>", "reference ranking source (default: the study file's, else the latest import)")
    .option(
      "--exclude-flagged",
      "drop speeders, short rationales, rankings made without opening every response and participants failing an attention check",
    )
    .option("--bootstrap <n>", "bootstrap replicates (0 = none)", String(DEFAULT_REPLICATES))
    .option("--seed <n>", "bootstrap seed (the same seed repeats the same intervals)", String(DEFAULT_SEED))
    .option("--confidence <level>", "interval coverage", String(DEFAULT_CONFIDENCE))
    .option(
      "--min-group <n>",
      "groups with fewer assessments are greyed, warned about and left out of group tests",
      String(DEFAULT_MIN_GROUP_SIZE),
    )
    .option("--json", "print the whole analysis as JSON")
    .option("--html <file>", "write a self-contained HTML report with charts")
    .addHelpText("after", EXIT_CODES_HELP)
    .action((options: AnalyzeCommandOptions) => runReadCommand(io, (runtime) => analyzeAction(runtime, io, options)));
}
