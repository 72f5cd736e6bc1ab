/**
 * The per-arm summary every test works from: units (count), mean and unbiased sample variance of the metric.
 * Binary arms are the special case of 0/1 outcomes.
 */
export interface ArmSummary {
  units: number;
  mean: number;
  /** Unbiased sample variance (divisor units − 1); 0 when units < 2. */
  variance: number;
  /** False when the variance lies outside double precision's range: it overflowed, or a real spread underflowed to 0. */
  representable?: false;
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

/** 2^k with 2^k ≤ |x| < 2^(k+1), for x > 0: scaling by it is exact, so it moves values without rounding them. */
function powerOfTwoBelow(x: number): number {
  return 2 ** Math.floor(Math.log2(x));
}

/**
 * Summary from raw values by the compensated two-pass algorithm (no cancellation), computed on the values divided
 * by a power of two near the largest magnitude: exact scaling, so ordinary data gets the same bits as unscaled,
 * while sums of values near ±1.8e308 no longer overflow and spreads near 5e-324 no longer underflow. A variance
 * that cannot be represented once scaled back is flagged `representable: false`.
 * @see Chan, Golub & LeVeque (1983), "Algorithms for computing the sample variance", Am. Stat. 37:242–247.
 */
export function summarizeValues(values: readonly number[]): ArmSummary {
  const n = values.length;
  if (n === 0) return { units: 0, mean: 0, variance: 0 };
  let largest = 0;
  for (const x of values) largest = Math.max(largest, Math.abs(x));
  if (largest === 0) return { units: n, mean: 0, variance: 0 };
  const scale = powerOfTwoBelow(largest);
  let sum = 0;
  for (const x of values) sum += x / scale;
  const mean = sum / n;
  if (n < 2) return { units: n, mean: mean * scale, variance: 0 };
  let squares = 0;
  let correction = 0;
  for (const x of values) {
    const d = x / scale - mean;
    squares += d * d;
    correction += d;
  }
  const scaledVariance = Math.max(0, (squares - (correction * correction) / n) / (n - 1));
  // Two steps, so a variance whose scale² alone would overflow or underflow is still recovered when it fits.
  const variance = scaledVariance * scale * scale;
  const summary = { units: n, mean: mean * scale, variance };
  const lost = !Number.isFinite(variance) || (scaledVariance > 0 && variance === 0);
  return lost ? { ...summary, representable: false } : summary;
}

/** Summary of a binary arm: mean is the conversion rate p, variance the unbiased n·p(1−p)/(n−1). */
export function summarizeBinary(units: number, conversions: number): ArmSummary {
  if (units === 0) return { units: 0, mean: 0, variance: 0 };
  const p = conversions / units;
  return { units, mean: p, variance: units < 2 ? 0 : (units * p * (1 - p)) / (units - 1) };
}
