import type { Command } from "commander";
import type { Study } from "../core/study/schema.js";
import { recordAudit } from "../staff/audit.js";
import {
  closeStudy,
  type ImportResult,
  importStudy,
  listStudies,
  publishStudy,
  type StudySummary,
} from "../store/study-repository.js";
import { loadStudyFile } from "../studies/load.js";
import { type CliIo, defaultIo, EXIT, formatTable, printJson, runCommand, runReadCommand } from "./runtime.js";

/**
 * `chorus study validate|import|list|publish|close`. A study file is
 * validated whole before the database is opened: an invalid file prints
 * every problem (`FILE: scenarios[3].responses: expected 4 items, got 3`)
 * and exits 2 with nothing written.
 */
export function registerStudyCommands(program: Command, io: CliIo = defaultIo()): void {
  const study = program.command("study").description("Study definitions: validate, import, list, publish, close");

  study
    .command("validate")
    .description("Check a study file (YAML or JSON) without touching the database")
    .argument("<file>", "study definition file")
    .action((file: string) => {
      const loaded = loadOrReport(io, file);
      if (!loaded) return;
      io.out(`${file}: valid — ${describeStudy(loaded.study, loaded.scenarioFiles)}`);
      process.exitCode = EXIT.ok;
    });

  study
    .command("import")
    .description("Validate a study file and store it (a new id as a draft; a higher version updates it)")
    .argument("<file>", "study definition file")
    .option("--replace", "overwrite a stored study of the same id and version whose content differs")
    .option("--publish", "publish the study after importing it")
    .option("--json", "print the result as JSON")
    .action((file: string, options: { replace?: boolean; publish?: boolean; json?: boolean }) => {
      const loaded = loadOrReport(io, file);
      if (!loaded) return;
      return runCommand(io, ({ database, actor }) => {
        const at = new Date().toISOString();
        // The audit entry and the publish are written with the version going live, in one transaction.
        const result = importStudy(database.db, loaded.study, {
          replace: options.replace,
          at,
          onCommit: (imported) => {
            if (imported.action !== "unchanged") {
              recordAudit(database.sqlite, actor, "study.import", importDetails(imported, file), at);
            }
            if (options.publish) {
              publishStudy(database.db, imported.id, at);
              recordAudit(database.sqlite, actor, "study.publish", { studyId: imported.id }, at);
            }
          },
        });
        if (options.json) printJson(io, { ...result, published: Boolean(options.publish) });
        else io.out(describeImport(result, file, loaded.study, Boolean(options.publish)));
        return EXIT.ok;
      });
    });

  study
    .command("list")
    .description("The studies in the database with their status and counts")
    .option("--json", "print as JSON")
    .action((options: { json?: boolean }) =>
      runReadCommand(io, ({ database }) => {
        const studies = listStudies(database.db);
        if (options.json) printJson(io, studies);
        else if (studies.length === 0) io.out("No studies yet. Import one: chorus study import FILE");
        else io.out(studiesTable(studies));
        return EXIT.ok;
      }),
    );

  const statusChanges = [
    {
      name: "publish",
      description: "Open a study to new participants (they join the most recently published one)",
      apply: publishStudy,
      done: (summary: StudySummary) => `Published study "${summary.id}" v${summary.version}: new participants join it.`,
    },
    {
      name: "close",
      description: "Stop new participants joining a study; those in it can finish",
      apply: closeStudy,
      done: (summary: StudySummary) => `Closed study "${summary.id}" v${summary.version}: no new participants.`,
    },
  ];
  for (const change of statusChanges) {
    study
      .command(change.name)
      .description(change.description)
      .argument("<id>", "study id")
      .action((id: string) =>
        runCommand(io, ({ database, actor }) => {
          const at = new Date().toISOString();
          const summary = database.sqlite
            .transaction(() => {
              const changed = change.apply(database.db, id, at);
              recordAudit(database.sqlite, actor, `study.${change.name}`, { studyId: id }, at);
              return changed;
            })
            .immediate();
          io.out(change.done(summary));
          return EXIT.ok;
        }),
      );
  }
}

/** The validated study, or undefined after printing every problem and setting exit code 2. */
function loadOrReport(io: CliIo, file: string) {
  const loaded = loadStudyFile(file);
  if (loaded.ok) return loaded;
  for (const problem of loaded.problems) io.err(problem);
  io.err(
    `${file}: invalid (${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"}); nothing written`,
  );
  process.exitCode = EXIT.usage;
  return undefined;
}

function describeStudy(study: Study, scenarioFiles: { file: string; scenarios: number }[]): string {
  const fromFiles = scenarioFiles.map((f) => `${f.scenarios} from ${f.file}`).join(", ");
  return `study "${study.id}" v${study.version}: ${counts(study, fromFiles)}`;
}

function counts(study: Study, scenarioOrigin = ""): string {
  const scenarios = `${plural(study.scenarios.length, "scenario")}${scenarioOrigin ? ` (${scenarioOrigin})` : ""}`;
  return `${scenarios}, ${plural(study.profile.length, "profile question")}, ${plural(study.screening.length, "screening question")}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function importDetails(result: ImportResult, file: string): Record<string, unknown> {
  return {
    studyId: result.id,
    version: result.version,
    previousVersion: result.previousVersion,
    result: result.action,
    file,
    scenarios: result.scenarios,
  };
}

function describeImport(result: ImportResult, file: string, study: Study, published: boolean): string {
  const head = {
    created: `Imported study "${result.id}" v${result.version} from ${file} as a draft`,
    updated: `Updated study "${result.id}" from v${result.previousVersion} to v${result.version}`,
    replaced: `Replaced study "${result.id}" v${result.version}`,
    resumed: `Finished the interrupted import of study "${result.id}" v${result.version}`,
    unchanged: `Study "${result.id}" v${result.version} is already imported with this content; nothing changed`,
  }[result.action];
  const lines = [head];
  if (result.action !== "unchanged") {
    lines.push(
      `  ${result.scenarios} scenarios, ${study.profile.length} profile questions, ${study.screening.length} screening questions`,
    );
    if (result.addedScenarios.length > 0) lines.push(`  added scenarios: ${listOrCount(result.addedScenarios)}`);
    if (result.removedScenarios.length > 0) lines.push(`  removed scenarios: ${listOrCount(result.removedScenarios)}`);
  }
  if (published) lines.push(`  published: new participants join it`);
  else if (result.status === "draft")
    lines.push(`  status: draft (publish it with: chorus study publish ${result.id})`);
  else lines.push(`  status: ${result.status}`);
  return lines.join("\n");
}

/** Ids when they fit on a line, else their number (an import of thousands names none). */
function listOrCount(ids: string[]): string {
  return ids.length <= 10 ? ids.join(", ") : `${ids.length} (${ids.slice(0, 3).join(", ")}, …)`;
}

function studiesTable(studies: StudySummary[]): string {
  return formatTable(
    ["ID", "VERSION", "STATUS", "SCENARIOS", "PARTICIPANTS", "ADMITTED", "ASSESSMENTS", "TITLE"],
    studies.map((s) => [
      s.id,
      s.version,
      s.status,
      s.scenarios,
      s.participants,
      s.admitted,
      s.assessments,
      typeof s.title === "string" ? s.title : (s.title.en ?? Object.values(s.title)[0] ?? ""),
    ]),
  );
}
