import { describe, expect, it } from "vitest";
import { parseRanking, type Ranking } from "../../../src/core/ranking.js";
import { chiSquareSurvival, logGamma } from "../../../src/research/analysis/chi-square.js";
import { createPrng } from "../../../src/research/analysis/prng.js";
import {
  agreementWithReference,
  bordaScores,
  firstChoiceShares,
  kendallW,
  meanRanks,
  pairAgreementFromRanks,
  rankVector,
  tauB,
} from "../../../src/research/analysis/statistics.js";
import { WEAK_ORDERS, weakOrderCode } from "../../../src/research/analysis/weak-orders.js";

function r(text: string): Ranking {
  const parsed = parseRanking(text);
  if (!parsed.ok) throw new Error(`bad ranking ${text}`);
  return parsed.ranking;
}

/*
 * The hand-computed dataset used below: three raters, four responses.
 *
 *   rater 1: A>B>C>D   ranks A1   B2   C3   D4     tie term 0
 *   rater 2: A=B>C>D   ranks A1.5 B1.5 C3   D4     tie term 2³−2 = 6
 *   rater 3: B>A>C=D   ranks A2   B1   C3.5 D3.5   tie term 6
 *
 * Rank sums R: A 4.5, B 4.5, C 9.5, D 11.5 (total 30 = m·k(k+1)/2).
 * Mean rank sum m(k+1)/2 = 7.5; deviations −3, −3, 2, 4; S = 9+9+4+16 = 38.
 * Tie-corrected W = 12·S / (m²(k³−k) − m·ΣT) = 456 / (9·60 − 3·12) = 456/504 = 19/21 ≈ 0.904762.
 * (Without the correction it would be 456/540 ≈ 0.844444.)
 * χ² = m(k−1)W = 9·19/21 = 171/21 ≈ 8.142857 on 3 df; for 3 df
 * P(χ² ≥ x) = erfc(√(x/2)) + √(2x/π)·e^(−x/2) = 0.0431497…
 *
 * Borda (k − rank per rater): A 3+2.5+2 = 7.5, B 2+2.5+3 = 7.5, C 1+1+0.5 = 2.5, D 0+0+0.5 = 0.5.
 * First choice (ties split): A 1+½ = 1.5 → 0.5, B ½+1 = 1.5 → 0.5, C 0, D 0.
 */
const RATERS = ["A>B>C>D", "A=B>C>D", "B>A>C=D"].map(r);

describe("Kendall's W", () => {
  it("matches the hand computation with the tie correction", () => {
    const result = kendallW(RATERS);
    expect(result).not.toBeNull();
    expect(result?.w).toBeCloseTo(19 / 21, 12);
    expect(result?.chiSquare).toBeCloseTo(171 / 21, 12);
    expect(result?.df).toBe(3);
    expect(result?.pValue).toBeCloseTo(0.0431497242539015, 10);
  });

  it("is 1 for identical strict rankings and 0 when the raters cancel out", () => {
    expect(kendallW([r("A>B>C>D"), r("A>B>C>D")])?.w).toBeCloseTo(1, 12);
    expect(kendallW([r("A>B>C>D"), r("D>C>B>A")])?.w).toBeCloseTo(0, 12);
  });

  it("is undefined for one rater or when everyone ties everything", () => {
    expect(kendallW([r("A>B>C>D")])).toBeNull();
    expect(kendallW([r("A=B=C=D"), r("A=B=C=D")])).toBeNull();
  });
});

describe("χ² survival function", () => {
  it("matches closed forms and table values", () => {
    // df = 2: P = e^(−x/2) exactly.
    for (const x of [0.1, 1, 4.5, 20]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
    // 5% critical values.
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(7.814727903251178, 3)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(500, 3)).toBeLessThan(1e-100);
  });

  it("has an accurate log-gamma", () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe("Kendall's τ-b", () => {
  it("handles a tie in one ranking: 5 concordant pairs, 1 tied → 5/√(6·5)", () => {
    // Pairs AB tied in the second ranking; AC AD BC BD CD concordant.
    expect(tauB(r("A>B>C>D"), r("A=B>C>D"))).toBeCloseTo(5 / Math.sqrt(30), 12);
  });

  it("handles mostly discordant rankings with a tie: (1 − 4)/√(5·6)", () => {
    // B>A>C=D against D>C>B>A: AB concordant; AC AD BC BD discordant; CD tied in the first.
    expect(tauB(r("B>A>C=D"), r("D>C>B>A"))).toBeCloseTo(-3 / Math.sqrt(30), 12);
  });

  it("is ±1 at the extremes and undefined against a full tie", () => {
    expect(tauB(r("A>B>C>D"), r("A>B>C>D"))).toBe(1);
    expect(tauB(r("A>B>C>D"), r("D>C>B>A"))).toBe(-1);
    expect(tauB(r("A=B=C=D"), r("A>B>C>D"))).toBeNull();
  });
});

describe("pair agreement, Borda, mean rank, first choice", () => {
  it("counts agreeing strict pairs, leaving ties out", () => {
    // B>A>C=D vs D>C>B>A: strict in both: AB AC AD BC BD (CD tied); only AB agrees.
    expect(pairAgreementFromRanks(rankVector(r("B>A>C=D")), rankVector(r("D>C>B>A")))).toEqual({
      agreeing: 1,
      strictPairs: 5,
    });
  });

  it("pools agreement with a reference over rankings", () => {
    // vs A>B>C>D: rater 1 agrees 6/6 (τ 1); rater 2 5/5 (τ 5/√30); rater 3 4/5 (τ 3/√30).
    // Pooled share (6+5+4)/(6+5+5) = 15/16; mean τ-b (1 + 8/√30)/3.
    const result = agreementWithReference(RATERS, r("A>B>C>D"));
    expect(result.share).toBeCloseTo(15 / 16, 12);
    expect(result.meanTauB).toBeCloseTo((1 + 8 / Math.sqrt(30)) / 3, 12);
  });

  it("computes Borda scores, mean ranks and first-choice shares by hand", () => {
    expect(bordaScores(RATERS)).toEqual([7.5, 7.5, 2.5, 0.5]);
    expect(meanRanks(RATERS)).toEqual([1.5, 1.5, 9.5 / 3, 11.5 / 3]);
    expect(firstChoiceShares(RATERS)).toEqual([0.5, 0.5, 0, 0]);
  });
});

describe("weak orders and the PRNG", () => {
  it("enumerates the 75 rankings of four labels with ties, each once", () => {
    expect(WEAK_ORDERS).toHaveLength(75);
    expect(new Set(WEAK_ORDERS.map((o) => o.text)).size).toBe(75);
    expect(weakOrderCode("b > a = c > d")).toBe(weakOrderCode("B>A=C>D"));
    expect(weakOrderCode("A>B")).toBeUndefined();
  });

  it("repeats with the same seed and differs with another", () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const c = createPrng(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
