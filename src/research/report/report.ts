import type { AnalysisResult, Estimate, ScenarioInput } from "../analysis/analyze.js";
import type { LoadedAnalysis, QualitySummary } from "../analysis-data.js";

/** Everything `chorus analyze` reports: the analysis plus what it was run on. */
export interface AnalysisReport {
  study: { id: string; version: number; title: string };
  generatedAt: string;
  by: string | null;
  reference: { source: string; version: string | null } | null;
  excludeFlagged: boolean;
  since: string | null;
  quality: QualitySummary;
  result: AnalysisResult;
  /** Each scenario's prompt and responses, as shown (the HTML report prints them). */
  scenarios: Pick<ScenarioInput, "scenarioId" | "messages" | "responses">[];
}

export function buildReport(
  loaded: LoadedAnalysis,
  result: AnalysisResult,
  options: { excludeFlagged: boolean; since: string | null; generatedAt: string },
): AnalysisReport {
  const title = loaded.study.title;
  return {
    study: {
      id: loaded.study.id,
      version: loaded.study.version,
      title: typeof title === "string" ? title : (title[loaded.study.language] ?? Object.values(title)[0] ?? ""),
    },
    generatedAt: options.generatedAt,
    by: loaded.by,
    reference: loaded.reference,
    excludeFlagged: options.excludeFlagged,
    since: options.since,
    quality: loaded.quality,
    result,
    scenarios: loaded.input.scenarios.map(({ scenarioId, messages, responses }) => ({
      scenarioId,
      messages,
      responses,
    })),
  };
}

export function formatNumber(value: number | null, digits = 3): string {
  return value === null || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

export function formatPercent(value: number | null, digits = 1): string {
  return value === null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

export function formatEstimate(estimate: Estimate, format: (v: number | null) => string = formatNumber): string {
  if (estimate.value === null) return "–";
  if (estimate.low === null || estimate.high === null) return format(estimate.value);
  return `${format(estimate.value)} [${format(estimate.low)}, ${format(estimate.high)}]`;
}

export function formatPValue(p: number): string {
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}

export function share(part: number, whole: number): string {
  return whole > 0 ? ` (${((part / whole) * 100).toFixed(1)}%)` : "";
}

/** The "ranked without opening every response" count, its share, and how many assessments predate the record. */
export function unopenedCount(quality: QualitySummary): string {
  const unknown = quality.openingUnknown > 0 ? `; unknown for ${quality.openingUnknown} from before cards` : "";
  return `${quality.rankedWithoutOpeningAll}${share(quality.rankedWithoutOpeningAll, quality.assessments)}${unknown}`;
}
