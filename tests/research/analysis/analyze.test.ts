import { describe, expect, it } from "vitest";
import { type AnalysisInput, analyze } from "../../../src/research/analysis/analyze.js";
import {
  failsAttentionCheck,
  isSpeeder,
  rankedWithoutOpeningAll,
  rationaleBelowMinimum,
  rationaleBelowMinimumFromPrefix,
} from "../../../src/research/analysis/quality.js";
import { WEAK_ORDERS, weakOrderCode } from "../../../src/research/analysis/weak-orders.js";

function code(text: string): number {
  const c = weakOrderCode(text);
  if (c === undefined) throw new Error(text);
  return c;
}

/**
 * Two scenarios. Scenario 0 (reference A>B>C>D) gets the hand-computed
 * rankings of statistics.test.ts; scenario 1 has no reference.
 * Participants 0 and 1 are in group "x", participant 2 in group "y".
 */
function input(rows: [participant: number, scenario: number, ranking: string][]): AnalysisInput {
  return {
    scenarios: [
      { studyId: "s", scenarioId: "one", tags: [], reference: "A>B>C>D", attentionCheck: null },
      { studyId: "s", scenarioId: "two", tags: ["t"], reference: null, attentionCheck: null },
    ],
    groups: ["x", "y"],
    participantGroup: Uint16Array.from([0, 0, 1]),
    rows: {
      count: rows.length,
      participant: Uint32Array.from(rows.map((row) => row[0])),
      scenario: Uint32Array.from(rows.map((row) => row[1])),
      code: Uint8Array.from(rows.map((row) => code(row[2]))),
    },
  };
}

const DATA = input([
  [0, 0, "A>B>C>D"],
  [1, 0, "A=B>C>D"],
  [2, 0, "B>A>C=D"],
  [0, 1, "D>C>B>A"],
  [2, 1, "D>C>A>B"],
]);

describe("analyze", () => {
  const result = analyze(DATA, { replicates: 0, seed: 1, confidence: 0.95 });
  const one = result.scenarios[0];
  const two = result.scenarios[1];

  it("gives the hand-computed statistics for the whole sample", () => {
    expect(one?.all.assessments).toBe(3);
    expect(one?.all.meanRank.A.value).toBeCloseTo(1.5, 12);
    expect(one?.all.meanRank.D.value).toBeCloseTo(11.5 / 3, 12);
    expect(one?.all.borda).toEqual({ A: 2.5, B: 2.5, C: 4 - 9.5 / 3, D: 4 - 11.5 / 3 });
    expect(one?.all.firstChoice.A.value).toBeCloseTo(0.5, 12);
    expect(one?.all.firstChoice.C.value).toBe(0);
    expect(one?.all.concordance?.w).toBeCloseTo(19 / 21, 12);
    expect(one?.all.concordance?.pValue).toBeCloseTo(0.0431497242539015, 10);
    expect(one?.all.reference?.share.value).toBeCloseTo(15 / 16, 12);
    expect(one?.all.reference?.tauB.value).toBeCloseTo((1 + 8 / Math.sqrt(30)) / 3, 12);
    // A above B: rater 1 only; tied: rater 2; B above A: rater 3.
    expect(one?.all.wins.A.B).toBeCloseTo(1 / 3, 12);
    expect(one?.all.wins.B.A).toBeCloseTo(1 / 3, 12);
    expect(one?.all.ties.A.B).toBeCloseTo(1 / 3, 12);
    expect(one?.all.wins.A.C).toBe(1);
    expect(one?.all.consensus).toBe("A=B>C>D");
    expect(two?.all.reference).toBeNull();
    expect(two?.all.consensus).toBe("D>C>A=B");
  });

  it("splits by group", () => {
    const [x, y] = one?.groups ?? [];
    expect(x?.group).toBe("x");
    expect(x?.assessments).toBe(2);
    expect(x?.firstChoice.A.value).toBeCloseTo(0.75, 12);
    expect(y?.assessments).toBe(1);
    expect(y?.firstChoice.B.value).toBe(1);
    // One rater: W undefined.
    expect(y?.concordance).toBeNull();
    // Group x against A>B>C>D: (6 + 5) / (6 + 5) agreeing strict pairs.
    expect(x?.reference?.share.value).toBe(1);
  });

  it("reports overall agreement with the reference by group", () => {
    expect(result.agreement.all.agreement?.share.value).toBeCloseTo(15 / 16, 12);
    expect(result.agreement.all.agreement?.rankings).toBe(3);
    expect(result.agreement.groups.map((g) => [g.group, g.participants])).toEqual([
      ["x", 2],
      ["y", 1],
    ]);
    expect(result.agreement.groups[1]?.agreement?.share.value).toBeCloseTo(4 / 5, 12);
    expect(result.totals).toEqual({ assessments: 5, participants: 3, scenarios: 2 });
  });

  it("gives repeatable bootstrap intervals that bracket a sensible range", () => {
    const options = { replicates: 300, seed: 42, confidence: 0.9 };
    const a = analyze(DATA, options);
    const b = analyze(DATA, options);
    expect(a).toEqual(b);
    const share = a.scenarios[0]?.all.firstChoice.A;
    expect(share?.low).not.toBeNull();
    expect(share?.low as number).toBeLessThanOrEqual(share?.value as number);
    expect(share?.high as number).toBeGreaterThanOrEqual(share?.value as number);
    expect(share?.low as number).toBeGreaterThanOrEqual(0);
    expect(share?.high as number).toBeLessThanOrEqual(1);
    const other = analyze(DATA, { ...options, seed: 43 });
    expect(other.scenarios[0]?.all.firstChoice.A).not.toEqual(share);
  });

  it("resamples whole participants: with everyone identical the interval collapses", () => {
    const same = input([
      [0, 0, "B>A>C>D"],
      [1, 0, "B>A>C>D"],
      [2, 0, "B>A>C>D"],
    ]);
    const res = analyze(same, { replicates: 50, seed: 1, confidence: 0.95 });
    expect(res.scenarios[0]?.all.meanRank.B).toEqual({ value: 1, low: 1, high: 1 });
  });

  it("keeps a participant's assessments together in a replicate", () => {
    // Participant 0 ranks A first on both scenarios, participants 1 and 2 rank D first on both:
    // in every replicate the first-choice share of A is the same on both scenarios, so the
    // intervals are identical. An unclustered bootstrap would give different intervals.
    const clustered = input([
      [0, 0, "A>B>C>D"],
      [0, 1, "A>B>C>D"],
      [1, 0, "D>C>B>A"],
      [1, 1, "D>C>B>A"],
      [2, 0, "D>C>B>A"],
      [2, 1, "D>C>B>A"],
    ]);
    const res = analyze(clustered, { replicates: 200, seed: 9, confidence: 0.8 });
    const first = res.scenarios[0]?.all.firstChoice.A;
    expect(first?.high).toBeGreaterThan(first?.low as number);
    expect(res.scenarios[1]?.all.firstChoice.A).toEqual(first);
  });

  it("works without groups", () => {
    const res = analyze({ ...DATA, groups: [] }, { replicates: 10, seed: 1, confidence: 0.95 });
    expect(res.scenarios[0]?.groups).toEqual([]);
    expect(res.scenarios[0]?.all.concordance?.w).toBeCloseTo(19 / 21, 12);
  });
});

