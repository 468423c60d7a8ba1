import { LABELS, type Label } from "../../core/labels.js";
import type {
  AgreementSummary,
  BlockAgreement,
  CellResult,
  Estimate,
  ScenarioInput,
  ScenarioResult,
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

/**
 * `chorus analyze --html FILE`: one self-contained page (inline CSS and SVG,
 * no scripts, fonts or images from elsewhere) that opens offline and prints.
 * Charts: agreement with the reference by group, and per scenario the
 * first-choice shares (whole sample and each group) and mean ranks with
 * their bootstrap intervals.
 */

/** Colour-blind-safe (Okabe–Ito) colours for responses A–D. */
const COLOURS: Record<Label, string> = { A: "#0072B2", B: "#E69F00", C: "#009E73", D: "#CC79A7" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function svg(width: number, height: number, body: string[], label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">${body.join("")}</svg>`;
}

function textAt(x: number, y: number, content: string, attributes = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeHtml(content)}</text>`;
}

function whisker(x1: number, x2: number, y: number): string {
  return `<line x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${y}" y2="${y}" class="ci"/><line x1="${x1.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y - 4}" y2="${y + 4}" class="ci"/><line x1="${x2.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${y - 4}" y2="${y + 4}" class="ci"/>`;
}

/** Room for the row labels: about 7 px per character at 12 px, at least 110 px. */
function labelWidth(labels: readonly string[]): number {
  return Math.max(110, ...labels.map((label) => Math.ceil(label.length * 7) + 16));
}
const PLOT_WIDTH = 460;
const ROW = 26;

/** Horizontal bars 0–100% with interval whiskers: agreement with the reference by group. */
function agreementChart(rows: AgreementSummary[]): string {
  const usable = rows.filter((row) => row.agreement?.share.value !== null && row.agreement);
  const height = usable.length * ROW + 30;
  const LABEL_WIDTH = labelWidth(usable.map((row) => row.group));
  const x = (v: number) => LABEL_WIDTH + v * PLOT_WIDTH;
  const body: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    body.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="0" y2="${height - 20}" class="grid"/>`);
    body.push(textAt(x(tick), height - 6, formatPercent(tick, 0), 'text-anchor="middle" class="axis"'));
  }
  usable.forEach((row, i) => {
    const estimate = row.agreement?.share as Estimate;
    const y = i * ROW + 6;
    body.push(textAt(LABEL_WIDTH - 8, y + 13, row.group, 'text-anchor="end"'));
    body.push(
      `<rect x="${x(0)}" y="${y}" width="${(estimate.value as number) * PLOT_WIDTH}" height="16" class="bar"/>`,
    );
    if (estimate.low !== null && estimate.high !== null) body.push(whisker(x(estimate.low), x(estimate.high), y + 8));
    body.push(
      textAt(
        x(estimate.high ?? (estimate.value as number)) + 8,
        y + 13,
        formatPercent(estimate.value),
        'class="value"',
      ),
    );
  });
  return svg(LABEL_WIDTH + PLOT_WIDTH + 70, height, body, "Share of agreeing pairs with the reference, by group");
}

/** One stacked bar per row (whole sample, then each group): each response's first-choice share. */
function firstChoiceChart(cells: CellResult[]): string {
  const rows = cells.filter((cell) => cell.assessments > 0);
  const height = rows.length * ROW + 28;
  const labels = rows.map((cell) => `${cell.group} (n=${cell.assessments})`);
  const LABEL_WIDTH = labelWidth(labels);
  const body: string[] = [];
  rows.forEach((cell, i) => {
    const y = i * ROW + 4;
    body.push(textAt(LABEL_WIDTH - 8, y + 13, labels[i] as string, 'text-anchor="end"'));
    let offset = LABEL_WIDTH;
    for (const label of LABELS) {
      const width = (cell.firstChoice[label].value ?? 0) * PLOT_WIDTH;
      if (width <= 0) continue;
      body.push(
        `<rect x="${offset.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="18" fill="${COLOURS[label]}"><title>${label}: ${formatPercent(cell.firstChoice[label].value)}</title></rect>`,
      );
      if (width > 34)
        body.push(
          textAt(
            offset + width / 2,
            y + 13,
            `${label} ${formatPercent(cell.firstChoice[label].value, 0)}`,
            'text-anchor="middle" class="inbar"',
          ),
        );
      offset += width;
    }
  });
  LABELS.forEach((label, i) => {
    const x = LABEL_WIDTH + i * 100;
    body.push(`<rect x="${x}" y="${height - 18}" width="12" height="12" fill="${COLOURS[label]}"/>`);
    body.push(textAt(x + 16, height - 8, `response ${label}`, 'class="axis"'));
  });
  return svg(LABEL_WIDTH + PLOT_WIDTH + 20, height, body, "First-choice shares");
}

