import type { CheckOutcome, MetricCheck } from '../domain/guard';
import type { GuardMetric, MetricDirection } from '../domain/guard-policy';
import { SLO_QUANTILES } from '../domain/guard-policy';
import { msprtInterval, msprtPValue } from './sequential';

/** The observations of one metric of one version over a window: count, mean, sample variance, quantiles. */
export interface MetricSample {
  count: number;
  mean: number | null;
  variance: number | null;
  /** Observations the quantile sketch holds (single values only), and its estimates by quantile ("0.99"). */
  sketchCount: number;
  quantiles: Record<string, number | null>;
  /** Smallest and largest value (null when none): they tell a 0/1 metric. Absent in activity results before them. */
  min?: number | null;
  max?: number | null;
}

/**
 * Expected events and non-events each arm of a 0/1 metric needs, at the pooled rate, before a relative check may
 * decide (see {@link relativeRegressionCheck}).
 */
export const MIN_EXPECTED_EVENTS = 10;

/**
 * The number of ones when every value of the sample is 0 or 1, else null: with values in [0, 1], x² ≤ x, so
 * Σx² = Σx holds only for 0/1 values (Σx² comes back from the sample variance, hence the rounding slack).
 */
export function binaryEvents(sample: MetricSample): number | null {
  const { count, mean, variance, min, max } = sample;
  if (min == null || max == null || mean === null || min < 0 || max > 1) return null;
  const sum = count * mean;
  const sumSquares = (count - 1) * (variance ?? 0) + count * mean * mean;
  return Math.abs(sumSquares - sum) <= 1e-9 * Math.max(1, sum) ? Math.round(sum) : null;
}

const EMPTY: Omit<MetricCheck, 'metric' | 'check' | 'outcome' | 'reason' | 'candidateCount'> = {
  candidateValue: null,
  baselineCount: null,
  baselineValue: null,
  estimate: null,
  relativeChange: null,
  ciLow: null,
  ciHigh: null,
  pValue: null,
};

const fmt = (x: number) => Number(x.toPrecision(4)).toString();

/**
 * One-sided relative regression test of a candidate against a baseline, always valid under continuous monitoring.
 *
 * With s = +1 for lower_is_better and −1 otherwise and k = 1 + s·tolerance, the regression to detect is
 * d = s·(x̄_c − k·x̄_b) > 0, with plug-in standard error se = √(v_c/n_c + k²·v_b/n_b). The mSPRT of
 * {@link msprtPValue} at level α over n_c + n_b observations gives an always-valid p-value and interval; the check
 * fails when p ≤ α and d > 0, so the false-rollback rate over any number of checks stays at most α (the two-sided
 * test's guarantee covers its one-sided use). Below `minSamples` in either arm the check is inconclusive; with no
 * spread in either arm (se = 0) it passes when d ≤ 0 and is inconclusive otherwise.
 *
 * That guarantee is asymptotic: it needs the estimate to be about normal with a well-estimated se. A 0/1 metric
 * with few events breaks both — a small holdout at a 1 % error rate often has no error at the first checks, its
 * plug-in variance is 0, se shrinks to the candidate's alone and over a fifth of A/A bakes rolled back at minSamples 100.
 * So, given `minExpectedEvents` (m), a 0/1 metric (both arms only 0s and 1s, see {@link binaryEvents}) is
 * inconclusive until each arm expects at least m events and m non-events at the pooled rate p̂ = (x_c + x_b) /
 * (n_c + n_b): min(n_c, n_b) · min(p̂, 1 − p̂) ≥ m — the success–failure condition of the normal test of two
 * proportions, which checks it with the pooled proportion because that is the rate under "no difference". The
 * pooled rate (not each arm's own count) keeps the rule blind to which arm is worse, and a regression raises p̂, so
 * it lets checks decide sooner. With m = 10 (a 10 % holdout of 1,000 requests/min at 1 %): 3.7 % false rollbacks
 * in A/A bakes and +100 % caught in a median 9 minutes, where the pooled variance (valid, but it inflates the
 * holdout's variance under a regression) took 18 (docs/benchmarks.md, "Guard").
 *
 * @param candidate,baseline cumulative samples since the guard started (baseline: holdout or reference window).
 * @param options.minExpectedEvents m above; absent: no such rule (guards recorded before it, see guardModel).
 * @returns the metric's check with the estimate d, x̄_c/x̄_b − 1, the always-valid interval of d and the p-value.
 * @see Johari, Koomen, Pekelis & Walsh (2017), "Peeking at A/B Tests", KDD '17; Waudby-Smith et al. (2023),
 *   arXiv:2103.06476v7, eq. (9), (155); the same engine as the A/B tests' `stopping: sequential`. The
 *   success–failure condition with the pooled proportion and 10: Diez, Çetinkaya-Rundel & Barr, OpenIntro
 *   Statistics, 4th ed. (2019), §6.2.3.
 */
