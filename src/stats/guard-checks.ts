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
 * @param candidate,baseline cumulative samples since the guard started (baseline: holdout or reference window).
 * @returns the metric's check with the estimate d, x̄_c/x̄_b − 1, the always-valid interval of d and the p-value.
 * @see Johari, Koomen, Pekelis & Walsh (2017), "Peeking at A/B Tests", KDD '17; Waudby-Smith et al. (2023),
 *   arXiv:2103.06476v7, eq. (9), (155); the same engine as the A/B tests' `stopping: sequential`.
 */
export function relativeRegressionCheck(
  metric: string,
  direction: MetricDirection,
  tolerance: number,
  candidate: MetricSample,
  baseline: MetricSample,
  options: { alpha: number; tuning: number; minSamples: number },
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