/** Mean rank of each response (1 = best, left) with its bootstrap interval. */
function meanRankChart(cell: CellResult): string {
  const height = LABELS.length * ROW + 30;
  const LABEL_WIDTH = labelWidth(["response A"]);
  const x = (rank: number) => LABEL_WIDTH + ((rank - 1) / 3) * PLOT_WIDTH;
  const body: string[] = [];
  for (const rank of [1, 2, 3, 4]) {
    body.push(`<line x1="${x(rank)}" x2="${x(rank)}" y1="0" y2="${height - 20}" class="grid"/>`);
    body.push(
      textAt(
        x(rank),
        height - 6,
        rank === 1 ? "1 (best)" : rank === 4 ? "4 (worst)" : String(rank),
        'text-anchor="middle" class="axis"',
      ),
    );
  }
  LABELS.forEach((label, i) => {
    const estimate = cell.meanRank[label];
    const y = i * ROW + 12;
    body.push(textAt(LABEL_WIDTH - 8, y + 5, `response ${label}`, 'text-anchor="end"'));
    if (estimate.value === null) return;
    if (estimate.low !== null && estimate.high !== null) body.push(whisker(x(estimate.low), x(estimate.high), y));
    body.push(
      `<circle cx="${x(estimate.value).toFixed(1)}" cy="${y}" r="6" fill="${COLOURS[label]}"><title>${label}: ${formatEstimate(estimate, (v) => formatNumber(v, 2))}</title></circle>`,
    );
    body.push(textAt(x(4) + 12, y + 5, formatNumber(estimate.value, 2), 'class="value"'));
  });
  return svg(LABEL_WIDTH + PLOT_WIDTH + 60, height, body, "Mean ranks with intervals");
}

function winTable(cell: CellResult): string {
  const cells = LABELS.map(
    (row) =>
      `<tr><th>${row}</th>${LABELS.map((column) => {
        if (row === column) return "<td>·</td>";
        const value = cell.wins[row][column];
        return `<td style="background:rgba(0,114,178,${(value * 0.6).toFixed(2)})">${formatPercent(value, 0)}</td>`;
      }).join("")}</tr>`,
  );
  return `<table class="matrix"><caption>Row ranked above column</caption><tr><th></th>${LABELS.map((l) => `<th>${l}</th>`).join("")}</tr>${cells.join("")}</table>`;
}

/** A row's attributes: groups under the minimum size are greyed, with the reason on hover. */
function rowClass(small: boolean, minGroupSize: number): string {
  return small ? ` class="small" title="fewer than ${minGroupSize}: too few to read on its own"` : "";
}

function groupTable(cells: CellResult[], by: string | null, minGroupSize: number, caption: string): string {
  const head = [
    by ?? "group",
    "n",
    ...LABELS.map((l) => `first ${l}`),
    ...LABELS.map((l) => `rank ${l}`),
    "W",
    "α",
    "agree",
  ];
  const rows = cells.map(
    (cell) =>
      `<tr${rowClass(cell.small, minGroupSize)}><th>${escapeHtml(cell.group)}</th><td>${cell.assessments}</td>${LABELS.map((l) => `<td>${formatPercent(cell.firstChoice[l].value, 0)}</td>`).join("")}${LABELS.map((l) => `<td>${formatNumber(cell.meanRank[l].value, 2)}</td>`).join("")}<td>${formatNumber(cell.concordance?.w ?? null, 2)}</td><td>${formatNumber(cell.alpha, 2)}</td><td>${cell.reference ? formatPercent(cell.reference.share.value, 0) : "–"}</td></tr>`,
  );
  return `<table><caption>${escapeHtml(caption)}</caption><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>${rows.join("")}</table>`;
}

function shareCell(share: Share): string {
  return `<td title="${escapeHtml(`${share.count} of ${share.n}`)}">${escapeHtml(formatEstimate(share, (v) => formatPercent(v, 0)))}</td>`;
}

function unacceptableTable(cells: UnacceptableCell[], minGroupSize: number): string {
  const rows = cells.map(
    (cell) =>
      `<tr${rowClass(cell.small, minGroupSize)}><th>${escapeHtml(cell.group)}</th><td>${cell.asked}</td>${shareCell(cell.any)}${LABELS.map((l) => shareCell(cell.responses[l])).join("")}</tr>`,
  );
  return `<table><caption>Judged unacceptable (Wilson intervals)</caption><tr><th></th><th>asked</th><th>any</th>${LABELS.map((l) => `<th>${l}</th>`).join("")}</tr>${rows.join("")}</table>`;
}

