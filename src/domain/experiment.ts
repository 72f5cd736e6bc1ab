import { z } from 'zod';

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
export const ExperimentStatusSchema = z.enum(Object.values(ExperimentStatus) as [ExperimentStatus, ...ExperimentStatus[]], {
  error: `must be one of ${Object.values(ExperimentStatus).join(', ')}`,
});

/** One point of a metric series: key, value, step (integer ≥ 0) and time (UTC ISO 8601). */
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: string;
}
