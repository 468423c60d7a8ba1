import { LABELS, type Label } from "../../core/labels.js";
import { formatRanking, type Ranking } from "../../core/ranking.js";
import { holmAdjust, type KruskalWallis, kruskalWallis, ordinalAlpha, wilsonInterval } from "./inference.js";
import { createPrng } from "./prng.js";
import type { AttentionCheck } from "./quality.js";
import { type Concordance, kendallWFromSums, pairAgreementFromRanks, tauBFromRanks } from "./statistics.js";
import { K, WEAK_ORDER_COUNT, WEAK_ORDERS, weakOrderCode } from "./weak-orders.js";

/**
 * The per-scenario analyses, by group, with bootstrap intervals clustered by
 * participant. Pure: the loader (src/research/analysis-data.ts) turns the database
 * into this compact input; tests build it by hand.
 *
 * Every world ranking is reduced to its weak-order code (one of 75), so each
 * (group, scenario) cell is a histogram of 75 counts and every statistic is a
 * function of that histogram. A bootstrap replicate draws participants with
 * replacement (all of a participant's assessments travel together), turns the
 * draw counts into weights and rebuilds the histograms in one pass.
 */

export interface ScenarioInput {
  studyId: string;
  scenarioId: string;
  tags: readonly string[];
  /** The reference ranking text (canonical labels), or null when the scenario has none. */
  reference: string | null;
  attentionCheck: AttentionCheck | null;
  /** The conversation shown and the four responses (for the report). */
  messages?: readonly { role: string; content: string }[];
  responses?: readonly { label: Label; text: string }[];
}

/** `personal` of a row without a personal ranking; `unacceptable` of a row where the question was not asked. */
export const NO_RANKING = 255;
export const NOT_ASKED = -1;

export interface AnalysisInput {
  scenarios: readonly ScenarioInput[];
  /** Group labels; index = group number. Empty when not analysing by a field. */
  groups: readonly string[];
  /** Group number of each participant (participants are numbered 0..n−1). */
  participantGroup: Uint16Array;
  rows: {
    count: number;
    participant: Uint32Array;
    scenario: Uint32Array;
    /** Weak-order code of the world ranking (see weak-orders.ts). */
    code: Uint8Array;
    /** Weak-order code of the personal ranking, NO_RANKING when the task had none (absent: none at all). */
    personal?: Uint8Array;
    /** Bit i set: response i (A–D) judged unacceptable; NOT_ASKED when the question was not asked. */
    unacceptable?: Int8Array;
  };
}

interface AnalysisOptions {
  /** Bootstrap replicates (0 = point estimates only). */
  replicates: number;
  seed: number;
  /** Interval coverage, e.g. 0.95. */
  confidence: number;
  /** Cells (and groups) with fewer assessments are flagged `small` and left out of group tests. */
  minGroupSize?: number;
}

export const DEFAULT_MIN_GROUP_SIZE = 10;

export interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
}

export interface ReferenceAgreement {
  /** Pooled share of agreeing strict pairs: Σ agreeing / Σ pairs both order strictly. */
  share: Estimate;
  /** Mean Kendall τ-b between each ranking and the reference (rankings where it is defined). */
  tauB: Estimate;
  /** Assessments compared. */
  rankings: number;
}

export interface CellResult {
  group: string;
  assessments: number;
  /** Mean fractional rank (1 = best) of each response. */
  meanRank: Record<Label, Estimate>;
  /** Mean Borda points (0–3; one per response ranked below, half per tie). */
  borda: Record<Label, number>;
  /** Share of assessments ranking the response first (ties at the top split evenly). */
  firstChoice: Record<Label, Estimate>;
  /** wins[a][b]: share of assessments ranking a strictly above b. */
  wins: Record<Label, Record<Label, number>>;
  /** ties[a][b]: share of assessments tying a and b. */
  ties: Record<Label, Record<Label, number>>;
  concordance: (Concordance & { interval: Estimate }) | null;
  /** Krippendorff's α, ordinal metric: units are the four responses, values the ranks the annotators gave. */
  alpha: number | null;
  /** Fewer assessments than the minimum group size: shown, but not to be read on its own. */
  small: boolean;
  reference: ReferenceAgreement | null;
  /** The ranking implied by mean ranks (equal means tie). */
  consensus: string | null;
}

export interface ScenarioResult {
  studyId: string;
  scenarioId: string;
  tags: readonly string[];
  reference: string | null;
  attentionCheck: AttentionCheck | null;
  all: CellResult;
  groups: CellResult[];
}

