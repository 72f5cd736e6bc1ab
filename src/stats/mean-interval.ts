import { summarizeValues } from './arm-summary';
import { tQuantile } from './distributions';

/** A two-sided confidence interval for a mean. */
export interface MeanInterval {
  low: number;
  high: number;
  /** Confidence level, 1 − α. */
  level: number;
}

/**
 * Student t confidence interval for the mean of `values`: x̄ ± t_{n−1}(1 − α/2) · s/√n, with s² the unbiased sample
 * variance (summarizeValues, compensated two-pass). Assumes independent units; by the central limit theorem it is
 * close to nominal for the evaluation-set sizes the registry sees even when single values are not normal.
 * @returns null for fewer than 2 values (no spread to estimate) or a variance that is not representable
 */
export function meanConfidenceInterval(values: readonly number[], alpha = 0.05): MeanInterval | null {
  const summary = summarizeValues(values);
  if (summary.units < 2 || summary.representable === false) return null;
  const half = tQuantile(1 - alpha / 2, summary.units - 1) * Math.sqrt(summary.variance / summary.units);
  return { low: summary.mean - half, high: summary.mean + half, level: 1 - alpha };
}
