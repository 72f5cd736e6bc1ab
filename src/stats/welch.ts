import type { ArmSummary } from './arm-summary';
import { tTwoSidedP } from './distributions';

/** Result of Welch's test: t, the Welch–Satterthwaite df, the two-sided pValue and the standard error of the difference. */
export interface WelchResult {
  statistic: number;
  df: number;
  pValue: number;
  standardError: number;
}

/**
 * Welch's unequal-variances t-test of H0: mean_treatment = mean_control, two-sided.
 * t = (x̄_t − x̄_c)/√(s_t²/n_t + s_c²/n_c); ν = (s_t²/n_t + s_c²/n_c)² / ((s_t²/n_t)²/(n_t−1) + (s_c²/n_c)²/(n_c−1)).
 * @param control,treatment units ≥ 2 each and not both variances 0 (the caller reports INSUFFICIENT_DATA / ZERO_VARIANCE).
 * @returns statistic t (positive when treatment is higher), df ν, pValue and standardError of the difference.
 * @see Welch (1947), Biometrika 34:28–35; Satterthwaite (1946), Biometrics Bulletin 2:110–114;
 *   matches scipy.stats.ttest_ind(treatment, control, equal_var=False).
 */
export function welchTTest(control: ArmSummary, treatment: ArmSummary): WelchResult {
  const vt = treatment.variance / treatment.units;
  const vc = control.variance / control.units;
  const se2 = vt + vc;
  const standardError = Math.sqrt(se2);
  const statistic = (treatment.mean - control.mean) / standardError;
  // ν in shares of se², so variances beyond 1e154 (whose squares overflow) still give a finite ν.
  const shareT = vt / se2;
  const shareC = vc / se2;
  const df = 1 / ((shareT * shareT) / (treatment.units - 1) + (shareC * shareC) / (control.units - 1));
  return { statistic, df, pValue: tTwoSidedP(statistic, df), standardError };
}
