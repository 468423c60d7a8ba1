import { describe, expect, it } from "vitest";
import { LABELS } from "../../../src/core/labels.js";
import { type AnalysisInput, analyze, NO_RANKING, NOT_ASKED } from "../../../src/research/analysis/analyze.js";
import { createPrng } from "../../../src/research/analysis/prng.js";
import { WEAK_ORDERS } from "../../../src/research/analysis/weak-orders.js";
import { pythonMissing, runPython } from "../python/python.js";

/**
 * The new statistics against independent implementations, on generated
 * data: Krippendorff's α (NLTK), Kruskal–Wallis (SciPy) with Holm's
 * adjustment, Kendall's τ-b between world and personal rankings (SciPy) and
 * Wilson intervals (SciPy's binomtest). Three scenarios, 150 participants in
 * four groups, one of them smaller than the minimum group size; rankings
 * drawn with a preference so the statistics are not all near zero.
 */

const MIN_GROUP = 10;

function generate(seed: number) {
  const prng = createPrng(seed);
  const groups = ["g0", "g1", "g2", "tiny"];
  const participants = 150;
  const participantGroup = Uint16Array.from({ length: participants }, (_, p) => (p < 6 ? 3 : p % 3));
  // Orders more likely when they put a scenario's favourite first; a group shifts the favourite.
  const weights = (favourite: number) => WEAK_ORDERS.map((order) => (order.ranks[favourite] === 1 ? 40 : 1));
  const draw = (w: number[]) => {
    const total = w.reduce((a, b) => a + b, 0);
    let x = prng.next() * total;
    for (let i = 0; i < w.length; i++) {
      x -= w[i] as number;
      if (x < 0) return i;
    }
    return w.length - 1;
  };
  const rows: { participant: number; scenario: number; code: number; personal: number; unacceptable: number }[] = [];
  for (let p = 0; p < participants; p++) {
    for (let s = 0; s < 3; s++) {
      if (prng.next() < 0.15) continue;
      const g = participantGroup[p] as number;
      const code = draw(weights((s + (g === 1 && s === 0 ? 2 : 0)) % 4));
      const personal = prng.next() < 0.5 ? (prng.next() < 0.4 ? code : draw(weights(s))) : NO_RANKING;
      const unacceptable = prng.next() < 0.6 ? (prng.next() < 0.5 ? 0 : prng.int(16)) : NOT_ASKED;
      rows.push({ participant: p, scenario: s, code, personal, unacceptable });
    }
  }
  const input: AnalysisInput = {
    scenarios: [0, 1, 2].map((s) => ({
      studyId: "gen",
      scenarioId: `s${s}`,
      tags: [],
      reference: null,
      attentionCheck: null,
    })),
    groups,
    participantGroup,
    rows: {
      count: rows.length,
      participant: Uint32Array.from(rows.map((r) => r.participant)),
      scenario: Uint32Array.from(rows.map((r) => r.scenario)),
      code: Uint8Array.from(rows.map((r) => r.code)),
      personal: Uint8Array.from(rows.map((r) => r.personal)),
      unacceptable: Int8Array.from(rows.map((r) => r.unacceptable)),
    },
  };
  const ranks = (code: number) => [...(WEAK_ORDERS[code]?.ranks ?? [])];
  const forPython = {
    scenarios: 3,
    groups,
    minGroupSize: MIN_GROUP,
    confidence: 0.95,
    rows: rows.map((r) => ({
      participant: r.participant,
      group: participantGroup[r.participant],
      scenario: r.scenario,
      world: ranks(r.code),
      personal: r.personal === NO_RANKING ? null : ranks(r.personal),
      unacceptable: r.unacceptable === NOT_ASKED ? null : LABELS.map((_, i) => Boolean(r.unacceptable & (1 << i))),
    })),
  };
  return { input, forPython };
}

interface Independent {
  scenarios: {
    alpha: number | null;
    kruskal: Record<string, { h: number; p: number; df: number; pHolm: number } | null>;
    tauB: number | null;
    identical: number | null;
    unacceptable: { asked: number } & Record<string, { k: number; interval: [number, number] }>;
  }[];
  pooled: { alpha: number; tauB: number };
}

const missing = pythonMissing(["scipy", "nltk"]);

describe("the new statistics against SciPy and NLTK", () => {
  it.skipIf(missing !== null)(`agree to 1e-9 on generated data${missing ? ` (skipped: ${missing})` : ""}`, () => {
    for (const seed of [1, 2]) {
      const { input, forPython } = generate(seed);
      const ours = analyze(input, { replicates: 0, seed: 1, confidence: 0.95, minGroupSize: MIN_GROUP });
      const theirs = runPython<Independent>("stats_check.py", [], JSON.stringify(forPython));
      const close = (a: number | null | undefined, b: number | null | undefined, what: string) => {
        expect(a === null || a === undefined, `${what} defined`).toBe(b === null || b === undefined);
        if (a !== null && a !== undefined) expect(Math.abs(a - (b as number)), what).toBeLessThan(1e-9);
      };
      close(ours.alpha, theirs.pooled.alpha, "pooled α");
      close(ours.worldVsPersonal?.all.tauB, theirs.pooled.tauB, "pooled τ-b");
      let tested = 0;
      ours.scenarios.forEach((scenario, s) => {
        const expected = theirs.scenarios[s];
        if (!expected) throw new Error(`no scenario ${s}`);
        close(scenario.all.alpha, expected.alpha, `α s${s}`);
        const blocks = ours.worldVsPersonal?.scenarios[s]?.all;
        close(blocks?.tauB, expected.tauB, `τ-b s${s}`);
        close(blocks?.identical, expected.identical, `identical s${s}`);
        for (const label of LABELS) {
          const test = ours.groupDifferences?.[s]?.responses[label] ?? null;
          const reference = expected.kruskal[label] ?? null;
          expect(test === null, `KW ${s}${label} defined`).toBe(reference === null);
          if (test && reference) {
            tested++;
            close(test.h, reference.h, `H ${s}${label}`);
            close(test.pValue, reference.p, `p ${s}${label}`);
            close(test.pHolm, reference.pHolm, `Holm ${s}${label}`);
            expect(test.df).toBe(reference.df);
            // The group under the minimum size is left out.
            expect(test.groups).toEqual(["g0", "g1", "g2"]);
          }
          const unacceptable = ours.unacceptable?.scenarios[s]?.all;
          expect(unacceptable?.asked).toBe(expected.unacceptable.asked);
          const share = unacceptable?.responses[label];
          expect(share?.count).toBe(expected.unacceptable[label]?.k);
          close(share?.low, expected.unacceptable[label]?.interval[0], `Wilson low ${s}${label}`);
          close(share?.high, expected.unacceptable[label]?.interval[1], `Wilson high ${s}${label}`);
        }
        close(ours.unacceptable?.scenarios[s]?.all.any.low, expected.unacceptable.any?.interval[0], `any ${s}`);
      });
      expect(tested).toBe(12);
      // Scenario s0 was drawn with a different favourite in group g1: the test sees it.
      expect(ours.groupDifferences?.[0]?.responses.A?.pHolm).toBeLessThan(0.01);
      expect(ours.warnings).toEqual([
        'group "tiny": 6 participant(s), fewer than 10; its figures are greyed and left out of the group tests',
      ]);
    }
  });
});
