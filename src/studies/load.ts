import { dirname, join, resolve } from "node:path";
import { type Study, StudySchema } from "../core/study/schema.js";
import { parseComparisonsJsonl } from "./comparisons.js";
import { describeIssues, type FormattedIssue, formatPath } from "./issues.js";
import { readText } from "./read-text.js";
import { parseYamlText } from "./yaml.js";

/**
 * Loads a study definition file (YAML, or JSON which YAML also reads) and
 * validates it whole. On failure it returns EVERY problem, one line each:
 * `FILE: scenarios[3].responses: expected 4 items, got 3`.
 *
 * A study file may pull scenarios from the public dataset's layout:
 *   scenarioFiles: [./comparisons.jsonl]   # paths relative to the study file
 * Those scenarios are appended after the inline `scenarios`, and their
 * problems are reported as `comparisons.jsonl:LINE: path: message`.
 */

type StudyLoadResult =
  | { ok: true; study: Study; file: string; scenarioFiles: { file: string; scenarios: number }[] }
  | { ok: false; problems: string[] };

interface Origin {
  file: string;
  line: number;
}

/** Reads and validates a study file. Never throws for bad content; I/O problems are problems too. */
export function loadStudyFile(file: string, displayName = file): StudyLoadResult {
  const read = readText(file, displayName);
  if (!read.ok) return { ok: false, problems: [read.problem] };
  return parseStudyText(read.text, { file, displayName });
}

export function parseStudyText(text: string, options: { file: string; displayName?: string }): StudyLoadResult {
  const name = options.displayName ?? options.file;
  const yaml = parseYamlText(text, name);
  if (!yaml.ok) return yaml;
  const raw = yaml.value;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [`${name}: (top level): expected a mapping of study fields`] };
  }

  const problems: string[] = [];
  const { scenarioFiles, ...fields } = raw as Record<string, unknown>;
  const inline = Array.isArray(fields.scenarios) ? fields.scenarios : [];
  const origins: (Origin | undefined)[] = inline.map(() => undefined);
  const imported: unknown[] = [];
  const loadedFiles: { file: string; scenarios: number }[] = [];

  if (scenarioFiles !== undefined) {
    if (!Array.isArray(scenarioFiles) || scenarioFiles.some((f) => typeof f !== "string")) {
      problems.push(`${name}: scenarioFiles: expected a list of file paths`);
    } else {
      for (const entry of scenarioFiles as string[]) {
        const path = resolve(dirname(options.file), entry);
        const shownName = join(dirname(name), entry);
        if (!path.endsWith(".jsonl")) {
          problems.push(`${name}: scenarioFiles: "${entry}": only comparisons .jsonl files are supported`);
          continue;
        }
        const jsonl = readText(path, shownName);
        if (!jsonl.ok) {
          problems.push(`${name}: scenarioFiles: ${jsonl.problem}`);
          continue;
        }
        const parsed = parseComparisonsJsonl(jsonl.text, shownName);
        problems.push(...parsed.problems);
        for (const candidate of parsed.candidates) {
          imported.push(candidate.scenario);
          origins.push({ file: shownName, line: candidate.line });
        }
        loadedFiles.push({ file: shownName, scenarios: parsed.candidates.length });
      }
    }
  }

  const input = imported.length > 0 ? { ...fields, scenarios: [...inline, ...imported] } : fields;
  const parsed = StudySchema.safeParse(input);
  if (!parsed.success) {
    // zod skips whole-study checks (duplicate ids…) while fields are invalid; run them here so one
    // pass names every problem.
    const issues = [...describeIssues(parsed.error, input), ...crossChecks(input)];
    const seen = new Set<string>();
    for (const issue of issues) {
      const line = `${where(issue.path, origins, name)}: ${issue.message}`;
      if (!seen.has(line)) problems.push(line);
      seen.add(line);
    }
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: inFileOrder(problems) };
  return { ok: true, study: parsed.data, file: options.file, scenarioFiles: loadedFiles };
}

/** `FILE: path`, or `x.jsonl:LINE: path-in-scenario` for a scenario that came from a .jsonl file. */
function where(path: PropertyKey[], origins: (Origin | undefined)[], name: string): string {
  if (path[0] === "scenarios" && typeof path[1] === "number") {
    const origin = origins[path[1]];
    if (origin) {
      const rest = path.slice(2);
      return `${origin.file}:${origin.line}: ${rest.length === 0 ? "(scenario)" : formatPath(rest)}`;
    }
  }
  return `${name}: ${formatPath(path)}`;
}

/** Checks StudySchema makes across fields, written defensively for input that failed validation. */
function crossChecks(input: Record<string, unknown>): FormattedIssue[] {
  const issues: FormattedIssue[] = [];
  const scenarios = Array.isArray(input.scenarios) ? (input.scenarios as unknown[]) : [];
  const seen = new Set<string>();
  scenarios.forEach((scenario, index) => {
    const id = (scenario as { id?: unknown } | null)?.id;
    if (typeof id !== "string") return;
    if (seen.has(id)) issues.push({ path: ["scenarios", index, "id"], message: `duplicate scenario id "${id}"` });
    seen.add(id);
  });
  const profile = Array.isArray(input.profile) ? (input.profile as { id?: unknown }[]) : [];
  const profileIds = new Set(profile.map((question) => question?.id));
  const dimensions = (input.quota as { dimensions?: unknown } | undefined)?.dimensions;
  if (Array.isArray(dimensions)) {
    for (const dimension of dimensions) {
      if (typeof dimension === "string" && !profileIds.has(dimension)) {
        issues.push({
          path: ["quota", "dimensions"],
          message: `quota dimension "${dimension}" is not a profile question id`,
        });
      }
    }
  }
  return issues;
}

/** The study file's problems first, then each .jsonl file's by line number (stable otherwise). */
function inFileOrder(problems: string[]): string[] {
  const key = (line: string) => {
    const match = /^(.*?\.jsonl):(\d+): /.exec(line);
    return match ? { file: match[1] ?? "", line: Number(match[2]) } : { file: "", line: 0 };
  };
  return problems
    .map((text, index) => ({ text, index, ...key(text) }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.index - b.index)
    .map((entry) => entry.text);
}