export function relativeRegressionCheck(
  metric: string,
  direction: MetricDirection,
  tolerance: number,
  candidate: MetricSample,
  baseline: MetricSample,
  options: { alpha: number; tuning: number; minSamples: number; minExpectedEvents?: number },
): MetricCheck {
  const base = {
    ...EMPTY,
    metric,
    check: 'relative' as const,
    candidateCount: candidate.count,
    candidateValue: candidate.mean,
    baselineCount: baseline.count,
    baselineValue: baseline.mean,
  };
  const short = [
    candidate.count < options.minSamples ? `candidate ${candidate.count}` : null,
    baseline.count < options.minSamples ? `baseline ${baseline.count}` : null,
  ].filter((s) => s !== null);
  if (short.length > 0 || candidate.variance === null || baseline.variance === null) {
    return {
      ...base,
      outcome: 'inconclusive',
      reason: `too few observations (${short.join(', ') || 'fewer than 2'}; at least ${options.minSamples} per arm)`,
    };
  }
  const m = options.minExpectedEvents;
  const eventsC = m === undefined ? null : binaryEvents(candidate);
  const eventsB = m === undefined ? null : binaryEvents(baseline);
  if (m !== undefined && eventsC !== null && eventsB !== null) {
    const pooled = (eventsC + eventsB) / (candidate.count + baseline.count);
    const expected = Math.min(candidate.count, baseline.count) * Math.min(pooled, 1 - pooled);
    if (expected < m)
      return {
        ...base,
        outcome: 'inconclusive',
        reason: `too few events (${eventsC} of ${candidate.count} vs ${eventsB} of ${baseline.count}: ${fmt(expected)} expected ${pooled > 0.5 ? 'non-events' : 'events'} in the smaller arm at the pooled rate ${fmt(pooled)}; at least ${m})`,
      };
  }
  const s = direction === 'lower_is_better' ? 1 : -1;
  const k = 1 + s * tolerance;
  const estimate = s * (candidate.mean! - k * baseline.mean!);
  const se = Math.sqrt(candidate.variance / candidate.count + (k * k * baseline.variance) / baseline.count);
  const relativeChange = baseline.mean === 0 ? null : candidate.mean! / baseline.mean! - 1;
  const change = relativeChange === null ? '' : ` (${relativeChange >= 0 ? '+' : ''}${fmt(100 * relativeChange)} %)`;
  const means = `${fmt(candidate.mean!)} vs ${fmt(baseline.mean!)}${change}`;
  if (se === 0) {
    const outcome: CheckOutcome = estimate <= 0 ? 'pass' : 'inconclusive';
    return { ...base, estimate, relativeChange, outcome, reason: `${means}, no spread in either arm` };
  }
  const n = candidate.count + baseline.count;
  const pValue = msprtPValue(estimate, se, n, options.tuning, options.alpha);
  const { ciLow, ciHigh } = msprtInterval(estimate, se, n, options.tuning, options.alpha);
  const worse = pValue <= options.alpha && estimate > 0;
  return {
    ...base,
    estimate,
    relativeChange,
    ciLow,
    ciHigh,
    pValue,
    outcome: worse ? 'fail' : 'pass',
    reason: `${means}, always-valid p = ${fmt(pValue)} ${worse ? '≤' : pValue <= options.alpha ? '≤ (better)' : '>'} ${options.alpha}`,
  };
}

/**
 * An absolute SLO over one check interval: the mean, or a percentile from the quantile sketch, against `max` or
 * `min`. Judged only with at least `minSamples` observations (for a percentile: single values in the sketch);
 * `estimate` is statistic − max (or min − statistic), so > 0 is a breach.
 */
export function sloCheck(
  metric: Extract<GuardMetric, { check: 'slo' }>,
  candidate: MetricSample,
  minSamples: number,
): MetricCheck {
  const needed = metric.minSamples ?? minSamples;
  const count = metric.statistic === 'mean' ? candidate.count : candidate.sketchCount;
  const value =
    metric.statistic === 'mean'
      ? candidate.mean
      : (candidate.quantiles[String(SLO_QUANTILES[metric.statistic])] ?? null);
  const base = { ...EMPTY, metric: metric.metric, check: 'slo' as const, candidateCount: count, candidateValue: value };
  if (count < needed || value === null)
    return { ...base, outcome: 'inconclusive', reason: `too few observations (${count}; at least ${needed})` };
  const bound = metric.max ?? metric.min!;
  const estimate = metric.max !== undefined ? value - metric.max : metric.min! - value;
  const op = metric.max !== undefined ? '≤' : '≥';
  return {
    ...base,
    estimate,
    outcome: estimate > 0 ? 'fail' : 'pass',
    reason: `${metric.statistic} ${fmt(value)} ${estimate > 0 ? 'breaks' : 'meets'} ${op} ${fmt(bound)} (${count} observations)`,
  };
}

/** The outcome of a check over all metrics: fail if any failed, else inconclusive if any was, else pass. */
export function combineOutcomes(outcomes: readonly CheckOutcome[]): CheckOutcome {
  if (outcomes.includes('fail')) return 'fail';
  return outcomes.includes('inconclusive') ? 'inconclusive' : 'pass';
}