export interface GroupDifference extends KruskalWallis {
  /** Holm-adjusted p across every test of the analysis (all scenarios and responses). */
  pHolm: number;
  /** Groups compared (those with at least the minimum size). */
  groups: string[];
}

export interface AgreementSummary {
  group: string;
  participants: number;
  agreement: ReferenceAgreement | null;
}

/** The analyses of one ranking block (world or personal). */
export interface RankingAnalysis {
  groups: readonly string[];
  bootstrap: AnalysisOptions;
  totals: { assessments: number; participants: number; scenarios: number };
  /** Across every scenario with a reference: how often people agree with it. */
  agreement: { all: AgreementSummary; groups: AgreementSummary[] };
  /** Krippendorff's α (ordinal) pooled over scenarios: units are scenario × response. */
  alpha: number | null;
  scenarios: ScenarioResult[];
}

/** World against personal ranking of the same assessments. */
export interface BlockAgreement {
  group: string;
  /** Assessments with both rankings. */
  assessments: number;
  /** Mean Kendall τ-b between a participant's world and personal ranking (where defined). */
  tauB: number | null;
  /** Share of strict pairs both rankings order, ordered the same way. */
  pairShare: number | null;
  /** Share of identical rankings. */
  identical: number | null;
  small: boolean;
}

export interface Share {
  count: number;
  n: number;
  value: number | null;
  /** Wilson score interval. */
  low: number | null;
  high: number | null;
}

export interface UnacceptableCell {
  group: string;
  /** Assessments asked the question. */
  asked: number;
  /** Share of them judging each response unacceptable. */
  responses: Record<Label, Share>;
  /** Share judging at least one response unacceptable. */
  any: Share;
  small: boolean;
}

export interface UnacceptableResult {
  /** Over every scenario: assessments flagging any response, and flags per response shown. */
  all: { asked: number; any: Share; responses: Share };
  scenarios: { scenarioId: string; all: UnacceptableCell; groups: UnacceptableCell[] }[];
}

export interface AnalysisResult extends RankingAnalysis {
  minGroupSize: number;
  /** The personal rankings analysed like the world ones (null when the study has none). */
  personal: RankingAnalysis | null;
  /** World vs personal agreement, pooled and per scenario (whole sample, then groups). */
  worldVsPersonal: {
    all: BlockAgreement;
    groups: BlockAgreement[];
    scenarios: { scenarioId: string; all: BlockAgreement; groups: BlockAgreement[] }[];
  } | null;
  unacceptable: UnacceptableResult | null;
  /** Kruskal–Wallis of each response's rank across groups, per scenario (null without --by). */
  groupDifferences: { scenarioId: string; responses: Record<Label, GroupDifference | null> }[] | null;
  /** Groups (and cells) under the minimum size, in words. */
  warnings: string[];
}

const ALL_GROUP = "all";
const CODES = WEAK_ORDER_COUNT;

/** Per-scenario lookup tables: τ-b, agreeing and strict pairs of each weak order against the reference. */
interface ReferenceTable {
  tau: Float64Array;
  agreeing: Float64Array;
  strict: Float64Array;
}

function referenceTable(reference: string | null): ReferenceTable | null {
  if (reference === null) return null;
  const code = weakOrderCode(reference);
  if (code === undefined) throw new Error(`invalid reference ranking "${reference}"`);
  const ref = (WEAK_ORDERS[code] as (typeof WEAK_ORDERS)[number]).ranks;
  const table = { tau: new Float64Array(CODES), agreeing: new Float64Array(CODES), strict: new Float64Array(CODES) };
  WEAK_ORDERS.forEach((order, c) => {
    table.tau[c] = tauBFromRanks(order.ranks, ref) ?? Number.NaN;
    const pairs = pairAgreementFromRanks(order.ranks, ref);
    table.agreeing[c] = pairs.agreeing;
    table.strict[c] = pairs.strictPairs;
  });
  return table;
}

/** The statistics of one histogram that get intervals, in a fixed order (see SLOT_*). */
const SLOT_MEAN_RANK = 0;
const SLOT_FIRST = K;
const SLOT_W = 2 * K;
const SLOT_SHARE = 2 * K + 1;
const SLOT_TAU = 2 * K + 2;
const SLOTS_PER_CELL = 2 * K + 3;

interface AgreementSums {
  agreeing: number;
  strict: number;
  tauSum: number;
  tauCount: number;
  rankings: number;
}

