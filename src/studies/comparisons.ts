import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";
import { type Scenario, ScenarioSchema } from "../core/study/schema.js";
import { describeIssues, formatPath } from "./issues.js";
import { readText, stripBom } from "./read-text.js";

/**
 * Reads scenarios from the public collective-alignment dataset's
 * `comparisons.jsonl` layout: one JSON object per line with `prompt_id`,
 * `prompt.messages[]` ({role, content}) and `responses[]`, each with a
 * `response_index` A–D and `messages[]` whose assistant message is the
 * candidate response. Other fields (assessments, metadata) are ignored.
 */

/** Message content: a string, or a list of parts of which the text parts are joined. */
const ContentSchema = z.union([
  z.string(),
  z.array(z.union([z.string(), z.object({ text: z.string() }).loose()])).transform((parts) =>
    parts
      .map((part) => (typeof part === "string" ? part : part.text))
      .filter((text) => text !== "")
      .join("\n\n"),
  ),
]);

const DatasetMessageSchema = z.object({ role: z.string(), content: ContentSchema }).loose();

const ComparisonLineSchema = z
  .object({
    prompt_id: z.union([z.string().min(1), z.number()]),
    prompt: z.object({ messages: z.array(DatasetMessageSchema).min(1) }).loose(),
    responses: z
      .array(z.object({ response_index: z.string(), messages: z.array(DatasetMessageSchema).min(1) }).loose())
      .min(1),
  })
  .loose();

/** One line turned into a scenario, not yet validated against ScenarioSchema. */
interface ScenarioCandidate {
  line: number;
  scenario: Record<string, unknown>;
}

interface JsonlParse {
  candidates: ScenarioCandidate[];
  /** `FILE:LINE: path: message` lines. */
  problems: string[];
}

/** The dataset line as a scenario input; the response text is the last assistant message. */
function toScenarioInput(line: z.infer<typeof ComparisonLineSchema>): {
  scenario: Record<string, unknown>;
  problems: { path: string; message: string }[];
} {
  const problems: { path: string; message: string }[] = [];
  const responses = line.responses.map((response, index) => {
    const assistant = response.messages.filter((m) => m.role === "assistant").at(-1);
    if (!assistant) problems.push({ path: `responses[${index}].messages`, message: "no assistant message" });
    return { label: response.response_index.trim().toUpperCase(), text: assistant?.content ?? "" };
  });
  responses.sort((a, b) => a.label.localeCompare(b.label));
  return {
    scenario: {
      id: String(line.prompt_id),
      messages: line.prompt.messages.map((m) => ({ role: m.role, content: m.content })),
      responses,
    },
    problems,
  };
}

/** One line of a comparisons.jsonl file: a scenario candidate, or its problems (`FILE:LINE: path: message`). */
function parseComparisonLine(raw: string, line: number, file: string): ScenarioCandidate | { problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { problems: [`${file}:${line}: invalid JSON: ${(error as Error).message}`] };
  }
  const parsed = ComparisonLineSchema.safeParse(value);
  if (!parsed.success) {
    return {
      problems: describeIssues(parsed.error, value).map(
        (issue) => `${file}:${line}: ${formatPath(issue.path)}: ${issue.message}`,
      ),
    };
  }
  const { scenario, problems } = toScenarioInput(parsed.data);
  if (problems.length > 0) {
    return { problems: problems.map((problem) => `${file}:${line}: ${problem.path}: ${problem.message}`) };
  }
  return { line, scenario };
}

/** Parses the text of a comparisons.jsonl file; blank lines are skipped. */
export function parseComparisonsJsonl(text: string, file: string): JsonlParse {
  const candidates: ScenarioCandidate[] = [];
  const problems: string[] = [];
  stripBom(text)
    .split(/\r?\n/)
    .forEach((raw, index) => {
      if (raw.trim() === "") return;
      const parsed = parseComparisonLine(raw, index + 1, file);
      if ("problems" in parsed) problems.push(...parsed.problems);
      else candidates.push(parsed);
    });
  return { candidates, problems };
}

/** A candidate validated as a scenario, or the problems that refuse it. */
function validateCandidate(
  { line, scenario }: ScenarioCandidate,
  file: string,
  seen: Map<string, number>,
): Scenario | string[] {
  const parsed = ScenarioSchema.safeParse(scenario);
  if (!parsed.success) {
    return describeIssues(parsed.error, scenario).map(
      (issue) => `${file}:${line}: ${formatPath(issue.path)}: ${issue.message}`,
    );
  }
  const earlier = seen.get(parsed.data.id);
  if (earlier !== undefined) return [`${file}:${line}: prompt_id: "${parsed.data.id}" already on line ${earlier}`];
  seen.set(parsed.data.id, line);
  return parsed.data;
}

export type StreamedLine = { scenario: Scenario; line: number } | { problems: string[] };

/**
 * Reads a comparisons.jsonl file line by line (a byte-order mark and CRLF
 * line ends are fine), yielding each validated scenario or the problems of
 * its line, so a file of any size is never in memory whole. A file that
 * cannot be read yields one problem.
 */
export async function* streamComparisonsFile(file: string, displayName = file): AsyncGenerator<StreamedLine> {
  const seen = new Map<string, number>();
  let line = 0;
  try {
    const lines = createInterface({
      input: createReadStream(file, { encoding: "utf8" }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const raw of lines) {
      line++;
      const text = line === 1 ? stripBom(raw) : raw;
      if (text.trim() === "") continue;
      const parsed = parseComparisonLine(text, line, displayName);
      if ("problems" in parsed) {
        yield { problems: parsed.problems };
        continue;
      }
      const validated = validateCandidate(parsed, displayName, seen);
      yield Array.isArray(validated) ? { problems: validated } : { scenario: validated, line };
    }
  } catch (error) {
    yield { problems: [`${displayName}: cannot read: ${(error as Error).message}`] };
    return;
  }
}

type ComparisonsResult = { ok: true; scenarios: Scenario[] } | { ok: false; problems: string[] };

/**
 * Reads a comparisons.jsonl file into validated scenarios. All or nothing:
 * any bad line makes the result a list of problems with line numbers.
 */
export function readComparisonsFile(file: string, displayName = file): ComparisonsResult {
  const read = readText(file, displayName);
  if (!read.ok) return { ok: false, problems: [read.problem] };
  const { candidates, problems } = parseComparisonsJsonl(read.text, displayName);
  const scenarios: Scenario[] = [];
  const seen = new Map<string, number>();
  for (const candidate of candidates) {
    const validated = validateCandidate(candidate, displayName, seen);
    if (Array.isArray(validated)) problems.push(...validated);
    else scenarios.push(validated);
  }
  if (problems.length === 0 && scenarios.length === 0)
    problems.push(`${displayName}: no scenarios (the file is empty)`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, scenarios };
}
