import { LABELS } from "../../core/labels.js";
import { fractionalRanks, type Ranking } from "../../core/ranking.js";
import { chiSquareSurvival } from "./chi-square.js";
import { K, PAIRS } from "./weak-orders.js";

/**
 * The rank statistics collective-alignment studies report, as pure
 * functions. The `…FromSums` forms take weighted sufficient statistics so
 * the bootstrap can reuse them on resampled counts; the ranking forms are the
 * readable entry points (and what the hand-computed tests check).
 */

interface ConcordanceSums {
  /** Number of raters (a weighted count in bootstrap replicates). */
  raters: number;
  /** Σ over raters of each label's fractional rank, in A–D order. */
  rankSums: readonly number[];
  /** Σ over raters of Σ (t³ − t) over their tied groups. */
  tieTermSum: number;
}

export interface Concordance {
  /** Kendall's W with the correction for ties, 0 (no agreement) to 1 (identical rankings). */
  w: number;
  /** Friedman's χ² = m (k − 1) W, tie-corrected. */
  chiSquare: number;
  df: number;
  /** P(χ²_df ≥ chiSquare): small means the raters agree more than chance would. */
  pValue: number;
}

/**
 * W = 12 S / (m² (k³ − k) − m Σ T), where S is the sum of squared deviations
 * of the label rank sums from their mean m (k + 1) / 2 and T = Σ (t³ − t) per
 * rater. Undefined (null) with fewer than two raters, or when every rater tied
 * every label.
 */
export function kendallWFromSums(sums: ConcordanceSums, k = K): Concordance | null {
  const m = sums.raters;
  if (!(m >= 2)) return null;
  const mean = (m * (k + 1)) / 2;
  let s = 0;
  for (const sum of sums.rankSums) s += (sum - mean) ** 2;
  const denominator = m * m * (k ** 3 - k) - m * sums.tieTermSum;
  if (!(denominator > 1e-9)) return null;
  const w = (12 * s) / denominator;
  const df = k - 1;
  const chiSquare = m * df * w;
  return { w, chiSquare, df, pValue: chiSquareSurvival(chiSquare, df) };
}

export function rankVector(ranking: Ranking): number[] {
  const ranks = fractionalRanks(ranking);
  return LABELS.map((label) => ranks[label]);
}

function concordanceSums(rankings: readonly Ranking[]): ConcordanceSums {
  const rankSums = LABELS.map(() => 0);
  let tieTermSum = 0;
  for (const ranking of rankings) {
    rankVector(ranking).forEach((rank, i) => {
      rankSums[i] = (rankSums[i] as number) + rank;
    });
    for (const tier of ranking) tieTermSum += tier.length ** 3 - tier.length;
  }
  return { raters: rankings.length, rankSums, tieTermSum };
}

export function kendallW(rankings: readonly Ranking[]): Concordance | null {
  return kendallWFromSums(concordanceSums(rankings));
}

/** Mean fractional rank of A–D (1 = best). */
export function meanRanks(rankings: readonly Ranking[]): number[] {
  const { raters, rankSums } = concordanceSums(rankings);
  return rankSums.map((sum) => sum / raters);
}

/**
 * Borda score of A–D: each ranking gives a label one point per label ranked
 * strictly below it and half a point per label tied with it (k − rank), so
 * the four scores of one ranking always add up to 6. Returns the totals.
 */
export function bordaScores(rankings: readonly Ranking[]): number[] {
  const { raters, rankSums } = concordanceSums(rankings);
  return rankSums.map((sum) => raters * K - sum);
}

/** Share of rankings that put each of A–D first; a t-way tie at the top gives 1/t to each. */
export function firstChoiceShares(rankings: readonly Ranking[]): number[] {
  const shares = LABELS.map(() => 0);
  for (const ranking of rankings) {
    const top = ranking[0] ?? [];
    for (const label of top) {
      const i = LABELS.indexOf(label);
      shares[i] = (shares[i] as number) + 1 / top.length;
    }
  }
  return shares.map((share) => share / rankings.length);
}

/**
 * Kendall's τ-b between two rankings of the same four labels:
 * (concordant − discordant) / √((n₀ − n₁)(n₀ − n₂)), with n₀ = 6 pairs and
 * n₁, n₂ the pairs tied in each ranking. Null when either ranking ties
 * everything (the denominator is zero).
 */
export function tauBFromRanks(a: readonly number[], b: readonly number[]): number | null {
  let concordant = 0;
  let discordant = 0;
  let tiedA = 0;
  let tiedB = 0;
  for (const [i, j] of PAIRS) {
    const da = Math.sign((a[i] as number) - (a[j] as number));
    const db = Math.sign((b[i] as number) - (b[j] as number));
    if (da === 0) tiedA++;
    if (db === 0) tiedB++;
    if (da !== 0 && db !== 0) {
      if (da === db) concordant++;
      else discordant++;
    }
  }
  const denominator = Math.sqrt((PAIRS.length - tiedA) * (PAIRS.length - tiedB));
  return denominator === 0 ? null : (concordant - discordant) / denominator;
}

export function tauB(a: Ranking, b: Ranking): number | null {
  return tauBFromRanks(rankVector(a), rankVector(b));
}

interface PairAgreement {
  /** Pairs both rankings order strictly, the same way. */
  agreeing: number;
  /** Pairs both rankings order strictly (ties in either are left out). */
  strictPairs: number;
}

export function pairAgreementFromRanks(a: readonly number[], b: readonly number[]): PairAgreement {
  let agreeing = 0;
  let strictPairs = 0;
  for (const [i, j] of PAIRS) {
    const da = Math.sign((a[i] as number) - (a[j] as number));
    const db = Math.sign((b[i] as number) - (b[j] as number));
    if (da === 0 || db === 0) continue;
    strictPairs++;
    if (da === db) agreeing++;
  }
  return { agreeing, strictPairs };
}

/**
 * Agreement of many rankings with one reference: the pooled share of
 * agreeing strict pairs (Σ agreeing / Σ strict pairs) and the mean τ-b over
 * the rankings where τ-b is defined.
 */
export function agreementWithReference(
  rankings: readonly Ranking[],
  reference: Ranking,
): { share: number | null; meanTauB: number | null } {
  const ref = rankVector(reference);
  let agreeing = 0;
  let strict = 0;
  let tauSum = 0;
  let tauCount = 0;
  for (const ranking of rankings) {
    const ranks = rankVector(ranking);
    const pairs = pairAgreementFromRanks(ranks, ref);
    agreeing += pairs.agreeing;
    strict += pairs.strictPairs;
    const tau = tauBFromRanks(ranks, ref);
    if (tau !== null) {
      tauSum += tau;
      tauCount++;
    }
  }
  return { share: strict > 0 ? agreeing / strict : null, meanTauB: tauCount > 0 ? tauSum / tauCount : null };
}
