import { z } from 'zod';
import { ErrorCode, ModelctlError } from './errors';
import { JsonObject, MetricMap } from './json';
import { IsoTimestamp } from './timestamp';

export const ExperimentType = {
  TRAINING: 'TRAINING',
  AB_TEST: 'AB_TEST',
  VALIDATION: 'VALIDATION',
  BENCHMARK: 'BENCHMARK',
  HYPERPARAMETER_SWEEP: 'HYPERPARAMETER_SWEEP',
} as const;
export type ExperimentType = (typeof ExperimentType)[keyof typeof ExperimentType];
export const ExperimentTypeSchema = z.enum(Object.values(ExperimentType) as [ExperimentType, ...ExperimentType[]], {
  error: `must be one of ${Object.values(ExperimentType).join(', ')}`,
});

export const ExperimentStatus = {
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type ExperimentStatus = (typeof ExperimentStatus)[keyof typeof ExperimentStatus];
export const ExperimentStatusSchema = z.enum(
  Object.values(ExperimentStatus) as [ExperimentStatus, ...ExperimentStatus[]],
  {
    error: `must be one of ${Object.values(ExperimentStatus).join(', ')}`,
  },
);

/** One point of a metric series: key, value, step (integer ≥ 0) and time (UTC ISO 8601). */
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: string;
}

/** Experiment ids are chosen by the store (UUID) unless given; external ids (W&B run ids) are kept apart. */
export const ExperimentId = z.string().trim().min(1, 'must not be empty').max(200);

/** A metric name, e.g. `loss` or `val/accuracy`. */
export const MetricKey = z.string().trim().min(1, 'must not be empty').max(200);

/** A tag of an experiment: non-empty, at most 100 characters. */
export const Tag = z.string().trim().min(1, 'must not be empty').max(100);

/**
 * One metric point as logged: `step` is an integer ≥ 0 (training step or epoch), `timestamp` defaults to the time of
 * logging. Non-finite values (NaN, ±Infinity) are rejected, with the key and step named, by {@link assertFiniteMetricPoints}:
 * JSON, the W&B API and SQLite cannot all carry them, and a silent null would be a lie.
 */
export const MetricPointInput = z
  .object({
    key: MetricKey,
    value: z.number({ error: 'expected a finite number' }),
    step: z.number().int('must be an integer').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER),
    timestamp: z.string().optional(),
  })
  .strict();
export type MetricPointInput = z.input<typeof MetricPointInput>;

/**
 * Rejects a batch that holds a non-finite value, naming the first offending point, before any point is written.
 * @throws ModelctlError INVALID_INPUT `metric "loss" at step 12 is NaN: non-finite values are rejected; nothing from this batch was stored`
 */
export function assertFiniteMetricPoints(points: readonly unknown[]): void {
  points.forEach((p, index) => {
    if (typeof p !== 'object' || p === null) return;
    const { key, value, step } = p as { key?: unknown; value?: unknown; step?: unknown };
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `metric ${JSON.stringify(key)} at step ${String(step)} is ${String(value)}: non-finite values are rejected; nothing from this batch was stored`,
        { index, key, step, value: String(value) },
      );
    }
  });
}

/** Input of trackExperiment / RegistryStore.createExperiment. */
export const CreateExperimentInput = z
  .object({
    id: ExperimentId.optional(),
    name: z.string().trim().min(1, 'must not be empty').max(200),
    type: ExperimentTypeSchema,
    config: JsonObject.default({}),
    description: z.string().max(10_000).optional(),
    tags: z.array(Tag).default([]),
    /** Ids of the same run in other systems, e.g. `{ wandb: 'abc123' }`. */
    externalIds: z.record(z.string().min(1), z.string().min(1)).default({}),
    startedAt: IsoTimestamp.optional(),
  })
  .strict();
export type CreateExperimentInput = z.input<typeof CreateExperimentInput>;

/**
 * Input of updateExperiment. `config`, `tags` and `description` replace; `externalIds` and `summary` merge by key;
 * `addWarnings` appends. Setting a terminal status ends the experiment at `endedAt` (default now).
 */
export const UpdateExperimentInput = z
  .object({
    config: JsonObject.optional(),
    tags: z.array(Tag).optional(),
    description: z.string().max(10_000).nullable().optional(),
    status: ExperimentStatusSchema.optional(),
    endedAt: IsoTimestamp.optional(),
    externalIds: z.record(z.string().min(1), z.string().min(1)).optional(),
    summary: MetricMap.optional(),
    addWarnings: z.array(z.string().min(1).max(2_000)).optional(),
  })
  .strict();
export type UpdateExperimentInput = z.input<typeof UpdateExperimentInput>;

/** A tracked experiment as the registry holds it: identity, lifecycle, config, summary metrics and links. */
export interface Experiment {
  id: string;
  name: string;
  type: ExperimentType;
  status: ExperimentStatus;
  description: string | null;
  config: JsonObject;
  tags: string[];
  summary: Record<string, number>;
  startedAt: string;
  endedAt: string | null;
  /** Seconds between start and end; null while running. */
  durationSeconds: number | null;
  externalIds: Record<string, string>;
  linkedVersions: { model: string; version: string }[];
  warnings: string[];
}
