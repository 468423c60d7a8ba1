import { chiSquareSurvival } from "./chi-square.js";

/**
 * The inferential statistics beside the rank summaries, as pure functions
 * of count tables (the analysis keeps every ranking as one of 75 weak
 * orders, so each response's rank takes one of seven values 1, 1.5 … 4):
 * Krippendorff's α (ordinal), Kruskal–Wallis H with the tie correction,
 * Holm's step-down adjustment, and the Wilson score interval. Checked
 * against SciPy and NLTK on generated data (tests/research/analysis).
 */

/**
 * Krippendorff's α with the ordinal metric, from the coincidence matrix.
 * `units[u][c]` counts the values of category c (categories in rank order)
 * given to unit u; units with fewer than two values are not pairable and
 * left out. δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², n_g the pairable
 * values of category g. α = 1 − D_o / D_e; null when undefined (fewer than
 * two pairable values, or no variation at all).
 */
export function ordinalAlpha(units: readonly (readonly number[])[]): number | null {
  const categories = units[0]?.length ?? 0;
  const coincidences = Array.from({ length: categories }, () => new Float64Array(categories));
  for (const unit of units) {
    const m = unit.reduce((sum, n) => sum + n, 0);
    if (m < 2) continue;
    for (let c = 0; c < categories; c++) {
      const nc = unit[c] as number;
      if (nc === 0) continue;
      for (let k = 0; k < categories; k++) {
        const pairs = c === k ? nc * (nc - 1) : nc * (unit[k] as number);
        (coincidences[c] as Float64Array)[k] = ((coincidences[c] as Float64Array)[k] as number) + pairs / (m - 1);
      }
    }
  }
  const marginals = coincidences.map((row) => row.reduce((sum, v) => sum + v, 0));
  const n = marginals.reduce((sum, v) => sum + v, 0);
  if (n < 2) return null;
  const delta = (c: number, k: number) => {
    const [low, high] = c < k ? [c, k] : [k, c];
    let between = 0;
    for (let g = low; g <= high; g++) between += marginals[g] as number;
    return (between - ((marginals[low] as number) + (marginals[high] as number)) / 2) ** 2;
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < categories; c++) {
    for (let k = 0; k < categories; k++) {
      if (c === k) continue;
      const d = delta(c, k);
      observed += ((coincidences[c] as Float64Array)[k] as number) * d;
      expected += (marginals[c] as number) * (marginals[k] as number) * d;
    }
  }
  if (!(expected > 0)) return null;
  return 1 - ((n - 1) * observed) / expected;
}

export interface KruskalWallis {
  /** H corrected for ties. */
  h: number;
  df: number;
  /** P(χ²_df ≥ H), the large-sample approximation SciPy also uses. */
  pValue: number;
  /** Observations (assessments) in the groups compared. */
  n: number;
}

/**
 * Kruskal–Wallis H test from a groups × values table of counts (values in
 * increasing order; ties share their mid-rank). H = (12 / (N(N+1)) Σ R_g²/n_g
 * − 3(N+1)) / (1 − Σ(t³ − t)/(N³ − N)). Groups without observations are
 * left out; null with fewer than two groups, or when every value is tied.
 */
export function kruskalWallis(table: readonly (readonly number[])[]): KruskalWallis | null {
  const groups = table.filter((row) => row.reduce((sum, v) => sum + v, 0) > 0);
  if (groups.length < 2) return null;
  const values = groups[0]?.length ?? 0;
  const totals = Array.from({ length: values }, (_, v) => groups.reduce((sum, row) => sum + (row[v] as number), 0));
  const n = totals.reduce((sum, t) => sum + t, 0);
  const midRank: number[] = [];
  let below = 0;
  let tieSum = 0;
  for (const t of totals) {
    midRank.push(below + (t + 1) / 2);
    below += t;
    tieSum += t ** 3 - t;
  }
  const correction = 1 - tieSum / (n ** 3 - n);
  if (!(correction > 1e-12)) return null;
  let sum = 0;
  for (const row of groups) {
    const size = row.reduce((s, v) => s + v, 0);
    const rankSum = row.reduce((s, count, v) => s + count * (midRank[v] as number), 0);
    sum += rankSum ** 2 / size;
  }
  const h = ((12 / (n * (n + 1))) * sum - 3 * (n + 1)) / correction;
  const df = groups.length - 1;
  return { h, df, pValue: chiSquareSurvival(h, df), n };
}

/** Holm's step-down adjusted p-values, in the order given (each at most 1, never below a smaller raw p's). */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** The standard normal quantile (Acklam's rational approximation refined by one Halley step; ~1e-15). */
function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError("p must be in (0, 1)");
  const a = [
    -39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ] as const;
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572] as const;
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ] as const;
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416] as const;
  const low = 0.02425;
  let x: number;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - low) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One Halley step against the normal CDF (via erfc) brings the error to machine precision.
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Complementary error function: the series of erf below 2, a continued fraction (Lentz) above. */
function erfc(x: number): number {
  const z = Math.abs(x);
  let result: number;
  if (z < 2) {
    // erf series: 2/√π Σ (−1)^n z^(2n+1) / (n! (2n+1)).
    let term = z;
    let sum = z;
    for (let n = 1; n < 100; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    result = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // Lentz's continued fraction for erfc(z) = exp(−z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + …)))).
    let f = z;
    let cc = z;
    let dd = 0;
    for (let n = 1; n < 300; n++) {
      const an = n / 2;
      dd = z + an * dd;
      dd = dd === 0 ? 1e-300 : 1 / dd;
      cc = z + an / cc;
      if (cc === 0) cc = 1e-300;
      const delta = cc * dd;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    result = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  }
  return x >= 0 ? result : 2 - result;
}

/** The Wilson score interval for `k` successes in `n` trials, or null when n = 0. */
export function wilsonInterval(k: number, n: number, confidence: number): [number, number] | null {
  if (!(n > 0)) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
