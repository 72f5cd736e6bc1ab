import { z } from 'zod';
import { MetricKey } from './experiment';
import { ModelName } from './names';
import { SemVer } from './semver';

/** Most evaluation samples one call attaches (one version, one evaluation set), e.g. 1,000,000 units × 1 metric. */
export const MAX_EVALUATION_SAMPLES = 1_000_000;

/**
 * Most samples one HTTP request attaches. An evaluation set is replaced whole by one call, so this is also the largest
 * set the HTTP API takes; larger ones (up to {@link MAX_EVALUATION_SAMPLES}) are attached where the registry is.
 */
export const MAX_EVALUATION_SAMPLES_PER_REQUEST = 100_000;

/** The evaluation set samples belong to when none is named. */
export const DEFAULT_EVAL_SET = 'default';

/** An evaluation set's name: 1–100 characters of letters, digits, `.`, `_`, `-` (e.g. `heldout-2024`, `seeds.0-99`). */
export const EvalSetName = z
  .string({ error: 'expected a string' })
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'must hold only letters, digits, ".", "_" and "-"');

/**
 * One evaluation sample: the value of one metric on one unit of an evaluation set — a held-out example of a
 * classifier (`correct` 0/1), an episode of an RL policy under a fixed seed (`return`). Binary metrics are 0/1.
 */
export const EvaluationSampleInput = z
  .object({
    unit: z
      .string({ error: 'expected a string' })
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters'),
    metric: MetricKey,
    value: z
      .number({ error: 'expected a finite number' })
      .refine(Number.isFinite, { message: 'must be finite (not NaN or Infinity)' }),
  })
  .strict();
export type EvaluationSampleInput = z.infer<typeof EvaluationSampleInput>;

/** Evaluation samples of one version on one set; each (unit, metric) at most once. */
export const EvaluationSamples = z
  .array(EvaluationSampleInput)
  .min(1, 'must hold at least one sample')
  .max(MAX_EVALUATION_SAMPLES, `must hold at most ${MAX_EVALUATION_SAMPLES} samples`)
  .superRefine((samples, ctx) => {
    const seen = new Map<string, number>();
    for (const [i, s] of samples.entries()) {
      // Unit ids and metric keys are strings without \u0000 in practice; a collision would only refuse the batch.
      const key = `${s.metric}\u0000${s.unit}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'unit'],
          message: `unit ${JSON.stringify(s.unit)} already has a value of ${JSON.stringify(s.metric)} at index ${first}`,
        });
        return;
      }
      seen.set(key, i);
    }
  });

/** What attachEvaluation takes: a version, its evaluation set (default `default`) and the samples. */
export const AttachEvaluationInput = z
  .object({
    model: ModelName,
    version: SemVer,
    evalSet: EvalSetName.default(DEFAULT_EVAL_SET),
    samples: EvaluationSamples,
  })
  .strict();
export type AttachEvaluationInput = z.input<typeof AttachEvaluationInput>;
export type AttachEvaluationParsed = z.output<typeof AttachEvaluationInput>;

/** The samples of one metric of one version on one set, in unit order. */
export interface EvaluationSeries {
  evalSet: string;
  metric: string;
  units: string[];
  values: number[];
}

/** A version's evaluation summary per set and metric: units, mean and sample standard deviation (null below 2). */
export interface EvaluationSummary {
  evalSet: string;
  metric: string;
  units: number;
  mean: number;
  sd: number | null;
}
