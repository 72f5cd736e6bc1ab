import { normalTwoSidedP } from './distributions';

/** Counts of one arm of a binary metric. */
export interface ConversionCounts {
  units: number;
  conversions: number;
}

/** Result of a two-sided test of treatment against control. */
export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * Pooled two-proportion z-test of H0: p_treatment = p_control, two-sided.
 * z = (p̂_t − p̂_c) / √(p̂(1 − p̂)(1/n_t + 1/n_c)), p̂ the pooled rate; p = 2·Φ(−|z|) on the precise tail.
 * @param control,treatment units ≥ 1 and 0 ≤ conversions ≤ units; the pooled rate must lie strictly inside (0, 1)
 *   (the caller reports ZERO_VARIANCE otherwise).
 * @returns statistic z (positive when treatment converts more) and the two-sided pValue.
 * @see Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions (3rd ed. 2003) §2.5;
 *   matches statsmodels.stats.proportion.proportions_ztest([x_t, x_c], [n_t, n_c]).
 */
export function twoProportionZTest(control: ConversionCounts, treatment: ConversionCounts): TestResult {
  const pc = control.conversions / control.units;
  const pt = treatment.conversions / treatment.units;
  const z = (pt - pc) / pooledStandardError(control, treatment);
  return { statistic: z, pValue: normalTwoSidedP(z) };
}

/** Standard error of p̂_t − p̂_c under H0 (equal rates): √(p̂(1 − p̂)(1/n_t + 1/n_c)), p̂ the pooled rate. */
export function pooledStandardError(control: ConversionCounts, treatment: ConversionCounts): number {
  const pooled = (control.conversions + treatment.conversions) / (control.units + treatment.units);
  return Math.sqrt(pooled * (1 - pooled) * (1 / control.units + 1 / treatment.units));
}

/**
 * Smallest expected cell count of the 2×2 table (arm × converted) under independence; below 5 the normal
 * approximation is not trusted and Fisher's exact test runs instead (Cochran 1954).
 */
export function minimumExpectedCount(control: ConversionCounts, treatment: ConversionCounts): number {
  const total = control.units + treatment.units;
  const converted = control.conversions + treatment.conversions;
  const rows = [control.units, treatment.units];
  const cols = [converted, total - converted];
  return Math.min(...rows.flatMap((r) => cols.map((c) => (r * c) / total)));
}
