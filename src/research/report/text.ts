import { LABELS } from "../../core/labels.js";
import type { AgreementSummary, CellResult } from "../analysis/analyze.js";
import { type AnalysisReport, formatEstimate, formatNumber, formatPercent, formatPValue, share } from "./report.js";

/** The terminal rendering of `chorus analyze`. */

function agreementLine(summary: AgreementSummary, width: number): string {
  const agreement = summary.agreement;
  const label = summary.group.padEnd(width);
  if (!agreement) return `  ${label}  no assessments of scenarios with a reference`;
  return `  ${label}  pairs agreeing ${formatEstimate(agreement.share, formatPercent)}  mean τ-b ${formatEstimate(
    agreement.tauB,
  )}  (${summary.participants} participants, ${agreement.rankings} rankings)`;
}

function cellLines(cell: CellResult, indent: string): string[] {
  const lines = [
    `${indent}n = ${cell.assessments}${cell.consensus ? `  consensus ${cell.consensus}` : ""}${
      cell.concordance
        ? `  Kendall's W ${formatEstimate({ ...cell.concordance.interval, value: cell.concordance.w })}` +
          `  χ²(${cell.concordance.df}) = ${cell.concordance.chiSquare.toFixed(2)}, ${formatPValue(cell.concordance.pValue)}`
        : ""
    }`,
    `${indent}mean rank    ${LABELS.map((l) => `${l} ${formatEstimate(cell.meanRank[l], (v) => formatNumber(v, 2))}`).join("  ")}`,
    `${indent}first choice ${LABELS.map((l) => `${l} ${formatEstimate(cell.firstChoice[l], formatPercent)}`).join("  ")}`,
    `${indent}Borda (0–3)  ${LABELS.map((l) => `${l} ${formatNumber(cell.borda[l], 2)}`).join("  ")}`,
  ];
  if (cell.reference) {
    lines.push(
      `${indent}vs reference pairs agreeing ${formatEstimate(cell.reference.share, formatPercent)}  mean τ-b ${formatEstimate(
        cell.reference.tauB,
      )}`,
    );
  }
  return lines;
}

function winMatrix(cell: CellResult, indent: string): string[] {
  const header = `${indent}row beats column  ${LABELS.map((l) => l.padStart(6)).join("")}`;
  return [
    header,
    ...LABELS.map(
      (row) =>
        `${indent}${" ".repeat(16)}${row} ${LABELS.map((column) =>
          (row === column ? "·" : formatPercent(cell.wins[row][column], 0)).padStart(6),
        ).join("")}`,
    ),
  ];
}

export function renderText(report: AnalysisReport): string {
  const { result, quality } = report;
  const lines: string[] = [];
  lines.push(
    `Study ${report.study.id} v${report.study.version}: ${report.study.title}`,
    `${result.totals.assessments} assessments by ${result.totals.participants} participants on ${result.totals.scenarios} scenarios` +
      `${report.since ? ` (completed since ${report.since})` : ""}`,
    `Bootstrap: ${result.bootstrap.replicates} replicates clustered by participant, seed ${result.bootstrap.seed}, ` +
      `${Math.round(result.bootstrap.confidence * 100)}% percentile intervals`,
    "",
    `Quality flags (of ${quality.assessments} assessments):`,
    `  speeders (< ${quality.minSecondsPerResponse} s per response read)  ${quality.speeders}${share(quality.speeders, quality.assessments)}`,
    `  rationales below ${quality.minLetters} letters        ${quality.shortRationales}${share(quality.shortRationales, quality.assessments)}`,
    `  participants failing an attention check   ${quality.failedAttentionParticipants}`,
    `  flagged assessments                       ${quality.flagged}${share(quality.flagged, quality.assessments)}` +
      (report.excludeFlagged ? `, excluded ${quality.excluded}` : " (kept; --exclude-flagged drops them)"),
    "",
  );
  if (report.reference) {
    const width = Math.max(3, ...result.agreement.groups.map((g) => g.group.length));
    lines.push(
      `Agreement with the reference (${report.reference.source}${report.reference.version ? ` v${report.reference.version}` : ""}):`,
      agreementLine(result.agreement.all, width),
      ...result.agreement.groups.map((group) => agreementLine(group, width)),
      "",
    );
  } else {
    lines.push("No reference rankings (chorus reference import FILE, or referenceRanking in the study file).", "");
  }
  for (const scenario of result.scenarios) {
    const notes = [
      scenario.reference ? `reference ${scenario.reference}` : null,
      scenario.attentionCheck ? "attention check" : null,
      scenario.tags.length > 0 ? `tags ${scenario.tags.join(", ")}` : null,
    ].filter(Boolean);
    lines.push(`Scenario ${scenario.scenarioId}${notes.length > 0 ? `  (${notes.join("; ")})` : ""}`);
    lines.push(...cellLines(scenario.all, "  "), ...winMatrix(scenario.all, "  "));
    for (const group of scenario.groups) {
      lines.push(`  ${report.by} = ${group.group}`, ...cellLines(group, "    "));
    }
    lines.push("");
  }
  return lines.join("\n");
}
