import { z } from 'zod';
import { TrafficSplit } from '../domain';
import { DEFAULT_SEQUENTIAL_TUNING } from './sequential';

const Count = z
  .number({ error: 'expected a non-negative integer count' })
  // zod's int() also refuses counts beyond 2^53 − 1, where consecutive integers are no longer distinct doubles.
  .int(`must be a non-negative integer count of at most ${Number.MAX_SAFE_INTEGER}`)
  .min(0, 'must not be negative');
const Finite = z
  .number({ error: 'expected a finite number' })
  .refine(Number.isFinite, { message: 'must be finite (not NaN or Infinity)' });

/** One arm of a binary metric: units exposed and units converted (0 ≤ conversions ≤ units). */
export const BinaryArmInput = z
  .object({ units: Count, conversions: Count })
  .strict()
  // zod still runs the check when units itself failed; one message per fault is clearer.
  .refine((a) => !(a.units >= 0) || a.conversions <= a.units, {
    message: 'must not exceed units',
    path: ['conversions'],
  });
export type BinaryArmInput = z.infer<typeof BinaryArmInput>;

/**
 * One arm of a continuous metric: either the raw `values`, or the sufficient statistics `units`, `sum` and
 * `sumSquares` (Σx²), which must be consistent (Σx² ≥ (Σx)²/units).
 */
export const ContinuousArmInput = z
  .object({
    values: z.array(Finite).optional(),
    units: Count.optional(),
    sum: Finite.optional(),
    sumSquares: Finite.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const stats = [a.units, a.sum, a.sumSquares].filter((v) => v !== undefined).length;
    if (a.values !== undefined) {
      if (stats > 0) ctx.addIssue({ code: 'custom', message: 'give either values or units/sum/sumSquares, not both' });
      return;
    }
    if (stats < 3) {
      for (const key of ['units', 'sum', 'sumSquares'] as const) {
        if (a[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required (or give values)' });
      }
      return;
    }
    const { units, sum, sumSquares } = a as { units: number; sum: number; sumSquares: number };
    if (units === 0 && (sum !== 0 || sumSquares !== 0))
      ctx.addIssue({ code: 'custom', path: ['sum'], message: 'must be 0 when units is 0' });
    // Cauchy–Schwarz: n·Σx² ≥ (Σx)²; a small relative slack absorbs the caller's rounding.
    // As Σx² ≥ (Σx/n)·Σx, which cannot overflow where n·Σx² or (Σx)² would.
    if (units > 0 && sumSquares < (sum / units) * sum * (1 - 1e-9)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sumSquares'],
        message: 'must be at least sum²/units (negative variance otherwise)',
      });
    }
  });
export type ContinuousArmInput = z.infer<typeof ContinuousArmInput>;

/** The statistical test of a continuous metric: Welch's t-test (default) or Mann–Whitney U for skewed metrics. */
export const ContinuousTest = z.enum(['welch', 'mann-whitney'], { error: 'must be one of welch, mann-whitney' });
export type ContinuousTest = z.infer<typeof ContinuousTest>;

const metricFields = {
  /** Metric name, used in reasons and guardrail reports. */
  name: z.string().min(1, 'must not be empty').max(200).optional(),
  /** Whether an increase is good (conversion, revenue) or bad (latency, errors). */
  higherIsBetter: z.boolean({ error: 'expected true or false' }).default(true),
};

const binaryShape = {
  metric: z.literal('binary'),
  control: BinaryArmInput,
  treatment: BinaryArmInput,
  ...metricFields,
};
const continuousShape = {
  metric: z.literal('continuous'),
  control: ContinuousArmInput,
  treatment: ContinuousArmInput,
  test: ContinuousTest.default('welch'),
  ...metricFields,
};

/** Mann–Whitney ranks raw values; sufficient statistics cannot feed it. */
function requireValuesForRanks(
  m: { test: ContinuousTest; control: ContinuousArmInput; treatment: ContinuousArmInput },
  ctx: z.RefinementCtx,
): void {
  if (m.test !== 'mann-whitney') return;
  for (const arm of ['control', 'treatment'] as const) {
    if (m[arm].values === undefined)
      ctx.addIssue({ code: 'custom', path: [arm, 'values'], message: 'mann-whitney needs the raw values' });
  }
}

const METRIC_KINDS = 'must be one of binary, continuous';

/** One metric of an A/B test: binary (conversions/units) or continuous (raw values or sufficient statistics). */
export const MetricInput = z.discriminatedUnion(
  'metric',
  [z.object(binaryShape).strict(), z.object(continuousShape).strict().superRefine(requireValuesForRanks)],
  { error: METRIC_KINDS },
);
export type MetricInput = z.infer<typeof MetricInput>;

/** How the decision reads p-values: once at the planned end, or at any look with always-valid p-values. */
export const StoppingRule = z.enum(['fixed-horizon', 'sequential'], {
  error: 'must be one of fixed-horizon, sequential',
});
export type StoppingRule = z.infer<typeof StoppingRule>;

const analysisFields = {
  /** The configured split; the SRM check tests the observed units against it. Default 5000/5000. */
  split: TrafficSplit.default({ control: 5000, treatment: 5000 }),
  /** Significance level, default 0.05; confidence intervals are at 1 − alpha. */
  alpha: z
    .number({ error: 'expected a number' })
    .gt(0, 'must be greater than 0')
    .max(0.5, 'must be at most 0.5')
    .default(0.05),
  /** Absolute effect the power is computed for; the observed effect when omitted. */
  minimumDetectableEffect: Finite.refine((v) => v !== 0, { message: 'must not be 0' }).optional(),
  stopping: StoppingRule.default('fixed-horizon'),
  /** mSPRT tuning N*: total units at which the sequential test is most sensitive. */
  sequentialTuning: z.number().positive('must be positive').default(DEFAULT_SEQUENTIAL_TUNING),
  /** Secondary metrics watched for harm; Holm-corrected together with the primary. */
  guardrails: z.array(MetricInput).default([]),
};

/**
 * The analyze document: the primary metric (fields of {@link MetricInput}) plus the analysis settings, e.g.
 * `{"metric":"binary","control":{"units":10000,"conversions":200},"treatment":{"units":10000,"conversions":250},
 *   "split":{"control":5000,"treatment":5000},"alpha":0.05}`.
 */
export const AnalyzeInput = z.discriminatedUnion(
  'metric',
  [
    z.object({ ...binaryShape, ...analysisFields }).strict(),
    z
      .object({ ...continuousShape, ...analysisFields })
      .strict()
      .superRefine(requireValuesForRanks),
  ],
  { error: METRIC_KINDS },
);
export type AnalyzeInput = z.input<typeof AnalyzeInput>;
export type AnalyzeParsed = z.output<typeof AnalyzeInput>;
