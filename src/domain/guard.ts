import { z } from 'zod';
import { RegistryId } from './registry-identity';
import { GuardPolicy, type GuardAction } from './guard-policy';
import { Actor, AuditNote, ModelName } from './names';
import { SemVer } from './semver';
import { IsoTimestamp } from './timestamp';

/** Where a guard is. Terminal: PASSED, ROLLED_BACK, ROLLBACK_REFUSED, REGRESSED (notify/retrain), STOPPED, SUPERSEDED. */
export const GuardStatus = {
  WATCHING: 'WATCHING',
  PAUSED: 'PAUSED',
  HOLDING: 'HOLDING',
  PASSED: 'PASSED',
  ROLLED_BACK: 'ROLLED_BACK',
  ROLLBACK_REFUSED: 'ROLLBACK_REFUSED',
  REGRESSED: 'REGRESSED',
  STOPPED: 'STOPPED',
  SUPERSEDED: 'SUPERSEDED',
} as const;
export type GuardStatus = (typeof GuardStatus)[keyof typeof GuardStatus];

/** pass: no metric regressed; fail: one did (the action runs); inconclusive: too little data to judge one. */
export type CheckOutcome = 'pass' | 'fail' | 'inconclusive';

/** The statistics of one metric at one check; null fields were not computable (too few observations). */
export interface MetricCheck {
  metric: string;
  check: 'relative' | 'slo';
  outcome: CheckOutcome;
  /** Why, in words: the comparison made, or what was missing. */
  reason: string;
  /** Observations of the candidate read (relative: since the guard started; slo: over the last interval). */
  candidateCount: number;
  candidateValue: number | null;
  /** Relative checks: the baseline's count and mean. */
  baselineCount: number | null;
  baselineValue: number | null;
  /** Relative: candidate − (1 ± tolerance)·baseline, signed so that > 0 is worse; slo: the statistic − bound. */
  estimate: number | null;
  /** Relative: candidate mean / baseline mean − 1. */
  relativeChange: number | null;
  /** Relative: always-valid (1 − α) interval of `estimate`. */
  ciLow: number | null;
  ciHigh: number | null;
  /** Relative: always-valid p-value (mSPRT) at this check. */
  pValue: number | null;
}

/** One check of a guard: its number, time (workflow time, ISO 8601), outcome over all metrics, and each metric. */
export interface GuardCheck {
  seq: number;
  at: string;
  outcome: CheckOutcome;
  /** The observation window read, ISO 8601. */
  from: string;
  to: string;
  /** True when no metric had any candidate observation in the last interval. */
  noData: boolean;
  metrics: MetricCheck[];
}

/** What a guard raised: a regression, a refused rollback, no data, unreadable observations, PASSED. */
export interface GuardAlert {
  seq: number;
  at: string;
  kind:
    'REGRESSION' | 'ROLLED_BACK' | 'ROLLBACK_REFUSED' | 'NO_DATA' | 'OBSERVATIONS_UNREADABLE' | 'RETRAIN' | 'PASSED';
  message: string;
  acknowledgedBy: string | null;
}

/** What a guard carries into its next run (continueAsNew) so the next run goes on where this one stopped. */
export const GuardCarry = z
  .object({
    guardId: z.string().min(1).max(300),
    // Timestamps, so that the workflow's date arithmetic on them cannot throw (a workflow-task failure, retried forever).
    startedAt: IsoTimestamp,
    baselineVersion: SemVer.nullable(),
    seq: z.number().int().min(0),
    lastDataAt: IsoTimestamp,
    consecutiveErrors: z.number().int().min(0),
    hold: z.enum(['NO_DATA', 'OBSERVATIONS_UNREADABLE']).nullable(),
    paused: z.boolean(),
    checks: z.array(z.unknown()).max(100),
    alerts: z.array(z.unknown()).max(100),
  })
  .strict();

/** Input of the guardModel workflow (plain JSON): the version to guard, its policy, who started it. */
export const GuardInput = z
  .object({
    model: ModelName,
    version: SemVer,
    policy: GuardPolicy,
    actor: Actor,
    /** Set by the guard itself on continueAsNew; never by a caller. */
    carry: GuardCarry.optional(),
    /** The registry this run belongs to (set by the client; see RegistryId). */
    registryId: RegistryId.optional(),
  })
  .strict();
export type GuardInput = z.input<typeof GuardInput>;
export type GuardParsed = z.output<typeof GuardInput>;

/** What the `state` query answers. */
export interface GuardState {
  guardId: string;
  model: string;
  version: string;
  baselineVersion: string | null;
  status: GuardStatus;
  action: GuardAction;
  startedAt: string;
  bakeEndsAt: string;
  /** Checks made so far (all runs), and the most recent ones, newest last (at most 20). */
  checkCount: number;
  checks: GuardCheck[];
  lastDataAt: string;
  consecutiveErrors: number;
  alerts: GuardAlert[];
  /** The rollback's workflow id once one ran, its error when it was refused. */
  rollbackWorkflowId: string | null;
  rollbackError: string | null;
  /** The retraining experiment of a `retrain` action. */
  retrainExperimentId: string | null;
}

/** Result of a guard that ended: its last state and why it ended. */
export interface GuardResult extends GuardState {
  reason: string;
}

/** Who asks a guard to pause, resume, stop or acknowledge, and why. */
export const GuardControl = z.object({ actor: Actor, reason: AuditNote.optional() }).strict();
export type GuardControl = z.infer<typeof GuardControl>;

/** True for a status the guard ends in. */
export function isTerminalGuardStatus(status: GuardStatus): boolean {
  return status !== 'WATCHING' && status !== 'PAUSED' && status !== 'HOLDING';
}

/** A guard as the store keeps it: identity, policy, status, and its result once ended. */
export interface GuardRecord {
  id: string;
  model: string;
  version: string;
  baselineVersion: string | null;
  policy: unknown;
  actor: string;
  status: GuardStatus;
  workflowId: string;
  startedAt: string;
  endedAt: string | null;
  result: GuardResult | null;
}

/** What the store needs to record a guard's start (it starts WATCHING). */
export type NewGuard = Omit<GuardRecord, 'status' | 'endedAt' | 'result'>;

/** A check or alert of a guard as stored: `detail` is the GuardCheck or GuardAlert. */
export interface GuardEventRecord {
  guardId: string;
  kind: 'check' | 'alert';
  seq: number;
  at: string;
  outcome: string;
  detail: GuardCheck | GuardAlert;
}

/** A model's default guard policy (`modelctl guard policy set`), used when a guard starts without one. */
export interface StoredGuardPolicy {
  model: string;
  policy: GuardPolicy;
  actor: string;
  updatedAt: string;
}

/** One attempt to deliver a guard's alert to a webhook: the HTTP status, or the error when nothing answered. */
export interface WebhookAttemptRecord {
  guardId: string;
  alertSeq: number;
  url: string;
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
}