/** Writes the interval statistics of one histogram into `out` (NaN where undefined). */
function cellStatistics(
  hist: Float64Array,
  offset: number,
  table: ReferenceTable | null,
  out: Float64Array,
  agreement: AgreementSums | null,
): { n: number; concordance: Concordance | null } {
  let n = 0;
  let tieTermSum = 0;
  const rankSums = [0, 0, 0, 0];
  const first = [0, 0, 0, 0];
  let agreeing = 0;
  let strict = 0;
  let tauSum = 0;
  let tauCount = 0;
  for (let c = 0; c < CODES; c++) {
    const weight = hist[offset + c] as number;
    if (weight === 0) continue;
    const order = WEAK_ORDERS[c] as (typeof WEAK_ORDERS)[number];
    n += weight;
    tieTermSum += weight * order.tieTerm;
    for (let i = 0; i < K; i++) {
      rankSums[i] = (rankSums[i] as number) + weight * (order.ranks[i] as number);
      first[i] = (first[i] as number) + weight * (order.first[i] as number);
    }
    if (table) {
      agreeing += weight * (table.agreeing[c] as number);
      strict += weight * (table.strict[c] as number);
      const tau = table.tau[c] as number;
      if (!Number.isNaN(tau)) {
        tauSum += weight * tau;
        tauCount += weight;
      }
    }
  }
  for (let i = 0; i < K; i++) {
    out[SLOT_MEAN_RANK + i] = n > 0 ? (rankSums[i] as number) / n : Number.NaN;
    out[SLOT_FIRST + i] = n > 0 ? (first[i] as number) / n : Number.NaN;
  }
  const concordance = kendallWFromSums({ raters: n, rankSums, tieTermSum });
  out[SLOT_W] = concordance?.w ?? Number.NaN;
  out[SLOT_SHARE] = strict > 0 ? agreeing / strict : Number.NaN;
  out[SLOT_TAU] = tauCount > 0 ? tauSum / tauCount : Number.NaN;
  if (agreement && table) {
    agreement.agreeing += agreeing;
    agreement.strict += strict;
    agreement.tauSum += tauSum;
    agreement.tauCount += tauCount;
    agreement.rankings += n;
  }
  return { n, concordance };
}

function emptyAgreement(): AgreementSums {
  return { agreeing: 0, strict: 0, tauSum: 0, tauCount: 0, rankings: 0 };
}

/**
 * The histograms ((groups + 1) × scenarios × 75; the last group block is
 * "all"): each participant's rows as a run of histogram cells, so that a
 * bootstrap replicate is one pass over the participants drawn, reading each
 * one's cells in sequence.
 */
interface HistogramCells {
  /** Participant p's cells are cells[start[p]] … cells[start[p + 1] − 1]. */
  start: Uint32Array;
  cells: Uint32Array;
  /** Adds the groups' blocks into "all" (nothing to do without groups: rows count into "all" directly). */
  sumGroups(hist: Float64Array): void;
}

function histogramCells(input: AnalysisInput): HistogramCells {
  const { participant, scenario, code, count } = input.rows;
  const participants = input.participantGroup.length;
  const scenarios = input.scenarios.length;
  const groups = input.groups.length;
  const allBlock = groups * scenarios * CODES;
  const start = new Uint32Array(participants + 1);
  for (let r = 0; r < count; r++) {
    const p = (participant[r] as number) + 1;
    start[p] = (start[p] as number) + 1;
  }
  for (let p = 0; p < participants; p++) start[p + 1] = (start[p + 1] as number) + (start[p] as number);
  const next = start.slice(0, participants);
  const cells = new Uint32Array(count);
  for (let r = 0; r < count; r++) {
    const p = participant[r] as number;
    const group = groups > 0 ? (input.participantGroup[p] as number) : 0;
    const cell = ((groups > 0 ? group * scenarios : 0) + (scenario[r] as number)) * CODES + (code[r] as number);
    const at = next[p] as number;
    cells[at] = groups > 0 ? cell : allBlock + cell;
    next[p] = at + 1;
  }
  const sumGroups = (hist: Float64Array) => {
    for (let g = 0; g < groups; g++) {
      const base = g * scenarios * CODES;
      for (let k = 0; k < scenarios * CODES; k++) {
        hist[allBlock + k] = (hist[allBlock + k] as number) + (hist[base + k] as number);
      }
    }
  };
  return { start, cells, sumGroups };
}

