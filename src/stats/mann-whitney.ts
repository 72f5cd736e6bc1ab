import { normalTwoSidedP } from './distributions';
import { midRanks } from './ranks';

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
  const { ranks, tieTerm } = midRanks([...treatment, ...control]);
  let rankSumTreatment = 0;
  for (let k = 0; k < nt; k++) rankSumTreatment += ranks[k]!;
  const uTreatment = rankSumTreatment - (nt * (nt + 1)) / 2;
  const mean = (nt * nc) / 2;
  const sigma = Math.sqrt(((nt * nc) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (Math.max(uTreatment, nt * nc - uTreatment) - mean - 0.5) / sigma;
  return { statistic: uTreatment, z, pValue: Math.min(1, normalTwoSidedP(Math.max(0, z))), shift: uTreatment - mean };
}
