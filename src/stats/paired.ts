import { jStat } from 'jstat';
import { normalQuantile, normalTwoSidedP, positivePValue, tQuantile, tTwoSidedP } from './distributions';
import { midRanks } from './ranks';

/** A paired comparison of version b against version a on the same units: b − a with its interval and p-value. */
export interface PairedResult {
  /** Units compared (pairs). */
  units: number;
  meanA: number;
  meanB: number;
  /** Mean of b − a over the pairs (for 0/1 metrics: the difference of the two rates). */
  estimate: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Paired t only: the degrees of freedom n − 1. */
  df: number | null;
  /** Paired continuous only: the Wilcoxon signed-rank test's two-sided p-value, a check robust to outliers. */
  wilcoxonPValue: number | null;
}

/** Why a paired comparison has no test: every pair agrees (binary) or every difference is the same (continuous). */
export type PairedOutcome = { ok: true; result: PairedResult } | { ok: false; reason: string; units: number };

function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** A tested outcome: the pair count and both means around the test's own numbers. */
function tested(
  a: readonly number[],
  b: readonly number[],
  numbers: Omit<PairedResult, 'units' | 'meanA' | 'meanB'>,
): PairedOutcome {
  return { ok: true, result: { units: a.length, meanA: mean(a), meanB: mean(b), ...numbers } };
}

/** P(X ≤ k) and P(X = k) for X ~ Binomial(m, ½), through the regularized incomplete beta (no O(m) loop). */
function binomialHalf(k: number, m: number): { cdf: number; pmf: number } {
  const cdf = k >= m ? 1 : jStat.ibeta(0.5, m - k, k + 1);
  const logPmf = jStat.gammaln(m + 1) - jStat.gammaln(k + 1) - jStat.gammaln(m - k + 1) - m * Math.LN2;
  return { cdf, pmf: Math.exp(logPmf) };
}

/**
 * Paired comparison of a 0/1 metric: McNemar's test on the discordant pairs, mid-p version, with the Agresti–Min
 * interval of the difference of the paired rates.
 * With n₀₁ pairs where only b scores 1 and n₁₀ where only a does, m = n₀₁ + n₁₀ and k = min(n₀₁, n₁₀):
 * exact p = min(1, 2·P(X ≤ k)), mid-p = min(1, 2·P(X ≤ k) − P(X = k)) for X ~ Bin(m, ½). The interval adds ½ to each
 * of the four cells (n + 2 pairs): d̃ ± z·√((p̃₀₁ + p̃₁₀ − d̃²)/(n + 2)), clipped to [−1, 1]; the estimate is the
 * unadjusted (n₀₁ − n₁₀)/n.
 * @param a,b the two versions' 0/1 values on the same units, aligned (a[i] and b[i] are one unit), n ≥ 1.
 * @see McNemar (1947), Psychometrika 12:153–157; Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91
 *   (the mid-p test keeps the level and has more power than the exact one); Agresti & Min (2005), Stat Med 24:729–740.
 */
export function pairedBinary(a: readonly number[], b: readonly number[], alpha: number): PairedOutcome {
  const n = a.length;
  let onlyB = 0;
  let onlyA = 0;
  for (let i = 0; i < n; i++) {
    if (b[i] === 1 && a[i] === 0) onlyB++;
    else if (a[i] === 1 && b[i] === 0) onlyA++;
  }
  const m = onlyB + onlyA;
  if (m === 0) return { ok: false, units: n, reason: `the versions agree on all ${n} units (no discordant pairs)` };
  const { cdf, pmf } = binomialHalf(Math.min(onlyA, onlyB), m);
  const z = normalQuantile(1 - alpha / 2);
  const p01 = (onlyB + 0.5) / (n + 2);
  const p10 = (onlyA + 0.5) / (n + 2);
  const adjusted = p01 - p10;
  const half = z * Math.sqrt((p01 + p10 - adjusted * adjusted) / (n + 2));
  return tested(a, b, {
    estimate: (onlyB - onlyA) / n,
    ciLow: Math.max(-1, adjusted - half),
    ciHigh: Math.min(1, adjusted + half),
    pValue: positivePValue(2 * cdf - pmf),
    df: null,
    wilcoxonPValue: null,
  });
}

/**
 * Wilcoxon signed-rank test of the differences d (zeros dropped), two-sided, normal approximation with the tie
 * correction and no continuity correction: z = (W⁺ − n(n+1)/4)/√(n(n+1)(2n+1)/24 − Σ(t³ − t)/48).
 * @returns null with fewer than one non-zero difference.
 * @see Wilcoxon (1945), Biometrics Bulletin 1:80–83; matches scipy.stats.wilcoxon(d, zero_method='wilcox',
 *   correction=False, method='approx').
 */
export function wilcoxonSignedRank(differences: readonly number[]): number | null {
  const nonZero = differences.filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return null;
  const { ranks, tieTerm } = midRanks(nonZero.map(Math.abs));
  let positive = 0;
  for (let i = 0; i < n; i++) if (nonZero[i]! > 0) positive += ranks[i]!;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (!(variance > 0)) return null;
  return normalTwoSidedP((positive - (n * (n + 1)) / 4) / Math.sqrt(variance));
}

/**
 * Paired comparison of a continuous metric: the paired t-test on d = b − a with its t interval, and the Wilcoxon
 * signed-rank p-value beside it: t = d̄/(s_d/√n), ν = n − 1, interval d̄ ± t_{ν,1−α/2}·s_d/√n.
 * @param a,b the two versions' values on the same units, aligned; n ≥ 2 (the caller reports fewer).
 * @see Student (1908); matches scipy.stats.ttest_rel(b, a) and its confidence_interval().
 */
export function pairedContinuous(a: readonly number[], b: readonly number[], alpha: number): PairedOutcome {
  const n = a.length;
  const d = a.map((x, i) => b[i]! - x);
  const dMean = mean(d);
  let squares = 0;
  for (const x of d) squares += (x - dMean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  if (!(sd > 0)) {
    return { ok: false, units: n, reason: `every one of the ${n} paired differences is ${dMean}` };
  }
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  const half = tQuantile(1 - alpha / 2, df) * se;
  return tested(a, b, {
    estimate: dMean,
    ciLow: dMean - half,
    ciHigh: dMean + half,
    pValue: tTwoSidedP(dMean / se, df),
    df,
    wilcoxonPValue: wilcoxonSignedRank(d),
  });
}
