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

/** A relative lift with its interval; the bounds are null when the confidence set is not an interval. */
export interface RelativeInterval {
  estimate: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** True when the confidence set is unbounded (Fieller: the control mean is not distinguishable from 0). */
  unbounded: boolean;
}

/**
 * Relative lift p_t/p_c − 1 of two proportions with the log-ratio interval on counts adjusted by one half:
 * exp(ln r̃ ± z·√(1/x̃_t − 1/ñ_t + 1/x̃_c − 1/ñ_c)) − 1 with x̃ = x + ½, ñ = n + ½ and r̃ = (x̃_t/ñ_t)/(x̃_c/ñ_c).
 * Unlike the delta method it never goes below −100 % and keeps its coverage with 20 units per arm and with a zero
 * count (the estimate is the unadjusted p_t/p_c − 1, so with no treatment conversions it sits just below the interval).
 * @param z the critical value z_{1−α/2}.
 * @returns null when the control has no conversions (the lift is undefined; never Infinity or NaN).
 * @see Agresti & Min (2002); matches statsmodels confint_proportions_2indep(x_t, n_t, x_c, n_c, compare='ratio',
 *   method='log-adjusted'), its default for ratios.
 */
export function logRatioLift(
  control: ConversionCounts,
  treatment: ConversionCounts,
  z: number,
): RelativeInterval | null {
  if (control.conversions === 0) return null;
  const estimate = treatment.conversions / treatment.units / (control.conversions / control.units) - 1;
  const [xt, nt, xc, nc] = [treatment.conversions, treatment.units, control.conversions, control.units].map(
    (v) => v + 0.5,
  );
  const logRatio = Math.log(xt! / nt!) - Math.log(xc! / nc!);
  const half = z * Math.sqrt(1 / xt! - 1 / nt! + 1 / xc! - 1 / nc!);
  return { estimate, ciLow: Math.expm1(logRatio - half), ciHigh: Math.expm1(logRatio + half), unbounded: false };
}

/**
 * Relative lift x̄_t/x̄_c − 1 with Fieller's confidence set: the θ with (x̄_t − θ·x̄_c)² ≤ q²(Var x̄_t + θ²·Var x̄_c),
 * i.e. a·θ² − 2b·θ + c ≤ 0 with a = x̄_c² − q²·Var x̄_c, b = x̄_t·x̄_c, c = x̄_t² − q²·Var x̄_t. When a > 0 the set is
 * the interval (b ± √(b² − ac))/a; otherwise (x̄_c within q standard errors of 0) it is unbounded and reported so.
 * Computed in units of x̄_c, so neither overflow nor cancellation touches the discriminant, which equals
 * q²(Var x̄_t·a + Var x̄_c·x̄_t²) and is positive whenever a is.
 * @param q the critical value: the Welch t_{ν,1−α/2} for continuous metrics.
 * @returns null when the control mean is 0 (the ratio is undefined).
 * @see Fieller (1954), JRSS B 16:175–185; the delta method (Deng, Knoblich & Lu, KDD '18) is its large-sample limit.
 */
export function fiellerLift(control: MeanEstimate, treatment: MeanEstimate, q: number): RelativeInterval | null {
  const mc = control.mean;
  if (mc === 0) return null;
  const ratio = treatment.mean / mc;
  const relVarC = control.varianceOfMean / (mc * mc);
  const relVarT = treatment.varianceOfMean / (mc * mc);
  const q2 = q * q;
  const a = 1 - q2 * relVarC;
  if (!(a > 0)) return { estimate: ratio - 1, ciLow: null, ciHigh: null, unbounded: true };
  const root = Math.sqrt(q2 * (relVarT * a + relVarC * ratio * ratio));
  return { estimate: ratio - 1, ciLow: (ratio - root) / a - 1, ciHigh: (ratio + root) / a - 1, unbounded: false };
}
