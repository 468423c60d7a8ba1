import { extname } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { formatRanking, parseRanking } from "../core/ranking.js";
import type { OpenedDatabase } from "../store/client.js";
import { scenarioLookup, studyIds, upsertReferenceRankings } from "../store/reference-rankings.js";
import { SOURCE_STUDY_FILE } from "../store/study-import.js";
import { readText } from "../studies/read-text.js";
import { ResearchError } from "./export/scope.js";

/**
 * `chorus reference import FILE`: rankings of each scenario's responses from
 * an outside source (for example a model judging them against a behaviour
 * spec), stored in reference_rankings under their source name and version.
 * The analysis compares people's rankings with them.
 *
 * FILE is JSON Lines or CSV with the fields scenario_id, ranking, source,
 * version and optionally study_id. The whole file is checked first; nothing
 * is written unless every line is valid. Importing the same source again
 * replaces its ranking of each scenario listed.
 */

/** Written by `chorus study import` from the study file; not importable by hand. */
const STUDY_FILE_SOURCE = SOURCE_STUDY_FILE;

const text = z.string().trim().min(1);
const optionalText = z.preprocess(
  (value) => (value === "" || value === null ? undefined : typeof value === "number" ? String(value) : value),
  text.optional(),
);

const ReferenceLineSchema = z.object({
  study_id: optionalText,
  scenario_id: text,
  ranking: text,
  source: text.max(100),
  version: optionalText,
});

interface ReferenceRanking {
  studyId: string;
  scenarioId: string;
  /** Canonical ranking text. */
  ranking: string;
  source: string;
  version: string | null;
}

/** A refused import: every problem, one line each (`FILE:LINE: field: message`). */
export class ReferenceImportError extends ResearchError {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

type RawLine = { line: number; value: unknown };

function readLines(file: string, content: string): RawLine[] {
  const extension = extname(file).toLowerCase();
  const looksJson = extension === ".jsonl" || extension === ".ndjson" || extension === ".json";
  if (looksJson || (extension !== ".csv" && content.trimStart().startsWith("{"))) {
    const lines: RawLine[] = [];
    content.split(/\r?\n/).forEach((raw, index) => {
      if (raw.trim() === "") return;
      try {
        lines.push({ line: index + 1, value: JSON.parse(raw) });
      } catch (error) {
        lines.push({ line: index + 1, value: new Error(`invalid JSON: ${(error as Error).message}`) });
      }
    });
    return lines;
  }
  const records = parseCsv(content, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  return records.map(({ record, info }) => ({ line: info.lines, value: record }));
}

interface ParseOptions {
  /** Study for lines without study_id (default: the only study in the database). */
  defaultStudyId?: string | undefined;
}

/** Reads and validates FILE against the database; throws ReferenceImportError listing every problem. */
export function readReferenceFile(
  sqlite: OpenedDatabase["sqlite"],
  file: string,
  options: ParseOptions = {},
  displayName = file,
): ReferenceRanking[] {
  const read = readText(file, displayName);
  if (!read.ok) throw new ReferenceImportError([read.problem]);
  const content = read.text;
  let lines: RawLine[];
  try {
    lines = readLines(file, content);
  } catch (error) {
    throw new ReferenceImportError([`${displayName}: not valid CSV: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const studies = studyIds(sqlite);
  const fallbackStudy = options.defaultStudyId ?? (studies.length === 1 ? studies[0] : undefined);
  const scenarioExists = scenarioLookup(sqlite);
  const seen = new Map<string, number>();
  const rankings: ReferenceRanking[] = [];
  for (const { line, value } of lines) {
    const where = `${displayName}:${line}`;
    if (value instanceof Error) {
      problems.push(`${where}: ${value.message}`);
      continue;
    }
    const parsed = ReferenceLineSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${where}: ${issue.path.join(".") || "line"}: ${issue.message}`);
      }
      continue;
    }
    const row = parsed.data;
    const studyId = row.study_id ?? fallbackStudy;
    if (!studyId) {
      problems.push(`${where}: study_id: missing (several studies exist; add study_id or use --study)`);
      continue;
    }
    if (!studies.includes(studyId)) {
      problems.push(`${where}: study_id: no study "${studyId}"`);
      continue;
    }
    if (!scenarioExists(studyId, row.scenario_id)) {
      problems.push(`${where}: scenario_id: no scenario "${row.scenario_id}" in study ${studyId}`);
      continue;
    }
    const ranking = parseRanking(row.ranking);
    if (!ranking.ok) {
      problems.push(`${where}: ranking: "${row.ranking}" is not a ranking of A–D such as B>A=C>D (${ranking.reason})`);
      continue;
    }
    if (row.source === STUDY_FILE_SOURCE) {
      problems.push(`${where}: source: "${STUDY_FILE_SOURCE}" is kept for the study file's own reference rankings`);
      continue;
    }
    const key = `${studyId}\u0000${row.scenario_id}\u0000${row.source}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(`${where}: scenario ${row.scenario_id} from source ${row.source} is already on line ${earlier}`);
      continue;
    }
    seen.set(key, line);
    rankings.push({
      studyId,
      scenarioId: row.scenario_id,
      ranking: formatRanking(ranking.ranking),
      source: row.source,
      version: row.version ?? null,
    });
  }
  if (problems.length === 0 && rankings.length === 0)
    problems.push(`${displayName}: no reference rankings in the file`);
  if (problems.length > 0) throw new ReferenceImportError(problems);
  return rankings;
}

interface ReferenceImportSummary {
  imported: number;
  replaced: number;
  sources: { source: string; version: string | null; scenarios: number }[];
}

/** Writes the rankings in one transaction; a ranking already stored for the same source is replaced. */
export function importReferenceRankings(
  sqlite: OpenedDatabase["sqlite"],
  rankings: readonly ReferenceRanking[],
  at = new Date().toISOString(),
): ReferenceImportSummary {
  const { replaced } = upsertReferenceRankings(sqlite, rankings, at);
  const sources = new Map<string, { source: string; version: string | null; scenarios: number }>();
  for (const r of rankings) {
    const key = `${r.source}\u0000${r.version ?? ""}`;
    const entry = sources.get(key) ?? { source: r.source, version: r.version, scenarios: 0 };
    entry.scenarios++;
    sources.set(key, entry);
  }
  return { imported: rankings.length, replaced, sources: [...sources.values()] };
}
