import { z } from 'zod';
import { RegistryId } from './registry-identity';
import { Actor, AuditNote, ModelName } from './names';
import { SemVer } from './semver';
import { TrafficSplit } from './traffic-split';
import { DurationMs } from './duration';
import type { AbTestAnalysis } from './ab-analysis';
import type { PromotionResult } from './promotion';
import type { ModelStatus } from './lifecycle';
import type { JsonObject } from './json';
import { GuardPolicy } from './guard-policy';

/** Status of an A/B test (docs/architecture.md, "Domain"). */
export const AbTestStatus = {
  SCHEDULED: 'SCHEDULED',
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  STOPPED: 'STOPPED',
  ABORTED: 'ABORTED',
} as const;
export type AbTestStatus = (typeof AbTestStatus)[keyof typeof AbTestStatus];

/** An A/B test id: also the assignment salt and the `abtest-<id>` workflow id suffix. */
export const AbTestId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, "must be 1-200 characters of letters, digits, '.', '_', '-'");

/** The metric an A/B test decides on: binary (0/1 conversion per unit) or continuous (e.g. reward, ROAS). */
export const AbTestMetric = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.enum(['binary', 'continuous'], { error: "must be 'binary' or 'continuous'" }),
    /** False for metrics where smaller wins (latency, error rate). */
    higherIsBetter: z.boolean().default(true),
  })
  .strict();
export type AbTestMetric = z.infer<typeof AbTestMetric>;

/**
 * Input of the abTest workflow (one JSON object).
 * `sequential` enables always-valid (mSPRT) p-values, which is what allows stopping early with a decision.
 */
export const AbTestFields = z
  .object({
    /** Defaults to the workflow id without its `abtest-` prefix (Schedules give each run its own id). */
    id: AbTestId.optional(),
    name: z.string().min(1).max(200).optional(),
    model: ModelName,
    control: SemVer,
    treatment: SemVer,
    // An arm without traffic makes no comparison; assignment alone (assign()) still accepts 10000/0.
    split: TrafficSplit.refine((s) => s.control > 0 && s.treatment > 0, {
      message: 'each arm needs traffic: control and treatment must each be at least 1 basis point',
    }).default({
      control: 5000,
      treatment: 5000,
    }),
    duration: DurationMs,
    metric: AbTestMetric.default({ name: 'conversion', kind: 'binary', higherIsBetter: true }),
    alpha: z.number().gt(0, 'must be in (0, 0.5]').max(0.5, 'must be in (0, 0.5]').default(0.05),
    minimumSampleSize: z.number().int().min(0).default(0),
    sequential: z.boolean().default(false),
    /** mSPRT tuning N* (total units); default the minimum sample size when set, else 5000. */
    sequentialTuning: z.number().int('must be a whole number of units').min(2).max(1e12).optional(),
    autoPromote: z.boolean().default(false),
    /**
     * The policy of the guard started on a winner that `autoPromote` promoted (default: the model's stored policy,
     * read when the winner is promoted; none stored, no guard). Its baseline version defaults to the control.
     */
    guard: GuardPolicy.optional(),
    actor: Actor.default('abtest'),
    /** The registry this run belongs to (set by the client; see RegistryId). */
    registryId: RegistryId.optional(),
  })
  .strict();

/** The control and the treatment of a test must differ. */
export const distinctArms: [
  (i: { control: string; treatment: string }) => boolean,
  { message: string; path: string[] },
] = [
  (i) => i.control !== i.treatment,
  { message: 'control and treatment must be different versions', path: ['treatment'] },
];

/** A guard policy without autoPromote would never guard anything: refused. */
export const guardNeedsAutoPromote: [
  (i: { guard?: unknown; autoPromote?: boolean }) => boolean,
  { message: string; path: string[] },
] = [
  (i) => i.guard === undefined || i.autoPromote === true,
  { message: 'a guard policy needs autoPromote: the guard watches the winner the test promotes', path: ['guard'] },
];

export const AbTestInput = AbTestFields.refine(...distinctArms).refine(...guardNeedsAutoPromote);
export type AbTestInput = z.input<typeof AbTestInput>;
export type AbTestParsed = z.output<typeof AbTestInput>;