/** The whole-sample histograms (every participant once). */
function fillHistograms(hist: Float64Array, { cells, sumGroups }: HistogramCells): void {
  hist.fill(0);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as number;
    hist[cell] = (hist[cell] as number) + 1;
  }
  sumGroups(hist);
}

/** Statistics of every cell plus the pooled agreement per group, into one flat vector. */
function statisticsVector(
  input: AnalysisInput,
  hist: Float64Array,
  tables: readonly (ReferenceTable | null)[],
  out: Float64Array,
): void {
  const scenarios = input.scenarios.length;
  const cells = (input.groups.length + 1) * scenarios;
  const scratch = new Float64Array(SLOTS_PER_CELL);
  for (let g = 0; g <= input.groups.length; g++) {
    const pooled = emptyAgreement();
    for (let s = 0; s < scenarios; s++) {
      const cell = g * scenarios + s;
      cellStatistics(hist, cell * CODES, tables[s] ?? null, scratch, pooled);
      out.set(scratch, cell * SLOTS_PER_CELL);
    }
    const base = cells * SLOTS_PER_CELL + g * 2;
    out[base] = pooled.strict > 0 ? pooled.agreeing / pooled.strict : Number.NaN;
    out[base + 1] = pooled.tauCount > 0 ? pooled.tauSum / pooled.tauCount : Number.NaN;
  }
}

function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

