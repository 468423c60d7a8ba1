import { LABELS } from "../../core/labels.js";
import type {
  AgreementSummary,
  BlockAgreement,
  CellResult,
  GroupDifference,
  Share,
  UnacceptableCell,
} from "../analysis/analyze.js";
import {
  type AnalysisReport,
  formatEstimate,
  formatNumber,
  formatPercent,
  formatPValue,
  share,
  unopenedCount,
} from "./report.js";

/** The terminal rendering of `chorus analyze`. */

function agreementLine(summary: AgreementSummary, width: number): string {
  const agreement = summary.agreement;
  const label = summary.group.padEnd(width);
  if (!agreement) return `  ${label}  no assessments of scenarios with a reference`;
  return `  ${label}  pairs agreeing ${formatEstimate(agreement.share, formatPercent)}  mean τ-b ${formatEstimate(
    agreement.tauB,
  )}  (${summary.participants} participants, ${agreement.rankings} rankings)`;
}

function smallNote(small: boolean, minGroupSize: number): string {
  return small ? `  [n < ${minGroupSize}: too few to read on its own]` : "";
}

function cellLines(cell: CellResult, indent: string, minGroupSize: number): string[] {
  const lines = [
    `${indent}n = ${cell.assessments}${smallNote(cell.small, minGroupSize)}${cell.consensus ? `  consensus ${cell.consensus}` : ""}${
      cell.concordance
        ? `  Kendall's W ${formatEstimate({ ...cell.concordance.interval, value: cell.concordance.w })}` +
          `  χ²(${cell.concordance.df}) = ${cell.concordance.chiSquare.toFixed(2)}, ${formatPValue(cell.concordance.pValue)}`
        : ""
    }${cell.alpha !== null ? `  Krippendorff's α ${formatNumber(cell.alpha)}` : ""}`,
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

function shareText(share: Share): string {
  return formatEstimate(share, formatPercent);
}

function blockAgreementLine(cell: BlockAgreement, width: number, minGroupSize: number): string {
  return `  ${cell.group.padEnd(width)}  n = ${cell.assessments}  mean τ-b ${formatNumber(cell.tauB)}  pairs agreeing ${formatPercent(
    cell.pairShare,
  )}  identical ${formatPercent(cell.identical)}${smallNote(cell.small, minGroupSize)}`;
}

function unacceptableLine(cell: UnacceptableCell, indent: string, minGroupSize: number): string {
  return `${indent}${cell.group}: asked ${cell.asked}${smallNote(cell.small, minGroupSize)}  any ${shareText(cell.any)}  ${LABELS.map(
    (l) => `${l} ${shareText(cell.responses[l])}`,
  ).join("  ")}`;
}

function differenceLine(label: string, test: GroupDifference | null): string {
  if (!test) return `    ${label}: not tested (fewer than two groups of the minimum size, or every rank tied)`;
  return `    ${label}: H(${test.df}) = ${test.h.toFixed(2)}, ${formatPValue(test.pValue)}, Holm ${formatPValue(test.pHolm)} (n = ${test.n}, ${test.groups.length} groups)`;
}

export function renderText(report: AnalysisReport): string {
  const { result, quality } = report;
  const minGroupSize = result.minGroupSize;
  const lines: string[] = [];
  if (result.warnings.length > 0) lines.push(...result.warnings.map((warning) => `Warning: ${warning}`), "");
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
    `  ranked without opening every response     ${unopenedCount(quality)}`,
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
  lines.push(
    `Krippendorff's α (ordinal, pooled over scenarios): world ${formatNumber(result.alpha)}${
      result.personal ? `, personal ${formatNumber(result.personal.alpha)}` : ""
    }`,
    "",
  );
  if (result.worldVsPersonal) {
    const width = Math.max(3, ...result.worldVsPersonal.groups.map((g) => g.group.length));
    lines.push(
      "World vs personal ranking of the same assessments:",
      blockAgreementLine(result.worldVsPersonal.all, width, minGroupSize),
      ...result.worldVsPersonal.groups.map((cell) => blockAgreementLine(cell, width, minGroupSize)),
      "",
    );
  }
  if (result.unacceptable) {
    const all = result.unacceptable.all;
    lines.push(
      `Unacceptable (of ${all.asked} assessments asked; Wilson ${Math.round(result.bootstrap.confidence * 100)}% intervals):`,
      `  assessments judging any response unacceptable ${shareText(all.any)}; responses judged unacceptable ${shareText(all.responses)}`,
      "",
    );
  }
  for (const scenario of result.scenarios) {
    const notes = [
      scenario.reference ? `reference ${scenario.reference}` : null,
      scenario.attentionCheck ? "attention check" : null,
      scenario.tags.length > 0 ? `tags ${scenario.tags.join(", ")}` : null,
    ].filter(Boolean);
    lines.push(`Scenario ${scenario.scenarioId}${notes.length > 0 ? `  (${notes.join("; ")})` : ""}`);
    lines.push(...cellLines(scenario.all, "  ", minGroupSize), ...winMatrix(scenario.all, "  "));
    for (const group of scenario.groups) {
      lines.push(`  ${report.by} = ${group.group}`, ...cellLines(group, "    ", minGroupSize));
    }
    const personal = result.personal?.scenarios.find((s) => s.scenarioId === scenario.scenarioId);
    if (personal && personal.all.assessments > 0) {
      lines.push("  personal ranking", ...cellLines(personal.all, "    ", minGroupSize));
    }
    const unacceptable = result.unacceptable?.scenarios.find((s) => s.scenarioId === scenario.scenarioId);
    if (unacceptable && unacceptable.all.asked > 0) {
      lines.push("  unacceptable", unacceptableLine(unacceptable.all, "    ", minGroupSize));
      for (const group of unacceptable.groups) lines.push(unacceptableLine(group, "    ", minGroupSize));
    }
    const differences = result.groupDifferences?.find((s) => s.scenarioId === scenario.scenarioId);
    if (differences) {
      lines.push(
        `  differences between groups (Kruskal–Wallis on each response's rank):`,
        ...LABELS.map((l) => differenceLine(l, differences.responses[l])),
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
