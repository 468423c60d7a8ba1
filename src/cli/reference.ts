import type { Command } from "commander";
import { unreadable } from "../files.js";
import { importReferenceRankings, ReferenceImportError, readReferenceFile } from "../research/reference-import.js";
import { listReferenceSources } from "../store/reference-rankings.js";
import {
  type CliIo,
  type CliRuntime,
  CommandFailure,
  defaultIo,
  EXIT_CODES_HELP,
  formatTable,
  printJson,
  runCommand,
  runReadCommand,
  UsageError,
} from "./runtime.js";

/**
 * `chorus reference import FILE` and `chorus reference list`: rankings of
 * each scenario from an outside source (e.g. a model judging the responses
 * against a behaviour spec) that `chorus analyze` compares people with.
 */

interface ImportOptions {
  study?: string;
  json?: boolean;
}

async function referenceImportAction(
  runtime: CliRuntime,
  io: CliIo,
  file: string,
  options: ImportOptions,
): Promise<number> {
  const sqlite = runtime.database.sqlite;
  // A file that is not there is a bad argument (exit 2); one with bad lines is refused (exit 1).
  const problem = unreadable(file);
  if (problem) throw new UsageError(problem);
  let rankings: ReturnType<typeof readReferenceFile>;
  try {
    rankings = readReferenceFile(sqlite, file, { defaultStudyId: options.study });
  } catch (error) {
    if (error instanceof ReferenceImportError) {
      for (const problem of error.problems.slice(0, -1)) io.err(problem);
      throw new CommandFailure(error.problems.at(-1) ?? "invalid file");
    }
    throw error;
  }
  const summary = importReferenceRankings(sqlite, rankings);
  if (options.json) {
    printJson(io, summary);
  } else {
    for (const source of summary.sources) {
      io.out(`${source.source}${source.version ? ` v${source.version}` : ""}: ${source.scenarios} scenarios`);
    }
    io.out(`Imported ${summary.imported} reference rankings (${summary.replaced} replaced earlier ones)`);
  }
  return 0;
}

function referenceList(runtime: CliRuntime, io: CliIo, options: ImportOptions): number {
  const rows = listReferenceSources(runtime.database.sqlite, options.study);
  if (options.json) printJson(io, rows);
  else if (rows.length === 0) io.out("No reference rankings.");
  else {
    io.out(
      formatTable(
        ["study", "source", "version", "scenarios", "imported"],
        rows.map((row) => [row.study_id, row.source, row.version, row.scenarios, row.imported]),
      ),
    );
  }
  return 0;
}

export function registerReferenceCommands(program: Command, io: CliIo = defaultIo()): void {
  const reference = program
    .command("reference")
    .description("Reference rankings from outside sources, which `chorus analyze` compares people with");
  reference
    .command("import <file>")
    .description(
      "Load rankings per scenario from JSON Lines or CSV: scenario_id, ranking, source, version [, study_id]",
    )
    .option("--study <id>", "study for lines without study_id (default: the only study)")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `
Each line: {"scenario_id": "weather", "ranking": "D>A>B=C", "source": "spec-judge", "version": "2026-03"}
or CSV with the header scenario_id,ranking,source,version. Nothing is written unless every line is
valid; importing the same source again replaces its rankings of the scenarios listed.${EXIT_CODES_HELP}`,
    )
    .action((file: string, options: ImportOptions) =>
      runCommand(io, (runtime) => referenceImportAction(runtime, io, file, options)),
    );
  reference
    .command("list")
    .description("Reference sources per study, with versions and counts")
    .option("--study <id>", "only this study")
    .option("--json", "print as JSON")
    .action((options: ImportOptions) => runReadCommand(io, (runtime) => referenceList(runtime, io, options)));
}