function blockAgreementTable(cells: BlockAgreement[], minGroupSize: number): string {
  const rows = cells.map(
    (cell) =>
      `<tr${rowClass(cell.small, minGroupSize)}><th>${escapeHtml(cell.group)}</th><td>${cell.assessments}</td><td>${formatNumber(cell.tauB, 2)}</td><td>${formatPercent(cell.pairShare, 0)}</td><td>${formatPercent(cell.identical, 0)}</td></tr>`,
  );
  return `<table><caption>World vs personal ranking</caption><tr><th></th><th>n</th><th>mean τ-b</th><th>pairs agreeing</th><th>identical</th></tr>${rows.join("")}</table>`;
}

/** The prompt and the four responses, folded (a details element needs no script). */
function scenarioText(input: Pick<ScenarioInput, "messages" | "responses"> | undefined): string {
  if (!input?.messages?.length) return "";
  const messages = input.messages
    .map((m) => `<div class="msg"><span class="role">${escapeHtml(m.role)}</span> ${escapeHtml(m.content)}</div>`)
    .join("");
  const responses = (input.responses ?? [])
    .map(
      (r) =>
        `<div class="msg"><span class="role" style="color:${COLOURS[r.label]}">${r.label}</span> ${escapeHtml(r.text)}</div>`,
    )
    .join("");
  return `<details><summary>Prompt and responses</summary>${messages}<h3>Responses</h3>${responses}</details>`;
}

