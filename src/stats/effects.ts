import type { ConversionCounts } from './two-proportion';

/** An arm's mean with the variance of that mean (σ²/n), the input of every interval here. */
export interface MeanEstimate {
  mean: number;
  varianceOfMean: number;
}

/** A point estimate with its two-sided confidence interval. */
export interface Interval {
  estimate: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Absolute difference treatment − control with the normal-theory interval d ± q·√(Var x̄_t + Var x̄_c).
 * @param quantile the critical value, e.g. z_{1−α/2} (Wald, binary) or the Welch t_{ν,1−α/2} (continuous).
 * @see Wald interval: statsmodels confint_proportions_2indep(method='wald', compare='diff');
 *   Welch interval: scipy.stats.ttest_ind(equal_var=False).confidence_interval().
 */
export function absoluteDifference(control: MeanEstimate, treatment: MeanEstimate, quantile: number): Interval {
  const estimate = treatment.mean - control.mean;
  const half = quantile * Math.sqrt(treatment.varianceOfMean + control.varianceOfMean);
  return { estimate, ciLow: estimate - half, ciHigh: estimate + half };
}

/** Wilson score interval of one proportion (Wilson 1927, JASA 22:209–212). */
function wilson(x: number, n: number, z: number): { low: number; high: number } {
  const z2 = z * z;
  const centre = (x + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((x * (n - x)) / n + z2 / 4);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Difference of two proportions p_t − p_c with Newcombe's hybrid score interval (method 10), which unlike Wald
 * keeps its coverage and its width at rates of 0 or 1 and in small samples.
 * @param z the critical value z_{1−α/2}.
 * @see Newcombe (1998), Statistics in Medicine 17:873–890; matches
 *   statsmodels confint_proportions_2indep(x_t, n_t, x_c, n_c, method='newcomb', compare='diff').
 */
export function newcombeDifference(control: ConversionCounts, treatment: ConversionCounts, z: number): Interval {
  const pt = treatment.conversions / treatment.units;
  const pc = control.conversions / control.units;
  const t = wilson(treatment.conversions, treatment.units, z);
  const c = wilson(control.conversions, control.units, z);
  const estimate = pt - pc;
  return {
    estimate,
    ciLow: estimate - Math.sqrt((pt - t.low) ** 2 + (c.high - pc) ** 2),
    ciHigh: estimate + Math.sqrt((t.high - pt) ** 2 + (pc - c.low) ** 2),
  };
}

/**
 * Relative lift x̄_t/x̄_c − 1 with the delta-method interval lift ± z·√(Var x̄_t/x̄_c² + x̄_t²·Var x̄_c/x̄_c⁴).
 * @param z the critical value z_{1−α/2}.
 * @returns null when the control mean is 0 (the ratio is undefined; never Infinity or NaN).
 * @see Deng, Knoblich & Lu (2018), "Applying the Delta Method in Metric Analytics", KDD '18, §3;
 *   the same interval as GrowthBook's gbstats frequentist relative effect.
 */
export function relativeLift(control: MeanEstimate, treatment: MeanEstimate, z: number): Interval | null {
  const mc = control.mean;
  if (mc === 0) return null;
  const estimate = treatment.mean / mc - 1;
  const variance = treatment.varianceOfMean / (mc * mc) + (treatment.mean ** 2 * control.varianceOfMean) / mc ** 4;
  const half = z * Math.sqrt(variance);
  return { estimate, ciLow: estimate - half, ciHigh: estimate + half };
}
