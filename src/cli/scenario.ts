import type { Command } from "commander";
import { z } from "zod";
import { type Scenario, ScenarioSchema, StudySchema } from "../core/study/schema.js";
import { type Actor, recordAudit } from "../staff/audit.js";
import type { OpenedDatabase } from "../store/client.js";
import { getStudy, type ImportResult, importStudy } from "../store/study-repository.js";
import { readComparisonsFile } from "../studies/comparisons.js";
import { describeIssues, formatPath } from "../studies/issues.js";
import { readText } from "../studies/read-text.js";
import { parseYamlText } from "../studies/yaml.js";
import {
  type CliIo,
  CommandFailure,
  defaultIo,
  EXIT,
  formatTable,
  printJson,
  runCommand,
  runReadCommand,
} from "./runtime.js";

/**
 * `chorus scenario add FILE --study ID` and `chorus scenario list --study ID`.
 * Adding appends scenarios to a stored study as a new version (so every
 * process's engine picks them up at once); ids already in the study are
 * refused, and an invalid file is refused whole with every problem named.
 */

export type ScenarioFileResult = { ok: true; scenarios: Scenario[] } | { ok: false; problems: string[] };

const ScenarioListSchema = z.array(z.unknown()).min(1, "expected at least one scenario");

/**
 * Reads scenarios from a comparisons.jsonl file (the public dataset layout) or
 * a YAML/JSON file holding one scenario, a list of them, or `scenarios: [...]`.
 */
export function readScenarioFile(file: string): ScenarioFileResult {
  if (file.endsWith(".jsonl")) return readComparisonsFile(file);
  const read = readText(file);
  if (!read.ok) return { ok: false, problems: [read.problem] };
  const parsed = parseYamlText(read.text, file);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;
  const holder = raw && typeof raw === "object" && !Array.isArray(raw) && "scenarios" in raw;
  const list: unknown = holder ? (raw as { scenarios: unknown }).scenarios : Array.isArray(raw) ? raw : [raw];
  const prefix = holder ? "scenarios" : "";
  const listed = ScenarioListSchema.safeParse(list);
  if (!listed.success)
    return { ok: false, problems: [`${file}: ${prefix || "(top level)"}: ${listed.error.issues[0]?.message}`] };
  const problems: string[] = [];
  const scenarios: Scenario[] = [];
  const seen = new Set<string>();
  listed.data.forEach((item, index) => {
    const where = Array.isArray(raw) || holder ? `${prefix}[${index}]` : "";
    const parsed = ScenarioSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of describeIssues(parsed.error, item)) {
        const path = formatPath(issue.path);
        problems.push(`${file}: ${[where, path].filter(Boolean).join(".") || "(scenario)"}: ${issue.message}`);
      }
      return;
    }
    if (seen.has(parsed.data.id)) problems.push(`${file}: ${where}.id: duplicate scenario id "${parsed.data.id}"`);
    seen.add(parsed.data.id);
    scenarios.push(parsed.data);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, scenarios };
}

/**
 * Appends scenarios to a stored study as version N+1, audited. Refused whole
 * for an unknown study or an id the study already has.
 */
export function addScenarios(
  database: OpenedDatabase,
  studyId: string,
  scenarios: Scenario[],
  actor: Actor,
  at = new Date().toISOString(),
): ImportResult {
  // Read and checked first; the import then writes in short transactions, the audit entry with the last one.
  const stored = getStudy(database.db, studyId);
  if (!stored) throw new CommandFailure(`No study with id "${studyId}" (see: chorus study list)`);
  const existing = new Set(stored.definition.scenarios.map((scenario) => scenario.id));
  const clashes = scenarios.filter((scenario) => existing.has(scenario.id)).map((scenario) => scenario.id);
  if (clashes.length > 0) {
    throw new CommandFailure(
      `Study "${studyId}" already has scenario(s) ${clashes.join(", ")}; give new scenarios new ids (nothing was added)`,
    );
  }
  const next = StudySchema.parse({
    ...stored.definition,
    version: stored.definition.version + 1,
    scenarios: [...stored.definition.scenarios, ...scenarios],
  });
  return importStudy(database.db, next, {
    at,
    onCommit: () =>
      recordAudit(
        database.sqlite,
        actor,
        "scenario.add",
        { studyId, version: next.version, scenarios: scenarios.map((scenario) => scenario.id) },
        at,
      ),
  });
}

export function registerScenarioCommands(program: Command, io: CliIo = defaultIo()): void {
  const scenario = program.command("scenario").description("Scenarios of a stored study: add new ones, list them");

  scenario
    .command("add")
    .argument("<file>", "YAML/JSON scenario(s), or comparisons.jsonl in the public dataset's layout")
    .requiredOption("--study <id>", "the study to add them to")
    .option("--json", "print the result as JSON")
    .description("Validate scenarios and append them to a study as its next version (live at once if published)")
    .action(async (file: string, options: { study: string; json?: boolean }) => {
      const read = readScenarioFile(file);
      if (!read.ok) {
        for (const problem of read.problems) io.err(problem);
        io.err(`${file}: invalid (${read.problems.length} problem(s)); nothing added`);
        process.exitCode = EXIT.usage;
        return;
      }
      await runCommand(io, (runtime) => {
        const result = addScenarios(runtime.database, options.study, read.scenarios, runtime.actor);
        if (options.json) printJson(io, result);
        else {
          io.out(
            `Added ${read.scenarios.length} scenario(s) to study "${result.id}" (now v${result.version}, ${result.scenarios} scenarios): ${result.addedScenarios.join(", ")}`,
          );
          if (result.status === "published") {
            io.out(
              `Tell those who finished: chorus broadcast create --study ${result.id} --key broadcast.new_scenarios --start-button`,
            );
          }
        }
        return EXIT.ok;
      });
    });

  scenario
    .command("list")
    .requiredOption("--study <id>", "the study")
    .option("--json", "print as JSON")
    .description("Scenarios of a study with tags and assessment counts")
    .action((options: { study: string; json?: boolean }) =>
      runReadCommand(io, (runtime) => {
        const rows = runtime.database.sqlite
          .prepare<
            [string],
            { id: string; position: number; tags: string; assessments: number; reference: string | null }
          >(
            `SELECT id, position, tags, assessment_count AS assessments, reference_ranking AS reference
             FROM scenarios WHERE study_id = ? ORDER BY position, id`,
          )
          .all(options.study);
        if (rows.length === 0 && !getStudy(runtime.database.db, options.study)) {
          throw new CommandFailure(`No study with id "${options.study}" (see: chorus study list)`);
        }
        const scenarios = rows.map((row) => ({ ...row, tags: JSON.parse(row.tags) as string[] }));
        if (options.json) printJson(io, scenarios);
        else {
          io.out(
            formatTable(
              ["#", "scenario", "tags", "assessments", "reference"],
              scenarios.map((s) => [s.position + 1, s.id, s.tags.join(","), s.assessments, s.reference ?? ""]),
            ),
          );
        }
        return EXIT.ok;
      }),
    );
}
