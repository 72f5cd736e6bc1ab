import { z } from 'zod';
import { DurationMs } from './duration';
import { MetricKey } from './experiment';
import { SemVer } from './semver';

/** Which way a metric gets worse: `lower_is_better` (errors, latency: a rise is a regression) or the reverse. */
export const MetricDirection = z.enum(['lower_is_better', 'higher_is_better'], {
  error: 'must be one of lower_is_better, higher_is_better',
});
export type MetricDirection = z.infer<typeof MetricDirection>;

/** The statistic an SLO bounds: the mean (an error rate for a 0/1 metric) or a percentile from the sketch. */
export const SloStatistic = z.enum(['mean', 'p50', 'p90', 'p95', 'p99', 'p999'], {
  error: 'must be one of mean, p50, p90, p95, p99, p999',
});
export type SloStatistic = z.infer<typeof SloStatistic>;

/** The quantile each percentile statistic reads from the sketch. */
export const SLO_QUANTILES: Record<Exclude<SloStatistic, 'mean'>, number> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
};

const MinSamples = z.number().int('must be an integer').min(1, 'must be at least 1').max(1e9, 'must be at most 1e9');
const Finite = z.number({ error: 'expected a finite number' }).refine(Number.isFinite, 'must be finite');

/**
 * A metric checked against the baseline: a regression is the candidate's mean worse than the baseline's by more than
 * `tolerance` (relative: 0.1 = 10 % worse is still fine; default 0), tested one-sided with the always-valid mSPRT.
 */
export const RelativeGuardMetric = z
  .object({
    metric: MetricKey,
    check: z.literal('relative'),
    direction: MetricDirection,
    tolerance: z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0),
  })
  .strict();

/**
 * A metric held to an absolute bound over each check interval: `statistic` ≤ `max` (or ≥ `min`), judged only with at
 * least `minSamples` observations in the interval (default: the policy's `minSamples`).
 */
export const SloGuardMetric = z
  .object({
    metric: MetricKey,
    check: z.literal('slo'),
    statistic: SloStatistic.default('mean'),
    max: Finite.optional(),
    min: Finite.optional(),
    minSamples: MinSamples.optional(),
  })
  .strict()
  .refine((m) => (m.max === undefined) !== (m.min === undefined), {
    message: 'give exactly one of max (statistic must stay at or below) or min (at or above)',
    path: ['max'],
  });

export const GuardMetric = z.discriminatedUnion('check', [RelativeGuardMetric, SloGuardMetric], {
  error: 'must be one of relative, slo',
});
export type GuardMetric = z.output<typeof GuardMetric>;

/**
 * What a relative check compares with. `holdout`: the baseline version keeps a small share of traffic (routed by the
 * same hash assignment as A/B tests) and its observations over the same time are the control — both arms see the
 * same hours, traffic mix and incidents. `reference`: the baseline version's observations over `window` before the
 * guard started — weaker, since any change between then and now (time of day, seasonality, an upstream incident)
 * counts as the candidate's effect. `version` defaults to the previous production version.
 */
export const GuardBaseline = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('holdout'), version: SemVer.optional() }).strict(),
    z
      .object({ kind: z.literal('reference'), version: SemVer.optional(), window: DurationMs.default(3_600_000) })
      .strict(),
  ],
  { error: 'must be one of holdout, reference' },
);
export type GuardBaseline = z.output<typeof GuardBaseline>;

/** What the guard does when a check fails: roll back (default), only notify, or open a retraining experiment. */
export const GuardAction = z.enum(['rollback', 'notify', 'retrain'], {
  error: 'must be one of rollback, notify, retrain',
});
export type GuardAction = z.infer<typeof GuardAction>;

/** A webhook the guard's alerts go to, signed with `secret` (Standard Webhooks: HMAC-SHA256). */
export const GuardWebhook = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    secret: z.string().min(16, 'must be at least 16 characters').max(512),
  })
  .strict();

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** A duration bounded to [min, max] ms, with the bound named as people write it. */
function boundedDuration(min: number, minText: string, max: number, maxText: string) {
  return DurationMs.refine((ms) => ms >= min, `must be at least ${minText}`).refine(
    (ms) => ms <= max,
    `must be at most ${maxText}`,
  );
}

/**
 * The guard policy of a production version (one JSON object, every field bounded):
 * - `metrics` (1–20): relative checks against the baseline and absolute SLOs;
 * - `baseline`: holdout (default) or reference window, see {@link GuardBaseline};
 * - `alpha` (0.001–0.2, default 0.05): the false-rollback rate of the relative checks over the whole bake;
 * - `sequentialTuning` (100–10⁹, default 5000): N*, the total observations where the always-valid test is tightest;
 * - `checkInterval` (10s–1d, default 5m; below one observation bucket, 1 minute, each check reads whole buckets,
 *   see the guard's windows in docs/workflows.md), `bakeTime` (1m–90d, default 1h, ends PASSED at the first passing check
 *   after it), `noDataPeriod` (1m–30d, default 30m: without observations this long, alert and hold);
 * - `minSamples` (1–10⁹, default 100): observations each arm needs before a relative check or an SLO decides;
 * - `errorBudget` (1–100, default 3): consecutive checks whose observations could not be read before an alert;
 * - `action` (default rollback) and `webhooks` (0–10).
 */
export const GuardPolicy = z
  .object({
    metrics: z.array(GuardMetric).min(1, 'must hold at least one metric').max(20, 'must hold at most 20 metrics'),
    baseline: GuardBaseline.default({ kind: 'holdout' }),
    alpha: z.number().min(0.001, 'must be in [0.001, 0.2]').max(0.2, 'must be in [0.001, 0.2]').default(0.05),
    sequentialTuning: z.number().int('must be an integer').min(100, 'must be at least 100').max(1e9).default(5000),
    checkInterval: boundedDuration(10 * SECOND, '10s', DAY, '1d').default(5 * MINUTE),
    bakeTime: boundedDuration(MINUTE, '1m', 90 * DAY, '90d').default(60 * MINUTE),
    noDataPeriod: boundedDuration(MINUTE, '1m', 30 * DAY, '30d').default(30 * MINUTE),
    minSamples: MinSamples.default(100),
    errorBudget: z
      .number()
      .int('must be an integer')
      .min(1, 'must be in [1, 100]')
      .max(100, 'must be in [1, 100]')
      .default(3),
    action: GuardAction.default('rollback'),
    webhooks: z.array(GuardWebhook).max(10, 'must hold at most 10 webhooks').default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.metrics.forEach((m, i) => {
      const key = `${m.metric}/${m.check}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', i, 'metric'],
          message: `${m.metric} has two ${m.check} checks`,
        });
      seen.add(key);
    });
    if (p.bakeTime < p.checkInterval)
      ctx.addIssue({ code: 'custom', path: ['bakeTime'], message: 'must be at least checkInterval' });
  });
export type GuardPolicy = z.input<typeof GuardPolicy>;
export type GuardPolicyParsed = z.output<typeof GuardPolicy>;