/** Payload of the abTest `stop` and `abort` updates. */
export const AbTestControl = z.object({ actor: Actor, reason: AuditNote.optional() }).strict();
export type AbTestControl = z.infer<typeof AbTestControl>;

/** What the `state` query of a running abTest returns. */
export interface AbTestState {
  id: string;
  status: AbTestStatus;
  startedAt: string | null;
  endsAt: string | null;
  stopRequestedBy: string | null;
  abortRequestedBy: string | null;
}

/** Per-arm sufficient statistics of one metric, as the store aggregates them: units, sum of values, sum of squares. */
export interface ArmAggregate {
  units: number;
  sum: number;
  sumSquares: number;
}

/** The analysis of an A/B test as stored in its result: the statistics module's output plus the counts it read. */
export interface AbTestVerdict {
  decision: 'treatment' | 'control' | 'inconclusive';
  reason: string;
  /** The winning version, null when inconclusive. */
  winner: string | null;
  pValue: number | null;
  units: { control: number; treatment: number };
  /** The full output of the statistics module (status, test, effects with confidence intervals, SRM, power). */
  analysis: AbTestAnalysis;
}

/** The guard an A/B test started on its promoted winner: its workflow, the version it watches, its baseline. */
export interface AbTestGuardStart {
  workflowId: string;
  version: string;
  baselineVersion: string;
  /** `input`: the test's own `guard` policy; `default`: the model's stored default policy. */
  policySource: 'input' | 'default';
}

/** What an abTest run returns and stores as the test's result. */
export interface AbTestResult {
  id: string;
  status: AbTestStatus;
  model: string;
  control: string;
  treatment: string;
  decision: AbTestVerdict['decision'] | null;
  winner: string | null;
  reason: string;
  analysis: AbTestVerdict | null;
  startedAt: string;
  endedAt: string;
  endedBy: string | null;
  promotion: PromotionResult | null;
  promotionError: string | null;
  /**
   * The guard started on the promoted winner (workflow id `guard-<model>`, baseline the control), null when none
   * was; absent in results of tests that ended before guards followed promotions.
   */
  guard?: AbTestGuardStart | null;
  /** Why the guard could not be started (for example another guard of the model still running), else null. */
  guardError?: string | null;
  /** Best-effort side effects (W&B) that failed after their retries; the decision stands. Filled after the result is stored. */
  warnings: string[];
}

/**
 * Why a version cannot be an arm of an A/B test (it must have passed validation: not FAILED, not TRAINING),
 * or null when it can.
 */
export function abTestArmRefusal(v: { model: string; version: string; status: ModelStatus }): string | null {
  return v.status === 'FAILED' || v.status === 'TRAINING'
    ? `cannot A/B test ${v.model}@${v.version}: it is ${v.status} (it must have passed validation)`
    : null;
}

/**
 * Why the winning treatment of a test may not be auto-promoted over `production` (null: may be). It replaces only
 * the control the treatment was measured against, or nothing (no production); production already the treatment is
 * left to the promotion (ALREADY_IN_PRODUCTION). `productionAtStart` words the line: "no longer" when the control
 * was production when the test started.
 */
export function abTestPromotionRefusal(t: {
  control: string;
  treatment: string;
  production: string | null;
  productionAtStart: string | null;
}): string | null {
  if (t.production === null || t.production === t.control || t.production === t.treatment) return null;
  const was = t.productionAtStart === t.control ? 'no longer' : 'not';
  return `not promoted because production is ${t.production}, ${was} the control ${t.control}`;
}

/**
 * The planned end of a test started at `startedAt` (ISO) that runs `durationMs`: the end of the window its analysis
 * reads, by outcome time, however late its workflow gets there. Null before the test has started.
 */
export function abTestPlannedEnd(startedAt: string | null, durationMs: number): string | null {
  return startedAt === null ? null : new Date(Date.parse(startedAt) + durationMs).toISOString();
}

/** An A/B test as the registry records it: arms, split, assignment salt, status and result. */
export interface AbTestRecord {
  id: string;
  name: string;
  model: string;
  control: string;
  treatment: string;
  split: TrafficSplit;
  /** Salt of the assignment hash: the test id unless given. */
  salt: string;
  definition: JsonObject;
  status: AbTestStatus;
  result: AbTestResult | null;
  workflowId: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}
