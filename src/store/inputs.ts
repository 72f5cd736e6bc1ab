import { z } from 'zod';
import { parseInput } from '../domain/errors';
import { Actor, ModelName } from '../domain/names';
import { SemVer, VersionBump } from '../domain/semver';
import { JsonObject, JsonValue, MetricMap } from '../domain/json';
import { InitialStatus, MODEL_STATUSES, type ModelStatus } from '../domain/lifecycle';
import { Sha256, type ArtifactRef, type GitInfo } from '../domain/model-version';
import { ExperimentId, MetricKey } from '../domain/experiment';
import { TrafficSplit } from '../domain/traffic-split';
import { AbTestStatus } from '../domain/ab-test';
import { IsoTimestamp } from '../domain/timestamp';

/** The zod schemas every RegistryStore method parses its arguments with. */

const IdempotencyKey = z.string().min(1).max(500);
const Reason = z.string().max(10_000).nullable();
const WorkflowId = z.string().min(1).max(1_000).nullable();

export const ArtifactRefSchema = z
  .object({ uri: z.string().min(1), sha256: Sha256, sizeBytes: z.number().int().min(0), mediaType: z.string().min(1) })
  .strict() satisfies z.ZodType<ArtifactRef>;

export const GitInfoSchema = z
  .object({
    commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full hex commit id'),
    branch: z.string().nullable(),
    dirty: z.boolean(),
    diffSha256: Sha256.nullable(),
    detached: z.boolean(),
    remote: z.string().nullable(),
  })
  .strict() satisfies z.ZodType<GitInfo>;

export const NewVersionSchema = z
  .object({
    model: ModelName,
    version: SemVer.optional(),
    bump: VersionBump.default('patch'),
    parentVersion: SemVer.nullable().default(null),
    status: InitialStatus.default('VALIDATION'),
    artifact: ArtifactRefSchema,
    config: JsonObject.default({}),
    metrics: MetricMap.default({}),
    experimentId: ExperimentId.nullable().default(null),
    git: GitInfoSchema.nullable(),
    gitReason: z.string().nullable(),
    author: Actor,
    description: z.string().max(10_000).nullable().default(null),
    idempotencyKey: IdempotencyKey.optional(),
  })
  .strict();

const ModelStatusSchema = z.enum(MODEL_STATUSES as [ModelStatus, ...ModelStatus[]], {
  error: `must be one of ${MODEL_STATUSES.join(', ')}`,
});

export const TransitionSchema = z
  .object({
    model: ModelName,
    version: SemVer,
    to: ModelStatusSchema,
    actor: Actor,
    reason: Reason.default(null),
    workflowId: WorkflowId.default(null),
    idempotencyKey: IdempotencyKey.optional(),
  })
  .strict();

