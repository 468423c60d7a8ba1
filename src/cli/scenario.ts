import type { Command } from "commander";
import { z } from "zod";
import { type Scenario, ScenarioSchema } from "../core/study/schema.js";
import { type Actor, recordAudit } from "../staff/audit.js";
import type { OpenedDatabase } from "../store/client.js";
import {
  insertScenarioRows,
  publishAppendedScenarios,
  readStudyHead,
  removeUnlistedScenarios,
} from "../store/scenario-append.js";
import { listScenarios } from "../store/scenarios.js";
import { getStudy } from "../store/study-repository.js";
import { studyStatus } from "../store/study-status.js";
import { type StreamedLine, streamComparisonsFile } from "../studies/comparisons.js";
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

type ScenarioFileResult = { ok: true; scenarios: Scenario[] } | { ok: false; problems: string[] };

const ScenarioListSchema = z.array(z.unknown()).min(1, "expected at least one scenario");

/**
 * Reads scenarios from a YAML/JSON file holding one scenario, a list of them,
 * or `scenarios: [...]` (comparisons.jsonl files are streamed instead).
 */
function readScenarioFile(file: string): ScenarioFileResult {
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

/** Problems printed before the rest are only counted. */
const MAX_PROBLEMS_SHOWN = 100;
/** A batch's transaction stays in the milliseconds: a few hundred scenarios or ~2 MB of text. */
const BATCH_SCENARIOS = 250;
const BATCH_CHARS = 2_000_000;

type AppendOutcome =
  | {
      ok: true;
      id: string;
      version: number;
      previousVersion: number;
      status: string;
      scenarios: number;
      added: string[];
    }
  | { ok: false; problems: string[]; problemCount: number };

function scenarioChars(scenario: Scenario): number {
  let chars = 0;
  for (const message of scenario.messages) chars += message.content.length;
  for (const response of scenario.responses) chars += response.text.length;
  return chars;
}

/** "a, b, c" for a few ids, "first … last" for many. */
function summariseIds(ids: readonly string[]): string {
  return ids.length <= 10 ? ids.join(", ") : `${ids[0]} … ${ids.at(-1)}`;
}

/**
 * Appends scenarios to a stored study as version N+1, audited, reading them
 * as they come (a comparisons.jsonl of any size streams line by line). Rows
 * are written in short batches the engine cannot see yet; the study's new
 * version lists them in one last short transaction (src/store/scenario-append.ts).
 * Refused whole for an invalid line, an unknown study or an id the study
 * already has; then the batches already written are removed again.
 */
export async function appendScenarios(
  database: OpenedDatabase,
  studyId: string,
  source: AsyncIterable<StreamedLine>,
  actor: Actor,
  at = new Date().toISOString(),
): Promise<AppendOutcome> {
  const { sqlite } = database;
  const head = readStudyHead(sqlite, studyId);
  if (!head) throw new CommandFailure(`No study with id "${studyId}" (see: chorus study list)`);
  removeUnlistedScenarios(sqlite, studyId, head.ids);
  const problems: string[] = [];
  let problemCount = 0;
  const clashes: string[] = [];
  const added: string[] = [];
  let batch: Scenario[] = [];
  let batchChars = 0;
  let written = 0;
  const flush = () => {
    if (batch.length === 0) return;
    insertScenarioRows(sqlite, studyId, batch, head.ids.size + written, at);
    written += batch.length;
    batch = [];
    batchChars = 0;
  };
  for await (const item of source) {
    if ("problems" in item) {
      problemCount += item.problems.length;
      problems.push(...item.problems.slice(0, Math.max(0, MAX_PROBLEMS_SHOWN - problems.length)));
      continue;
    }
    if (head.ids.has(item.scenario.id)) {
      clashes.push(item.scenario.id);
      continue;
    }
    added.push(item.scenario.id);
    if (problemCount > 0 || clashes.length > 0) continue;
    batch.push(item.scenario);
    batchChars += scenarioChars(item.scenario);
    if (batch.length >= BATCH_SCENARIOS || batchChars >= BATCH_CHARS) flush();
  }
  if (problemCount > 0 || clashes.length > 0 || added.length === 0) {
    removeUnlistedScenarios(sqlite, studyId, head.ids);
    if (problemCount > 0) return { ok: false, problems, problemCount };
    if (clashes.length > 0) {
      throw new CommandFailure(
        `Study "${studyId}" already has scenario(s) ${summariseIds(clashes)} (${clashes.length}); give new scenarios new ids (nothing was added)`,
      );
    }
    return { ok: false, problems: ["no scenarios (the file is empty)"], problemCount: 1 };
  }
  flush();
  try {
    const result = publishAppendedScenarios(sqlite, head, added, at, (version) =>
      recordAudit(
        sqlite,
        actor,
        "scenario.add",
        { studyId, version, count: added.length, first: added[0], last: added.at(-1) },
        at,
      ),
    );
    const status = studyStatus(sqlite, studyId);
    if (!status) throw new CommandFailure(`Study ${studyId} was deleted while the scenarios were added`);
    return {
      ok: true,
      id: studyId,
      version: result.version,
      previousVersion: head.stored.version,
      status,
      scenarios: result.scenarios,
      added,
    };
  } catch (error) {
    removeUnlistedScenarios(sqlite, studyId, head.ids);
    throw error;
  }
}

/** The scenarios of a file as they are read: streamed for comparisons.jsonl, parsed whole for YAML/JSON. */
async function* scenarioSource(file: string): AsyncGenerator<StreamedLine> {
  if (file.endsWith(".jsonl")) {
    yield* streamComparisonsFile(file);
    return;
  }
  const read = readScenarioFile(file);
  if (!read.ok) {
    yield { problems: read.problems };
    return;
  }
  for (const scenario of read.scenarios) yield { scenario, line: 0 };
}

export function registerScenarioCommands(program: Command, io: CliIo = defaultIo()): void {
  const scenario = program.command("scenario").description("Scenarios of a stored study: add new ones, list them");

  scenario
    .command("add")
    .argument("<file>", "YAML/JSON scenario(s), or comparisons.jsonl in the public dataset's layout")
    .requiredOption("--study <id>", "the study to add them to")
    .option("--json", "print the result as JSON")
    .description("Validate scenarios and append them to a study as its next version (live at once if published)")
    .action((file: string, options: { study: string; json?: boolean }) =>
      runCommand(io, async (runtime) => {
        const result = await appendScenarios(runtime.database, options.study, scenarioSource(file), runtime.actor);
        if (!result.ok) {
          for (const problem of result.problems) io.err(problem.startsWith(file) ? problem : `${file}: ${problem}`);
          const more = result.problemCount - result.problems.length;
          if (more > 0) io.err(`… and ${more} more problem(s)`);
          io.err(`${file}: invalid (${result.problemCount} problem(s)); nothing added`);
          return EXIT.usage;
        }
        if (options.json) {
          printJson(io, { ...result, addedScenarios: result.added, added: result.added.length });
        } else {
          io.out(
            `Added ${result.added.length} scenario(s) to study "${result.id}" (now v${result.version}, ${result.scenarios} scenarios): ${summariseIds(result.added)}`,
          );
          if (result.status === "published") {
            io.out(
              `Tell those who finished: chorus broadcast create --study ${result.id} --key broadcast.new_scenarios --start-button`,
            );
          }
        }
        return EXIT.ok;
      }),
    );

  scenario
    .command("list")
    .requiredOption("--study <id>", "the study")
    .option("--json", "print as JSON")
    .description("Scenarios of a study with tags and assessment counts")
    .action((options: { study: string; json?: boolean }) =>
      runReadCommand(io, (runtime) => {
        const scenarios = listScenarios(runtime.database.sqlite, options.study);
        if (scenarios.length === 0 && !getStudy(runtime.database.db, options.study)) {
          throw new CommandFailure(`No study with id "${options.study}" (see: chorus study list)`);
        }
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
