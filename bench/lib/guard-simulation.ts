/**
 * A seeded simulation of the guard's relative error-rate check beside a fixed-threshold check of the Flagger kind,
 * on the same simulated traffic: per-minute error counts of the candidate (and of the holdout, or of a reference
 * window before the guard started), judged every check interval by `relativeRegressionCheck` — the function the
 * guardModel workflow calls — and by "the window's error rate above a fixed threshold, N failed checks in a row".
 */
import { z } from 'zod';
import { GuardPolicy, type GuardPolicyParsed } from '../../src/domain/guard-policy';
import { MIN_EXPECTED_EVENTS, relativeRegressionCheck, type MetricSample } from '../../src/stats/guard-checks';
import { quantile } from './measure';

/** mulberry32: a 32-bit seeded uniform source in [0, 1), so every run of the benchmark draws the same traffic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A Binomial(n, p) count from one uniform by inversion of the CDF (exact; the pmf recursion from 0 is cheap for the
 * few expected errors of a window). Needs (1 − p)ⁿ above the smallest double, true for n·p up to ~700.
 */
export function binomial(n: number, p: number, uniform: () => number): number {
  const u = uniform();
  const q = 1 - p;
  let pmf = q ** n;
  let cdf = pmf;
  let k = 0;
  while (u >= cdf && k < n) {
    pmf *= ((n - k) / (k + 1)) * (p / q);
    k += 1;
    cdf += pmf;
  }
  return k;
}

/**
 * How traffic reaches the versions. `holdout`: the baseline version keeps `holdoutPerMinute` of the requests over
 * the same minutes; `reference`: the candidate takes all of them and the baseline is `referenceMinutes` of the
 * previous version's traffic before the guard started (the policy's `baseline.window`).
 */
export const Deployment = z
  .object({
    name: z.string().min(1),
    baseline: z.enum(['holdout', 'reference']),
    candidatePerMinute: z.number().int().min(1).max(100_000),
    holdoutPerMinute: z.number().int().min(0).max(100_000),
    referenceMinutes: z.number().int().min(0).max(10_000),
    referencePerMinute: z.number().int().min(0).max(100_000),
  })
  .strict()
  .refine((d) => (d.baseline === 'holdout' ? d.holdoutPerMinute > 0 : d.referenceMinutes * d.referencePerMinute > 0), {
    message: 'a holdout needs holdoutPerMinute > 0, a reference needs referenceMinutes × referencePerMinute > 0',
    path: ['baseline'],
  });
export type Deployment = z.infer<typeof Deployment>;

/** The simulated traffic of one guard: error counts per check interval, and the reference window's totals. */
export interface SimulatedRun {
  candidateErrors: Int32Array;
  holdoutErrors: Int32Array;
  referenceErrors: number;
  referenceCount: number;
}

/**
 * `runs` guards' traffic over `checks` one-minute intervals: the candidate errs at `candidateRate`, the holdout at
 * `baselineRate`, the reference window (taken before the guard started) at `referenceRate`, by default the same.
 * Seeded: the same arguments give the same counts.
 */
export function simulateRuns(
  deployment: Deployment,
  baselineRate: number,
  candidateRate: number,
  checks: number,
  runs: number,
  seed: number,
  referenceRate = baselineRate,
): SimulatedRun[] {
  const d = Deployment.parse(deployment);
  const uniform = mulberry32(seed);
  const out: SimulatedRun[] = [];
  for (let r = 0; r < runs; r++) {
    const candidateErrors = new Int32Array(checks);
    const holdoutErrors = new Int32Array(checks);
    let referenceErrors = 0;
    if (d.baseline === 'reference')
      for (let m = 0; m < d.referenceMinutes; m++)
        referenceErrors += binomial(d.referencePerMinute, referenceRate, uniform);
    for (let t = 0; t < checks; t++) {
      candidateErrors[t] = binomial(d.candidatePerMinute, candidateRate, uniform);
      if (d.baseline === 'holdout') holdoutErrors[t] = binomial(d.holdoutPerMinute, baselineRate, uniform);
    }
    out.push({
      candidateErrors,
      holdoutErrors,
      referenceErrors,
      referenceCount: d.baseline === 'reference' ? d.referenceMinutes * d.referencePerMinute : 0,
    });
  }
  return out;
}

/**
 * A 0/1 metric's sample as the store sums it: count, mean and the sample variance from sum and sum of squares, min
 * and max.
 */
function binarySample(count: number, errors: number): MetricSample {
  if (count === 0) return { count: 0, mean: null, variance: null, sketchCount: 0, quantiles: {}, min: null, max: null };
  const mean = errors / count;
  return {
    count,
    mean,
    variance: count < 2 ? null : (errors - count * mean * mean) / (count - 1),
    sketchCount: 0,
    quantiles: {},
    min: errors === count ? 1 : 0,
    max: errors === 0 ? 0 : 1,
  };
}

