import { describe, expect, it } from "vitest";
import { canonicalToDisplay, displayToCanonical, shuffleLabels } from "../../src/core/labels.js";
import {
  canonicalRankingToDisplay,
  displayRankingToCanonical,
  formatRanking,
  fractionalRanks,
  parseRanking,
} from "../../src/core/ranking.js";

describe("ranking text", () => {
  it.each([
    ["B>A=C>D", "B>A=C>D"],
    [" b > c = a > d ", "B>A=C>D"],
    ["A=B=C=D", "A=B=C=D"],
    ["D≻C≻B≻A", "D>C>B>A"],
  ])("parses %s as %s", (input, expected) => {
    const parsed = parseRanking(input);
    expect(parsed.ok && formatRanking(parsed.ranking)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["A>B>C>E", "bad_label"],
    ["A>B>C", "missing"],
    ["A>B>B>D", "duplicate"],
    ["A>>B>C>D", "bad_label"],
  ])("refuses %j (%s)", (input, reason) => {
    expect(parseRanking(input)).toEqual({ ok: false, reason });
  });

  it("refuses ties when forbidden", () => {
    expect(parseRanking("A=B>C>D", { allowTies: false })).toEqual({ ok: false, reason: "ties_forbidden" });
  });

  it("gives tied labels the mean of their positions", () => {
    const parsed = parseRanking("B>A=C>D");
    expect(parsed.ok && fractionalRanks(parsed.ranking)).toEqual({ B: 1, A: 2.5, C: 2.5, D: 4 });
  });
});

describe("display letters and canonical labels", () => {
  it("maps through the shown order both ways", () => {
    expect(displayToCanonical("CADB", "A")).toBe("C");
    expect(canonicalToDisplay("CADB", "C")).toBe("A");
    const parsed = parseRanking("A>B=C>D");
    if (!parsed.ok) throw new Error("fixture");
    const canonical = displayRankingToCanonical(parsed.ranking, "CADB");
    expect(formatRanking(canonical)).toBe("C>A=D>B");
    expect(formatRanking(canonicalRankingToDisplay(canonical, "CADB"))).toBe("A>B=C>D");
  });

  it("shuffles into every permutation with a uniform source", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(shuffleLabels(Math.random));
    expect(seen.size).toBe(24);
  });
});