export const SwapSchema = z
  .object({
    model: ModelName,
    version: SemVer,
    via: z.enum(['PROMOTION', 'ROLLBACK'], { error: 'must be one of PROMOTION, ROLLBACK' }),
    actor: Actor,
    reason: Reason.default(null),
    workflowId: WorkflowId.default(null),
    idempotencyKey: IdempotencyKey.optional(),
    expectedProduction: SemVer.nullable().optional(),
    approval: z
      .object({ approver: Actor, comment: z.string().max(2000).nullable() })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();

export const ModelArg = ModelName;
export const VersionArgs = z.object({ model: ModelName, version: SemVer }).strict();
export const AtArg = IsoTimestamp;

export const MetricHistorySchema = z
  .object({
    experimentId: ExperimentId,
    key: MetricKey,
    /** Opaque cursor from the previous page's `nextCursor`. */
    after: z.string().min(1).optional(),
    limit: z.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();

export const DownsampleSchema = z
  .object({
    experimentId: ExperimentId,
    key: MetricKey,
    maxPoints: z
      .number()
      .int('must be an integer')
      .min(2, 'must be at least 2 (the first and last points are always kept)')
      .max(100_000),
    /** Only points with stepFrom <= step <= stepTo (either bound optional): a chart's zoomed window. */
    stepFrom: z.number().int('must be an integer').min(0).optional(),
    stepTo: z.number().int('must be an integer').min(0).optional(),
  })
  .strict()
  .refine((q) => q.stepFrom === undefined || q.stepTo === undefined || q.stepFrom <= q.stepTo, {
    message: 'must not be above stepTo',
    path: ['stepFrom'],
  });

export const NewAbTestSchema = z
  .object({
    id: z.string().trim().min(1).max(200),
    name: z.string().trim().min(1).max(200),
    model: ModelName,
    control: SemVer,
    treatment: SemVer,
    split: TrafficSplit,
    salt: z.string().min(1).max(200).optional(),
    definition: JsonObject.default({}),
    workflowId: z.string().min(1).optional(),
  })
  .strict();

const AbTestStatusSchema = z.enum(Object.values(AbTestStatus) as [AbTestStatus, ...AbTestStatus[]], {
  error: `must be one of ${Object.values(AbTestStatus).join(', ')}`,
});

export const AbTestPatchSchema = z
  .object({
    status: AbTestStatusSchema.optional(),
    result: JsonValue.nullable().optional(),
    startedAt: IsoTimestamp.nullable().optional(),
    endedAt: IsoTimestamp.nullable().optional(),
    workflowId: z.string().min(1).nullable().optional(),
  })
  .strict();

const OutcomeRowSchema = z
  .object({
    unitId: z.string().min(1).max(500),
    arm: z.enum(['control', 'treatment'], { error: 'must be one of control, treatment' }),
    value: z.number({ error: 'expected a finite number' }),
  })
  .strict();
export const OutcomesSchema = z.array(OutcomeRowSchema);
export type OutcomeRow = z.output<typeof OutcomeRowSchema>;

/**
 * True for a row OutcomeRowSchema accepts unchanged: a plain object with exactly `unitId` (1–500 characters), `arm`
 * (control or treatment) and a finite `value`. The schema's output of such a row is a copy equal to it, so a batch of
 * them is taken as it is; any other row goes through the schema, which names what is wrong.
 */
function isOutcomeRow(row: unknown): row is OutcomeRow {
  if (typeof row !== 'object' || row === null || Object.getPrototypeOf(row) !== Object.prototype) return false;
  let keys = 0;
  for (const key in row) {
    if (key !== 'unitId' && key !== 'arm' && key !== 'value') return false;
    keys++;
  }
  const r = row as Record<string, unknown>;
  return (
    keys === 3 &&
    typeof r.unitId === 'string' &&
    r.unitId.length >= 1 &&
    r.unitId.length <= 500 &&
    (r.arm === 'control' || r.arm === 'treatment') &&
    typeof r.value === 'number' &&
    Number.isFinite(r.value)
  );
}

/**
 * The outcome rows of `raw` (see OutcomesSchema): the array itself when every row is already of the exact shape (an
 * ingestion batch of 1,000 is checked in microseconds instead of copied by the object parser), otherwise the schema's
 * parse. @throws ModelctlError INVALID_INPUT `invalid outcomes: <index>.<field>: …`
 */
export function parseOutcomeRows(raw: unknown): OutcomeRow[] {
  if (Array.isArray(raw) && raw.every(isOutcomeRow)) return raw;
  return parseInput(OutcomesSchema, raw, 'outcomes');
}

/**
 * Parses one named argument so the error names it like a field: `invalid time query: at: must be an ISO 8601 …`.
 */
export function parseArg<S extends z.ZodType>(field: string, schema: S, value: unknown, what: string): z.output<S> {
  return parseInput(wrapped(field, schema), { [field]: value }, what)[field] as z.output<S>;
}

// The one-field objects of parseArg, built once per (schema, field): a zod object compiles its fast path on first
// use, which on every store call cost more than the parse itself.
const wrappers = new WeakMap<z.ZodType, Map<string, z.ZodType>>();
function wrapped(field: string, schema: z.ZodType): z.ZodType<Record<string, unknown>> {
  let byField = wrappers.get(schema);
  if (byField === undefined) wrappers.set(schema, (byField = new Map()));
  let object = byField.get(field);
  if (object === undefined) byField.set(field, (object = z.object({ [field]: schema })));
  return object as z.ZodType<Record<string, unknown>>;
}
