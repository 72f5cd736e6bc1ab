/**
 * The per-arm summary every test works from: units (count), mean and unbiased sample variance of the metric.
 * Binary arms are the special case of 0/1 outcomes.
 */
export interface ArmSummary {
  units: number;
  mean: number;
  /** Unbiased sample variance (divisor units − 1); 0 when units < 2. */
  variance: number;
}

/** Sufficient statistics of a continuous metric in one arm: units, Σx and Σx². */
export interface SufficientStatistics {
  units: number;
  sum: number;
  sumSquares: number;
}

/** Relative size below which Σx² − (Σx)²/n is rounding noise rather than spread (64 ulps of Σx²). */
const CANCELLATION_TOLERANCE = 64 * Number.EPSILON;

/**
 * Summary from sufficient statistics. The variance (Σx² − (Σx)²/n)/(n − 1) cancels catastrophically when the spread
 * is tiny against the mean; a remainder within rounding noise of Σx² is treated as exactly zero variance.
 */
export function summarizeSufficient(s: SufficientStatistics): ArmSummary {
  if (s.units === 0) return { units: 0, mean: 0, variance: 0 };
  const mean = s.sum / s.units;
  if (s.units < 2) return { units: s.units, mean, variance: 0 };
  const centred = s.sumSquares - s.sum * mean;
  const variance = centred <= CANCELLATION_TOLERANCE * Math.abs(s.sumSquares) ? 0 : centred / (s.units - 1);
  return { units: s.units, mean, variance };
}

/** Summary from raw values by the two-pass algorithm (no cancellation). */
export function summarizeValues(values: readonly number[]): ArmSummary {
  const n = values.length;
  if (n === 0) return { units: 0, mean: 0, variance: 0 };
  let sum = 0;
  for (const x of values) sum += x;
  const mean = sum / n;
  if (n < 2) return { units: n, mean, variance: 0 };
  let squares = 0;
  let correction = 0;
  for (const x of values) {
    squares += (x - mean) * (x - mean);
    correction += x - mean;
  }
  // The compensated two-pass form (Chan, Golub & LeVeque 1983) removes the rounding left in the mean.
  return { units: n, mean, variance: Math.max(0, (squares - (correction * correction) / n) / (n - 1)) };
}

/** Summary of a binary arm: mean is the conversion rate p, variance the unbiased n·p(1−p)/(n−1). */
export function summarizeBinary(units: number, conversions: number): ArmSummary {
  if (units === 0) return { units: 0, mean: 0, variance: 0 };
  const p = conversions / units;
  return { units, mean: p, variance: units < 2 ? 0 : (units * p * (1 - p)) / (units - 1) };
}