/**
 * The guard's policy for the simulation, through the policy schema (so alpha, N* and minSamples are the guard's
 * defaults unless given): one relative `error` check, lower is better, tolerance 0.
 */
export function simulatedPolicy(overrides: Partial<z.input<typeof GuardPolicy>> = {}): GuardPolicyParsed {
  return GuardPolicy.parse({
    metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
    checkInterval: '1m',
    bakeTime: '1h',
    ...overrides,
  });
}

/**
 * The first check (1-based) at which the guard's relative check fails on this run, or null if none does within the
 * run's checks: at check t the candidate's and the holdout's observations since the start (or the reference window)
 * go to `relativeRegressionCheck` with the policy's alpha, N* and minSamples, as guardModel's `judge` does, and
 * with its expected-events rule unless `expectedEvents` is false (guards recorded before the rule).
 */
export function guardDetection(
  run: SimulatedRun,
  deployment: Deployment,
  policy: GuardPolicyParsed,
  expectedEvents = true,
): number | null {
  const metric = policy.metrics[0]!;
  if (metric.check !== 'relative') throw new Error('simulatedPolicy: the first metric must be a relative check');
  const options = {
    alpha: policy.alpha,
    tuning: policy.sequentialTuning,
    minSamples: policy.minSamples,
    ...(expectedEvents ? { minExpectedEvents: MIN_EXPECTED_EVENTS } : {}),
  };
  const reference = binarySample(run.referenceCount, run.referenceErrors);
  let candidateErrors = 0;
  let holdoutErrors = 0;
  for (let t = 0; t < run.candidateErrors.length; t++) {
    candidateErrors += run.candidateErrors[t]!;
    holdoutErrors += run.holdoutErrors[t]!;
    const candidate = binarySample((t + 1) * deployment.candidatePerMinute, candidateErrors);
    const baseline =
      deployment.baseline === 'holdout'
        ? binarySample((t + 1) * deployment.holdoutPerMinute, holdoutErrors)
        : reference;
    const check = relativeRegressionCheck(
      metric.metric,
      metric.direction,
      metric.tolerance,
      candidate,
      baseline,
      options,
    );
    if (check.outcome === 'fail') return t + 1;
  }
  return null;
}

/** A fixed-threshold check: fail when a window holds more than `maxErrors` errors; act at `failures` in a row. */
export interface ThresholdCheck {
  maxErrors: number;
  failures: number;
}

/** The first check (1-based) at which the threshold check has failed `failures` times in a row, or null. */
export function thresholdDetection(counts: ArrayLike<number>, check: ThresholdCheck): number | null {
  let streak = 0;
  for (let t = 0; t < counts.length; t++) {
    streak = counts[t]! > check.maxErrors ? streak + 1 : 0;
    if (streak >= check.failures) return t + 1;
  }
  return null;
}

/**
 * The threshold of the Flagger kind tuned to a false-alarm rate over the bake: the smallest `maxErrors` per window at
 * which at most `alpha` of the A/A runs ever reach `failures` failed checks in a row. Counts are whole numbers, so
 * the rate reached is the largest attainable one at or below alpha (`falseAlarms`), and one error fewer exceeds it
 * (`falseAlarmsOneLower`).
 *
 * For each run the largest m such that some `failures` consecutive windows all exceed m − 1 is the run's minimum
 * over each streak window, maximised over time; the run false-alarms at `maxErrors` iff that value > maxErrors.
 */
export function tuneThreshold(
  aaRuns: readonly SimulatedRun[],
  failures: number,
  alpha: number,
): ThresholdCheck & { falseAlarms: number; falseAlarmsOneLower: number } {
  const worst = aaRuns.map((run) => {
    const c = run.candidateErrors;
    let best = -1;
    for (let t = failures - 1; t < c.length; t++) {
      let low = Infinity;
      for (let j = t - failures + 1; j <= t; j++) low = Math.min(low, c[j]!);
      best = Math.max(best, low);
    }
    return best;
  });
  const rate = (maxErrors: number) => worst.filter((w) => w > maxErrors).length / aaRuns.length;
  let maxErrors = 0;
  while (rate(maxErrors) > alpha) maxErrors += 1;
  return { maxErrors, failures, falseAlarms: rate(maxErrors), falseAlarmsOneLower: rate(maxErrors - 1) };
}

/** Detection delays in checks (null: not within the bake) summarised: share detected, median and p90 (∞ if beyond). */
export function summarizeDelays(delays: readonly (number | null)[]): { detected: number; median: number; p90: number } {
  const finite = delays.map((d) => d ?? Infinity);
  return {
    detected: delays.filter((d) => d !== null).length / delays.length,
    median: quantile(finite, 0.5),
    p90: quantile(finite, 0.9),
  };
}