function scenarioSection(scenario: ScenarioResult, report: AnalysisReport): string {
  const all = scenario.all;
  const { result } = report;
  const min = result.minGroupSize;
  const personal = result.personal?.scenarios.find((s) => s.scenarioId === scenario.scenarioId);
  const unacceptable = result.unacceptable?.scenarios.find((s) => s.scenarioId === scenario.scenarioId);
  const blocks = result.worldVsPersonal?.scenarios.find((s) => s.scenarioId === scenario.scenarioId);
  const differences = result.groupDifferences?.find((s) => s.scenarioId === scenario.scenarioId);
  const facts = [
    `${all.assessments} assessments`,
    all.consensus ? `consensus <code>${escapeHtml(all.consensus)}</code>` : null,
    scenario.reference ? `reference <code>${escapeHtml(scenario.reference)}</code>` : null,
    all.concordance
      ? `Kendall's W ${escapeHtml(formatEstimate({ ...all.concordance.interval, value: all.concordance.w }))}, χ²(${all.concordance.df}) = ${all.concordance.chiSquare.toFixed(2)}, ${formatPValue(all.concordance.pValue)}`
      : null,
    all.alpha !== null ? `Krippendorff's α ${formatNumber(all.alpha)}` : null,
    all.reference
      ? `pairs agreeing with the reference ${escapeHtml(formatEstimate(all.reference.share, formatPercent))}`
      : null,
    scenario.attentionCheck ? "attention check" : null,
    scenario.tags.length > 0 ? `tags: ${scenario.tags.map(escapeHtml).join(", ")}` : null,
  ].filter(Boolean);
  return `<section>
<h2>${escapeHtml(scenario.scenarioId)}</h2>
<p>${facts.join(" · ")}</p>
${scenarioText(report.scenarios.find((s) => s.scenarioId === scenario.scenarioId))}
<div class="charts"><figure><figcaption>First choice</figcaption>${firstChoiceChart([all, ...scenario.groups])}</figure>
<figure><figcaption>Mean rank (whole sample)</figcaption>${meanRankChart(all)}</figure></div>
<div class="charts">${winTable(all)}${scenario.groups.length > 0 ? groupTable(scenario.groups, report.by, min, "World ranking by group") : ""}</div>
<div class="charts">${personal && personal.all.assessments > 0 ? groupTable([personal.all, ...personal.groups], report.by, min, "Personal ranking") : ""}${blocks && blocks.all.assessments > 0 ? blockAgreementTable([blocks.all, ...blocks.groups], min) : ""}${unacceptable && unacceptable.all.asked > 0 ? unacceptableTable([unacceptable.all, ...unacceptable.groups], min) : ""}</div>
${
  differences
    ? `<table><caption>Differences between groups: Kruskal–Wallis on each response's rank (groups of at least ${min}), Holm-adjusted across all tests</caption><tr><th>response</th><th>H</th><th>df</th><th>p</th><th>p (Holm)</th><th>n</th></tr>${LABELS.map(
        (l) => {
          const test = differences.responses[l];
          return test
            ? `<tr><th>${l}</th><td>${test.h.toFixed(2)}</td><td>${test.df}</td><td>${escapeHtml(formatPValue(test.pValue))}</td><td>${escapeHtml(formatPValue(test.pHolm))}</td><td>${test.n}</td></tr>`
            : `<tr><th>${l}</th><td colspan="5">not tested (fewer than two groups of ${min}, or every rank tied)</td></tr>`;
        },
      ).join("")}</table>`
    : ""
}
</section>`;
}

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-top:1px solid #ddd;padding-top:1rem}
.meta{color:#555}code{background:#f3f3f3;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;margin:.5rem 1rem .5rem 0;font-size:.85rem}th,td{border:1px solid #ddd;padding:.2rem .45rem;text-align:right}
th{background:#f7f7f7}caption{font-size:.8rem;color:#555;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}figure{margin:0}figcaption{font-size:.85rem;color:#555}
svg text{font-size:12px;fill:#1a1a1a}svg .axis{fill:#666;font-size:11px}svg .value{fill:#333;font-size:11px}svg .inbar{fill:#fff;font-size:11px}
svg .grid{stroke:#e3e3e3}svg .ci{stroke:#333;stroke-width:1.5}svg .bar{fill:#0072B2}
tr.small td,tr.small th{color:#9a9a9a;background:#f4f4f4}.warn{background:#fff4e5;border-left:4px solid #e69f00;padding:.4rem .8rem}
details{margin:.4rem 0 .8rem}summary{cursor:pointer;color:#0072B2}.msg{white-space:pre-wrap;margin:.3rem 0;padding:.3rem .5rem;background:#fafafa;border-radius:3px}
.role{font-weight:600;margin-right:.4rem}h3{font-size:.95rem;margin:.6rem 0 .2rem}
@media print{section{break-inside:avoid}details{display:block}}`;

export function renderHtml(report: AnalysisReport): string {
  const { result, quality } = report;
  const agreement = report.reference
    ? `<section><h2>Agreement with the reference</h2>
<p>Share of response pairs that both a participant and the reference (${escapeHtml(report.reference.source)}${report.reference.version ? ` v${escapeHtml(report.reference.version)}` : ""}) rank strictly, on which they agree: the "how often do people agree with the spec" figure. Overall ${escapeHtml(formatEstimate(result.agreement.all.agreement?.share ?? { value: null, low: null, high: null }, formatPercent))}; mean Kendall τ-b ${escapeHtml(formatEstimate(result.agreement.all.agreement?.tauB ?? { value: null, low: null, high: null }))}.</p>
${agreementChart([result.agreement.all, ...result.agreement.groups])}</section>`
    : "<p>No reference rankings were available for this study.</p>";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(`Chorus analysis: ${report.study.id}`)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(report.study.title)}</h1>
<p class="meta">Study <code>${escapeHtml(report.study.id)}</code> v${report.study.version} · ${result.totals.assessments} assessments by ${result.totals.participants} participants on ${result.totals.scenarios} scenarios${report.since ? ` completed since ${escapeHtml(report.since)}` : ""}${report.by ? ` · by <code>${escapeHtml(report.by)}</code>` : ""} · generated ${escapeHtml(report.generatedAt)}</p>
<p class="meta">Intervals: ${Math.round(result.bootstrap.confidence * 100)}% percentile bootstrap, ${result.bootstrap.replicates} replicates resampling participants (seed ${result.bootstrap.seed}). Ranks: 1 = best; ties share the mean position.</p>
${result.warnings.length > 0 ? `<div class="warn">${result.warnings.map((w) => `<p>${escapeHtml(w)}</p>`).join("")}</div>` : ""}
<section><h2>Across scenarios</h2>
<p>Krippendorff's α (ordinal, pooled over scenarios): world ${formatNumber(result.alpha)}${result.personal ? `, personal ${formatNumber(result.personal.alpha)}` : ""}${result.unacceptable ? ` · judged unacceptable: ${escapeHtml(formatEstimate(result.unacceptable.all.any, formatPercent))} of ${result.unacceptable.all.asked} assessments flagged at least one response` : ""}</p>
${result.worldVsPersonal ? blockAgreementTable([result.worldVsPersonal.all, ...result.worldVsPersonal.groups], result.minGroupSize) : ""}</section>
<section><h2>Quality</h2><table>
<tr><th>Assessments read</th><td>${quality.assessments}</td></tr>
<tr><th>Speeders (&lt; ${quality.minSecondsPerResponse} s per response read)</th><td>${quality.speeders}${share(quality.speeders, quality.assessments)}</td></tr>
<tr><th>Rationales below ${quality.minLetters} letters</th><td>${quality.shortRationales}${share(quality.shortRationales, quality.assessments)}</td></tr>
<tr><th>Ranked without opening every response</th><td>${unopenedCount(quality)}</td></tr>
<tr><th>Participants failing an attention check</th><td>${quality.failedAttentionParticipants}</td></tr>
<tr><th>Flagged assessments</th><td>${quality.flagged}${share(quality.flagged, quality.assessments)}</td></tr>
<tr><th>Excluded</th><td>${report.excludeFlagged ? quality.excluded : "none (run with --exclude-flagged to drop flagged assessments)"}</td></tr>
</table></section>
${agreement}
${result.scenarios.map((scenario) => scenarioSection(scenario, report)).join("\n")}
</body></html>
`;
}
