import type { OpenedDatabase } from "../store/client.js";
import { analyze } from "./analysis/analyze.js";
import { type AnalysisLoadOptions, loadAnalysis } from "./analysis-data.js";
import { normaliseSince } from "./export/scope.js";
import { type AnalysisReport, buildReport } from "./report/report.js";

interface AnalyzeOptions extends AnalysisLoadOptions {
  /** Bootstrap replicates (0: point estimates only). */
  replicates: number;
  seed: number;
  confidence: number;
  /** Groups and cells under this many assessments are flagged and left out of the group tests. */
  minGroupSize?: number;
  now?: () => Date;
}

export const DEFAULT_REPLICATES = 200;
export const DEFAULT_SEED = 1;
export const DEFAULT_CONFIDENCE = 0.95;

/** Loads one study's rankings and runs every analysis: what `chorus analyze` prints. */
export function runAnalysis(sqlite: OpenedDatabase["sqlite"], options: AnalyzeOptions): AnalysisReport {
  const loaded = loadAnalysis(sqlite, options);
  const result = analyze(loaded.input, {
    replicates: options.replicates,
    seed: options.seed,
    confidence: options.confidence,
    minGroupSize: options.minGroupSize,
  });
  return buildReport(loaded, result, {
    excludeFlagged: options.excludeFlagged,
    since: options.since ? normaliseSince(options.since) : null,
    generatedAt: (options.now ?? (() => new Date()))().toISOString(),
  });
}