describe("quality flags", () => {
  const order = (text: string) => WEAK_ORDERS[code(text)] as (typeof WEAK_ORDERS)[number];

  it("flags speeders by reading time per response", () => {
    expect(isSpeeder(8, 3)).toBe(true); // 2 s per response
    expect(isSpeeder(12, 3)).toBe(false); // 3 s per response
    expect(isSpeeder(null, 3)).toBe(false);
  });

  it("flags a paged card ranked with a response never opened; unknown before cards", () => {
    expect(rankedWithoutOpeningAll("paged", [1, 0, 2, 1])).toBe(true);
    expect(rankedWithoutOpeningAll("paged", [1, 1, 3, 1])).toBe(false);
    // All four on the card: read or not, nothing was hidden.
    expect(rankedWithoutOpeningAll("all", [1, 1, 1, 1])).toBe(false);
    expect(rankedWithoutOpeningAll("all", [null, null, null, null])).toBe(false);
    expect(rankedWithoutOpeningAll(null, [null, null, null, null])).toBeNull();
    // Counts missing on a paged card: a 0 still decides; otherwise unknown.
    expect(rankedWithoutOpeningAll("paged", [1, null, 0, 1])).toBe(true);
    expect(rankedWithoutOpeningAll("paged", [1, null, 2, 1])).toBeNull();
    expect(rankedWithoutOpeningAll("sideways", [0, 0, 0, 0])).toBeNull();
  });

  it("fails an attention check unless best is alone at the top and worst alone at the bottom", () => {
    expect(failsAttentionCheck(order("A>B>C>D"), { best: "A" })).toBe(false);
    expect(failsAttentionCheck(order("A=B>C>D"), { best: "A" })).toBe(true);
    expect(failsAttentionCheck(order("B>A>C>D"), { best: "A" })).toBe(true);
    expect(failsAttentionCheck(order("A>B>C>D"), { worst: "D" })).toBe(false);
    expect(failsAttentionCheck(order("A>B>C=D"), { worst: "D" })).toBe(true);
    expect(failsAttentionCheck(order("A>B>D>C"), { best: "A", worst: "D" })).toBe(true);
  });

  it("measures rationales like the survey does, per script", () => {
    expect(rationaleBelowMinimum("Too short!!", 20)).toBe(true);
    expect(rationaleBelowMinimum("This explanation is long enough.", 20)).toBe(false);
    // Seven Han characters weigh 21 letters.
    expect(rationaleBelowMinimum("这个回答最有帮助。", 20)).toBe(false);
    expect(rationaleBelowMinimum("👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍", 20)).toBe(true);
    expect(rationaleBelowMinimum("الإجابة الأولى أوضح وأكثر احتراما", 20)).toBe(false);
    // A prefix that falls short needs the whole text unless it is the whole text.
    expect(rationaleBelowMinimumFromPrefix("Too short", false, 20)).toBeUndefined();
    expect(rationaleBelowMinimumFromPrefix("Too short", true, 20)).toBe(true);
  });
});
