import { normalTwoSidedP } from './distributions';

/** Result of the Mann–Whitney U test: U of the treatment sample, its normal score z, and the two-sided pValue. */
export interface MannWhitneyResult {
  statistic: number;
  z: number;
  pValue: number;
  /** U_t − n_t·n_c/2: positive when treatment values tend to be larger. */
  shift: number;
}

/**
 * Mann–Whitney U test (Wilcoxon rank-sum), two-sided, normal approximation with tie and continuity corrections.
 * U_t = R_t − n_t(n_t+1)/2 with mid-ranks for ties; σ² = n_t·n_c/12 · ((N+1) − Σ(t³−t)/(N(N−1)));
 * z = (max(U_t, U_c) − n_t·n_c/2 − 1/2)/σ, p = 2·Φ(−z) capped at 1.
 * @param control,treatment raw values, at least one each and not all equal (σ > 0).
 * @see Mann & Whitney (1947), Ann. Math. Stat. 18:50–60; matches
 *   scipy.stats.mannwhitneyu(treatment, control, alternative='two-sided', method='asymptotic').
 */
export function mannWhitneyU(control: readonly number[], treatment: readonly number[]): MannWhitneyResult {
  const nt = treatment.length;
  const nc = control.length;
  const n = nt + nc;
  const pooled = [
    ...treatment.map((value) => ({ value, treated: true })),
    ...control.map((value) => ({ value, treated: false })),
  ].sort((x, y) => x.value - y.value);

  let rankSumTreatment = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]!.value === pooled[i]!.value) j++;
    const midRank = (i + j + 2) / 2; // ranks are 1-based
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (pooled[k]!.treated) rankSumTreatment += midRank;
    i = j + 1;
  }
  const uTreatment = rankSumTreatment - (nt * (nt + 1)) / 2;
  const mean = (nt * nc) / 2;
  const sigma = Math.sqrt(((nt * nc) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (Math.max(uTreatment, nt * nc - uTreatment) - mean - 0.5) / sigma;
  return { statistic: uTreatment, z, pValue: Math.min(1, normalTwoSidedP(Math.max(0, z))), shift: uTreatment - mean };
}
