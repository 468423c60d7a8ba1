import { canonicalToDisplay, displayToCanonical, isLabel, LABELS, type Label, type ShownOrder } from "./labels.js";

/**
 * A ranking is a list of tiers, best first; labels in one tier are tied.
 * Text form (the public dataset's notation): "B>A=C>D".
 */
export type Ranking = Label[][];

type RankingParseResult = { ok: true; ranking: Ranking } | { ok: false; reason: RankingProblem };
type RankingProblem = "empty" | "bad_label" | "duplicate" | "missing" | "ties_forbidden";

/**
 * Parses "B>A=C>D" (spaces, lower case and the "≻"/","-free variants people
 * type are tolerated). Every label A–D must appear exactly once.
 */
export function parseRanking(text: string, options: { allowTies?: boolean } = {}): RankingParseResult {
  const compact = text.toUpperCase().replace(/\s+/g, "").replace(/≻/g, ">");
  if (compact.length === 0) return { ok: false, reason: "empty" };
  const tiers: Label[][] = [];
  const seen = new Set<string>();
  for (const tierText of compact.split(">")) {
    const tier: Label[] = [];
    for (const label of tierText.split("=")) {
      if (!isLabel(label)) return { ok: false, reason: "bad_label" };
      if (seen.has(label)) return { ok: false, reason: "duplicate" };
      seen.add(label);
      tier.push(label);
    }
    tiers.push(tier);
  }
  if (seen.size !== LABELS.length) return { ok: false, reason: "missing" };
  if (options.allowTies === false && tiers.some((tier) => tier.length > 1)) {
    return { ok: false, reason: "ties_forbidden" };
  }
  return { ok: true, ranking: tiers.map((tier) => [...tier].sort()) };
}

export function formatRanking(ranking: Ranking): string {
  return ranking.map((tier) => tier.join("=")).join(">");
}

/** Rank position (1 = best) of every label; tied labels share the mean of their positions. */
export function fractionalRanks(ranking: Ranking): Record<Label, number> {
  const ranks = {} as Record<Label, number>;
  let position = 1;
  for (const tier of ranking) {
    const mean = position + (tier.length - 1) / 2;
    for (const label of tier) ranks[label] = mean;
    position += tier.length;
  }
  return ranks;
}

/** Rewrites a ranking given in display letters into canonical labels (or back). */
export function displayRankingToCanonical(ranking: Ranking, shownOrder: ShownOrder): Ranking {
  return ranking.map((tier) => tier.map((display) => displayToCanonical(shownOrder, display)).sort());
}

export function canonicalRankingToDisplay(ranking: Ranking, shownOrder: ShownOrder): Ranking {
  return ranking.map((tier) => tier.map((label) => canonicalToDisplay(shownOrder, label)).sort());
}
