import { LABELS, type Label } from "../../core/labels.js";
import { formatRanking, fractionalRanks, parseRanking, type Ranking } from "../../core/ranking.js";

/**
 * Every ranking of A–D with ties allowed (a "weak order"): 75 of them. The
 * analyses turn each stored ranking into its index here once, then work on
 * counts per index, so a study of a million assessments is summarised by a
 * few histograms of 75 cells and bootstrap replicates cost one pass over an
 * index array.
 */

export const K = LABELS.length;
export const PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [0, 3],
  [1, 2],
  [1, 3],
  [2, 3],
];

export interface WeakOrder {
  text: string;
  ranking: Ranking;
  /** Fractional rank (1 = best, ties share the mean) of A, B, C, D. */
  ranks: readonly number[];
  /** First-choice share of A, B, C, D: 1 for a sole winner, 1/t each for a t-way tie at the top. */
  first: readonly number[];
  /** Kendall's tie term Σ (t³ − t) over the tied groups of this ranking. */
  tieTerm: number;
  /** above[i * 4 + j] = 1 when label i is ranked strictly above label j. */
  above: Uint8Array;
}

function orderedPartitions(items: readonly Label[]): Label[][][] {
  if (items.length === 0) return [[]];
  const result: Label[][][] = [];
  // Every non-empty subset of `items` can be the first tier.
  for (let mask = 1; mask < 1 << items.length; mask++) {
    const tier = items.filter((_, i) => mask & (1 << i));
    const rest = items.filter((_, i) => !(mask & (1 << i)));
    for (const tail of orderedPartitions(rest)) result.push([tier, ...tail]);
  }
  return result;
}

function describe(ranking: Ranking): WeakOrder {
  const fractional = fractionalRanks(ranking);
  const ranks = LABELS.map((label) => fractional[label]);
  const top = ranking[0] ?? [];
  const first = LABELS.map((label) => (top.includes(label) ? 1 / top.length : 0));
  const tieTerm = ranking.reduce((sum, tier) => sum + tier.length ** 3 - tier.length, 0);
  const above = new Uint8Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) above[i * K + j] = (ranks[i] as number) < (ranks[j] as number) ? 1 : 0;
  }
  return { text: formatRanking(ranking), ranking, ranks, first, tieTerm, above };
}

export const WEAK_ORDERS: readonly WeakOrder[] = orderedPartitions(LABELS).map((tiers) =>
  describe(tiers.map((tier) => [...tier].sort())),
);
export const WEAK_ORDER_COUNT = WEAK_ORDERS.length;

const CODES = new Map(WEAK_ORDERS.map((order, code) => [order.text, code]));

/** The index of a ranking text in WEAK_ORDERS, or undefined if it is not a complete ranking of A–D. */
export function weakOrderCode(text: string): number | undefined {
  const direct = CODES.get(text);
  if (direct !== undefined) return direct;
  const parsed = parseRanking(text);
  return parsed.ok ? CODES.get(formatRanking(parsed.ranking)) : undefined;
}