function interval(values: Float64Array, confidence: number): [number | null, number | null] {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  if (finite.length === 0) return [null, null];
  const tail = (1 - confidence) / 2;
  return [quantile(finite, tail), quantile(finite, 1 - tail)];
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function byLabel<T>(make: (i: number) => T): Record<Label, T> {
  return Object.fromEntries(LABELS.map((label, i) => [label, make(i)])) as Record<Label, T>;
}

function consensusRanking(meanRanks: readonly number[]): string | null {
  if (meanRanks.some((rank) => !Number.isFinite(rank))) return null;
  const sorted = LABELS.map((label, i) => ({ label, rank: meanRanks[i] as number })).sort((a, b) => a.rank - b.rank);
  const tiers: Ranking = [];
  let previous = Number.NaN;
  for (const { label, rank } of sorted) {
    const last = tiers.at(-1);
    if (last && Math.abs(rank - previous) < 1e-9) last.push(label);
    else tiers.push([label]);
    previous = rank;
  }
  return formatRanking(tiers.map((tier) => tier.sort()));
}

function pairMatrices(hist: Float64Array, offset: number, n: number) {
  const above = new Float64Array(K * K);
  for (let c = 0; c < CODES; c++) {
    const weight = hist[offset + c] as number;
    if (weight === 0) continue;
    const order = WEAK_ORDERS[c] as (typeof WEAK_ORDERS)[number];
    for (let i = 0; i < K * K; i++) above[i] = (above[i] as number) + weight * (order.above[i] as number);
  }
  const share = (i: number, j: number) => (n > 0 ? (above[i * K + j] as number) / n : 0);
  return {
    wins: byLabel((i) => byLabel((j) => share(i, j))),
    ties: byLabel((i) => byLabel((j) => (i === j || n === 0 ? 0 : 1 - share(i, j) - share(j, i)))),
  };
}

/** Categories of a fractional rank (1, 1.5, …, 4) for the ordinal statistics. */
const RANK_CATEGORIES = 7;
const category = (rank: number) => Math.round((rank - 1) * 2);

/** Per response, the counts of each rank category in one histogram cell. */
function rankCategoryCounts(hist: Float64Array, offset: number): number[][] {
  const units = LABELS.map(() => new Array<number>(RANK_CATEGORIES).fill(0));
  for (let c = 0; c < CODES; c++) {
    const weight = hist[offset + c] as number;
    if (weight === 0) continue;
    const ranks = (WEAK_ORDERS[c] as (typeof WEAK_ORDERS)[number]).ranks;
    for (let i = 0; i < K; i++) {
      const unit = units[i] as number[];
      const at = category(ranks[i] as number);
      unit[at] = (unit[at] as number) + weight;
    }
  }
  return units;
}

/** One ranking block's histograms, point statistics and bootstrap draws. */
interface BlockPlan {
  input: AnalysisInput;
  tables: (ReferenceTable | null)[];
  cells: number;
  width: number;
  histogramCells: HistogramCells;
  hist: Float64Array;
  point: Float64Array;
  pointHist: Float64Array;
  vector: Float64Array;
  draws: Float64Array;
}

function planBlock(input: AnalysisInput, replicates: number): BlockPlan {
  const tables = input.scenarios.map((scenario) => referenceTable(scenario.reference));
  const cells = (input.groups.length + 1) * input.scenarios.length;
  const width = cells * SLOTS_PER_CELL + (input.groups.length + 1) * 2;
  const hist = new Float64Array(cells * CODES);
  const rowCells = histogramCells(input);
  fillHistograms(hist, rowCells);
  const point = new Float64Array(width);
  statisticsVector(input, hist, tables, point);
  const pointHist = hist.slice();
  // Replicates, stored statistic-major so each statistic's values are contiguous.
  const draws = new Float64Array(replicates * width);
  return {
    input,
    tables,
    cells,
    width,
    histogramCells: rowCells,
    hist,
    point,
    pointHist,
    vector: new Float64Array(width),
    draws,
  };
}

/**
 * The clustered bootstrap of every block at once: each replicate draws the
 * participants once and adds each one drawn into every block's histograms
 * (the blocks share their participants, and their histograms lie end to end
 * in one array, each participant's cells of all blocks in one run), so the
 * world and personal analyses cost one set of draws and one pass. Counts
 * are whole numbers, so the order they are added in changes nothing.
 */
function bootstrapBlocks(plans: readonly BlockPlan[], participants: number, replicates: number, seed: number): void {
  if (replicates === 0 || participants === 0) return;
  const offsets = plans.map((_, i) => plans.slice(0, i).reduce((sum, plan) => sum + plan.hist.length, 0));
  // Whole counts: added as integers (faster), copied into each block's own histogram for its statistics.
  const hist = new Int32Array(plans.reduce((sum, plan) => sum + plan.hist.length, 0));
  const start = new Uint32Array(participants + 1);
  for (const plan of plans) {
    const own = plan.histogramCells.start;
    for (let p = 0; p < participants; p++)
      start[p + 1] = (start[p + 1] as number) + (own[p + 1] as number) - (own[p] as number);
  }
  for (let p = 0; p < participants; p++) start[p + 1] = (start[p + 1] as number) + (start[p] as number);
  const cells = new Uint32Array(start[participants] as number);
  const next = start.slice(0, participants);
  plans.forEach((plan, i) => {
    const own = plan.histogramCells;
    const offset = offsets[i] as number;
    for (let p = 0; p < participants; p++) {
      let at = next[p] as number;
      for (let k = own.start[p] as number; k < (own.start[p + 1] as number); k++)
        cells[at++] = offset + (own.cells[k] as number);
      next[p] = at;
    }
  });
  const prng = createPrng(seed);
  const weights = new Int32Array(participants);
  for (let b = 0; b < replicates; b++) {
    weights.fill(0);
    for (let i = 0; i < participants; i++) {
      const drawn = prng.int(participants);
      weights[drawn] = (weights[drawn] as number) + 1;
    }
    // In participant order, which reads the cells in sequence (faster than following the draws).
    hist.fill(0);
    for (let p = 0; p < participants; p++) {
      const w = weights[p] as number;
      if (w === 0) continue;
      const end = start[p + 1] as number;
      for (let k = start[p] as number; k < end; k++) {
        const cell = cells[k] as number;
        hist[cell] = (hist[cell] as number) + w;
      }
    }
    plans.forEach((plan, i) => {
      const view = plan.hist;
      view.set(hist.subarray(offsets[i], (offsets[i] as number) + view.length));
      plan.histogramCells.sumGroups(view);
      statisticsVector(plan.input, view, plan.tables, plan.vector);
      for (let k = 0; k < plan.width; k++) plan.draws[k * replicates + b] = plan.vector[k] as number;
    });
  }
}

/** Each input's ranking analysis, with the whole-sample histograms it was computed from. */
function analyzeRankings(
  inputs: readonly AnalysisInput[],
  options: AnalysisOptions,
): { result: RankingAnalysis; histograms: Float64Array }[] {
  const replicates = Math.max(0, Math.floor(options.replicates));
  const plans = inputs.map((input) => planBlock(input, replicates));
  bootstrapBlocks(plans, inputs[0]?.participantGroup.length ?? 0, replicates, options.seed);
  return plans.map((plan) => ({ result: blockResult(plan, options, replicates), histograms: plan.pointHist }));
}

function blockResult(plan: BlockPlan, options: AnalysisOptions, replicates: number): RankingAnalysis {
  const { input, tables, cells, point, pointHist, draws } = plan;
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const scenarioCount = input.scenarios.length;
  const groupCount = input.groups.length;
  const participants = input.participantGroup.length;
  const estimate = (slot: number): Estimate => {
    const value = finiteOrNull(point[slot] as number);
    if (replicates === 0 || value === null) return { value, low: null, high: null };
    const [low, high] = interval(draws.subarray(slot * replicates, (slot + 1) * replicates), options.confidence);
    return { value, low, high };
  };

  const participantsPerGroup = new Array<number>(groupCount).fill(0);
  for (let p = 0; p < participants; p++) {
    const g = input.participantGroup[p] as number;
    participantsPerGroup[g] = (participantsPerGroup[g] as number) + 1;
  }
  const scratch = new Float64Array(SLOTS_PER_CELL);
  const agreementOf = (g: number, group: string, people: number): AgreementSummary => {
    const pooled = emptyAgreement();
    for (let s = 0; s < scenarioCount; s++) {
      cellStatistics(pointHist, (g * scenarioCount + s) * CODES, tables[s] ?? null, scratch, pooled);
    }
    const base = cells * SLOTS_PER_CELL + g * 2;
    return {
      group,
      participants: people,
      agreement:
        pooled.rankings > 0 ? { share: estimate(base), tauB: estimate(base + 1), rankings: pooled.rankings } : null,
    };
  };

  const cellResult = (g: number, s: number, group: string): CellResult => {
    const cell = g * scenarioCount + s;
    const slot = cell * SLOTS_PER_CELL;
    const stats = cellStatistics(pointHist, cell * CODES, tables[s] ?? null, scratch, null);
    const meanRanks = LABELS.map((_, i) => point[slot + SLOT_MEAN_RANK + i] as number);
    return {
      group,
      assessments: stats.n,
      alpha: ordinalAlpha(rankCategoryCounts(pointHist, cell * CODES)),
      small: stats.n < minGroupSize,
      meanRank: byLabel((i) => estimate(slot + SLOT_MEAN_RANK + i)),
      borda: byLabel((i) => (stats.n > 0 ? K - (meanRanks[i] as number) : 0)),
      firstChoice: byLabel((i) => estimate(slot + SLOT_FIRST + i)),
      ...pairMatrices(pointHist, cell * CODES, stats.n),
      concordance: stats.concordance ? { ...stats.concordance, interval: estimate(slot + SLOT_W) } : null,
      reference: tables[s]
        ? { share: estimate(slot + SLOT_SHARE), tauB: estimate(slot + SLOT_TAU), rankings: stats.n }
        : null,
      consensus: stats.n > 0 ? consensusRanking(meanRanks) : null,
    };
  };

  const pooledUnits = input.scenarios.flatMap((_, s) =>
    rankCategoryCounts(pointHist, (groupCount * scenarioCount + s) * CODES),
  );
  return {
    groups: input.groups,
    bootstrap: { replicates, seed: options.seed, confidence: options.confidence },
    totals: { assessments: input.rows.count, participants, scenarios: scenarioCount },
    alpha: ordinalAlpha(pooledUnits),
    agreement: {
      all: agreementOf(groupCount, ALL_GROUP, participants),
      groups: input.groups.map((group, g) => agreementOf(g, group, participantsPerGroup[g] as number)),
    },
    scenarios: input.scenarios.map((scenario, s) => ({
      studyId: scenario.studyId,
      scenarioId: scenario.scenarioId,
      tags: scenario.tags,
      reference: scenario.reference,
      attentionCheck: scenario.attentionCheck,
      all: cellResult(groupCount, s, ALL_GROUP),
      groups: input.groups.map((group, g) => cellResult(g, s, group)),
    })),
  };
}

/** The rows that have a personal ranking, as an input of their own (codes = the personal rankings). */
function personalInput(input: AnalysisInput): AnalysisInput | null {
  const personal = input.rows.personal;
  if (!personal) return null;
  const keep: number[] = [];
  for (let r = 0; r < input.rows.count; r++) if (personal[r] !== NO_RANKING) keep.push(r);
  if (keep.length === 0) return null;
  const pick = <T extends Uint8Array | Uint32Array>(array: T, make: (n: number) => T): T => {
    const out = make(keep.length);
    keep.forEach((r, i) => {
      out[i] = array[r] as number;
    });
    return out;
  };
  return {
    ...input,
    rows: {
      count: keep.length,
      participant: pick(input.rows.participant, (n) => new Uint32Array(n)),
      scenario: pick(input.rows.scenario, (n) => new Uint32Array(n)),
      code: pick(personal, (n) => new Uint8Array(n)),
    },
  };
}

/** τ-b, agreeing and strict pairs of every pair of weak orders (75 × 75). */
const PAIR_TABLES = (() => {
  const tau = new Float64Array(CODES * CODES);
  const agreeing = new Float64Array(CODES * CODES);
  const strict = new Float64Array(CODES * CODES);
  WEAK_ORDERS.forEach((a, i) => {
    WEAK_ORDERS.forEach((b, j) => {
      tau[i * CODES + j] = tauBFromRanks(a.ranks, b.ranks) ?? Number.NaN;
      const pairs = pairAgreementFromRanks(a.ranks, b.ranks);
      agreeing[i * CODES + j] = pairs.agreeing;
      strict[i * CODES + j] = pairs.strictPairs;
    });
  });
  return { tau, agreeing, strict };
})();

function blockAgreements(input: AnalysisInput, minGroupSize: number): AnalysisResult["worldVsPersonal"] {
  const personal = input.rows.personal;
  if (!personal) return null;
  const groups = input.groups.length;
  const scenarios = input.scenarios.length;
  // Sums per (scenario or pooled) × (group or all): n, tau sum, tau count, agreeing, strict, identical.
  const width = 6;
  const sums = new Float64Array((scenarios + 1) * (groups + 1) * width);
  let any = false;
  for (let r = 0; r < input.rows.count; r++) {
    const p = personal[r] as number;
    if (p === NO_RANKING) continue;
    any = true;
    const w = input.rows.code[r] as number;
    const pair = w * CODES + p;
    const group = groups > 0 ? (input.participantGroup[input.rows.participant[r] as number] as number) : -1;
    for (const s of [input.rows.scenario[r] as number, scenarios]) {
      for (const g of group >= 0 ? [group, groups] : [groups]) {
        const at = (s * (groups + 1) + g) * width;
        const tau = PAIR_TABLES.tau[pair] as number;
        sums[at] = (sums[at] as number) + 1;
        if (!Number.isNaN(tau)) {
          sums[at + 1] = (sums[at + 1] as number) + tau;
          sums[at + 2] = (sums[at + 2] as number) + 1;
        }
        sums[at + 3] = (sums[at + 3] as number) + (PAIR_TABLES.agreeing[pair] as number);
        sums[at + 4] = (sums[at + 4] as number) + (PAIR_TABLES.strict[pair] as number);
        if (w === p) sums[at + 5] = (sums[at + 5] as number) + 1;
      }
    }
  }
  if (!any) return null;
  const cell = (s: number, g: number, group: string): BlockAgreement => {
    const at = (s * (groups + 1) + g) * width;
    const n = sums[at] as number;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    return {
      group,
      assessments: n,
      tauB: ratio(sums[at + 1] as number, sums[at + 2] as number),
      pairShare: ratio(sums[at + 3] as number, sums[at + 4] as number),
      identical: ratio(sums[at + 5] as number, n),
      small: n < minGroupSize,
    };
  };
  const byGroup = (s: number) => input.groups.map((group, g) => cell(s, g, group));
  return {
    all: cell(scenarios, groups, ALL_GROUP),
    groups: byGroup(scenarios),
    scenarios: input.scenarios.map((scenario, s) => ({
      scenarioId: scenario.scenarioId,
      all: cell(s, groups, ALL_GROUP),
      groups: byGroup(s),
    })),
  };
}

function share(count: number, n: number, confidence: number): Share {
  const interval = wilsonInterval(count, n, confidence);
  return { count, n, value: n > 0 ? count / n : null, low: interval?.[0] ?? null, high: interval?.[1] ?? null };
}

function unacceptableShares(
  input: AnalysisInput,
  options: AnalysisOptions,
  minGroupSize: number,
): UnacceptableResult | null {
  const flags = input.rows.unacceptable;
  if (!flags) return null;
  const groups = input.groups.length;
  const scenarios = input.scenarios.length;
  // Per scenario × (group or all): asked, any, and flags per response.
  const width = 2 + K;
  const sums = new Float64Array(scenarios * (groups + 1) * width);
  let asked = 0;
  let anyTotal = 0;
  let flagTotal = 0;
  for (let r = 0; r < input.rows.count; r++) {
    const mask = flags[r] as number;
    if (mask === NOT_ASKED) continue;
    asked++;
    if (mask !== 0) anyTotal++;
    const s = input.rows.scenario[r] as number;
    const group = groups > 0 ? (input.participantGroup[input.rows.participant[r] as number] as number) : -1;
    for (const g of group >= 0 ? [group, groups] : [groups]) {
      const at = (s * (groups + 1) + g) * width;
      sums[at] = (sums[at] as number) + 1;
      if (mask !== 0) sums[at + 1] = (sums[at + 1] as number) + 1;
      for (let i = 0; i < K; i++) {
        if (mask & (1 << i)) {
          sums[at + 2 + i] = (sums[at + 2 + i] as number) + 1;
          if (g === groups) flagTotal++;
        }
      }
    }
  }
  if (asked === 0) return null;
  const cell = (s: number, g: number, group: string): UnacceptableCell => {
    const at = (s * (groups + 1) + g) * width;
    const n = sums[at] as number;
    return {
      group,
      asked: n,
      responses: byLabel((i) => share(sums[at + 2 + i] as number, n, options.confidence)),
      any: share(sums[at + 1] as number, n, options.confidence),
      small: n < minGroupSize,
    };
  };
  return {
    all: {
      asked,
      any: share(anyTotal, asked, options.confidence),
      responses: share(flagTotal, asked * K, options.confidence),
    },
    scenarios: input.scenarios.map((scenario, s) => ({
      scenarioId: scenario.scenarioId,
      all: cell(s, groups, ALL_GROUP),
      groups: input.groups.map((group, g) => cell(s, g, group)),
    })),
  };
}

/**
 * Kruskal–Wallis of each response's rank across the groups of at least the
 * minimum size, per scenario; p-values Holm-adjusted over all of them.
 */
function groupDifferences(
  input: AnalysisInput,
  hist: Float64Array,
  minGroupSize: number,
): AnalysisResult["groupDifferences"] {
  if (input.groups.length < 2) return null;
  const scenarios = input.scenarios.length;
  const raw = input.scenarios.map((_, s) => {
    const included: { group: string; units: number[][] }[] = [];
    input.groups.forEach((group, g) => {
      const offset = (g * scenarios + s) * CODES;
      let n = 0;
      for (let c = 0; c < CODES; c++) n += hist[offset + c] as number;
      if (n >= minGroupSize) included.push({ group, units: rankCategoryCounts(hist, offset) });
    });
    return LABELS.map((_, i) => {
      const test = kruskalWallis(included.map((entry) => entry.units[i] as number[]));
      return test ? { ...test, groups: included.map((entry) => entry.group) } : null;
    });
  });
  const pValues = raw.flat().flatMap((test) => (test ? [test.pValue] : []));
  const adjusted = holmAdjust(pValues);
  let next = 0;
  return input.scenarios.map((scenario, s) => ({
    scenarioId: scenario.scenarioId,
    responses: byLabel((i) => {
      const test = raw[s]?.[i];
      return test ? { ...test, pHolm: adjusted[next++] as number } : null;
    }),
  }));
}

function smallGroupWarnings(result: RankingAnalysis, minGroupSize: number): string[] {
  const warnings: string[] = [];
  for (const summary of result.agreement.groups) {
    if (summary.participants < minGroupSize) {
      warnings.push(
        `group "${summary.group}": ${summary.participants} participant(s), fewer than ${minGroupSize}; its figures are greyed and left out of the group tests`,
      );
    }
  }
  return warnings;
}

/**
 * Every analysis of a study: the world rankings (rank statistics, W and α,
 * agreement with the reference), the personal rankings the same way, how
 * far each participant's world and personal rankings agree, the share of
 * annotators judging each response unacceptable, and (with groups) a
 * Kruskal–Wallis test per scenario and response with Holm's correction.
 */
export function analyze(input: AnalysisInput, options: AnalysisOptions): AnalysisResult {
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const personalRows = personalInput(input);
  const [world, personal] = analyzeRankings(personalRows ? [input, personalRows] : [input], options);
  if (!world) throw new Error("no world analysis");
  return {
    ...world.result,
    minGroupSize,
    personal: personal?.result ?? null,
    worldVsPersonal: blockAgreements(input, minGroupSize),
    unacceptable: unacceptableShares(input, options, minGroupSize),
    groupDifferences: groupDifferences(input, world.histograms, minGroupSize),
    warnings: input.groups.length > 0 ? smallGroupWarnings(world.result, minGroupSize) : [],
  };
}
