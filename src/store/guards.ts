import type { Selectable } from 'kysely';
import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import {
  GuardStatus,
  type GuardEventRecord,
  type GuardRecord,
  type GuardResult,
  type StoredGuardPolicy,
  type WebhookAttemptRecord,
} from '../domain/guard';
import { GuardPolicy } from '../domain/guard-policy';
import { Actor, ModelName } from '../domain/names';
import { SemVer } from '../domain/semver';
import { IsoTimestamp } from '../domain/timestamp';
import { JsonValue } from '../domain/json';
import { parseArg } from './inputs';
import { iso, isoOrNull, parseJson } from './rows';
import type { GuardsTable } from './schema';
import { inTransaction, type StoreContext } from './transaction';

const GuardId = z.string().trim().min(1).max(300);
const GuardStatusSchema = z.enum(Object.values(GuardStatus) as [GuardStatus, ...GuardStatus[]], {
  error: `must be one of ${Object.values(GuardStatus).join(', ')}`,
});

export const NewGuardSchema = z
  .object({
    id: GuardId,
    model: ModelName,
    version: SemVer,
    baselineVersion: SemVer.nullable(),
    policy: JsonValue,
    actor: Actor,
    workflowId: z.string().min(1).max(1000),
    startedAt: IsoTimestamp,
  })
  .strict();

export const GuardEventSchema = z
  .object({
    guardId: GuardId,
    kind: z.enum(['check', 'alert'], { error: 'must be one of check, alert' }),
    seq: z.number().int().min(0),
    at: IsoTimestamp,
    outcome: z.string().min(1).max(100),
    detail: JsonValue,
  })
  .strict();

export const FinishGuardSchema = z
  .object({ id: GuardId, status: GuardStatusSchema, endedAt: IsoTimestamp.nullable(), result: JsonValue.nullable() })
  .strict();

function toGuard(row: Selectable<GuardsTable>): GuardRecord {
  return {
    id: row.id,
    model: row.model,
    version: row.version,
    baselineVersion: row.baseline_version,
    policy: parseJson(row.policy),
    actor: row.actor,
    status: row.status as GuardStatus,
    workflowId: row.workflow_id,
    startedAt: iso(row.started_at),
    endedAt: isoOrNull(row.ended_at),
    result: row.result === null ? null : parseJson<GuardResult>(row.result),
  };
}

/** See RegistryStore.createGuard: inserts once per id (a retried start returns the first record). */
export async function createGuard(ctx: StoreContext, raw: unknown): Promise<GuardRecord> {
  const g = parseInput(NewGuardSchema, raw, 'guard');
  return inTransaction(ctx, async (trx) => {
    await trx
      .insertInto('guards')
      .values({
        id: g.id,
        model: g.model,
        version: g.version,
        baseline_version: g.baselineVersion,
        policy: JSON.stringify(g.policy),
        actor: g.actor,
        status: GuardStatus.WATCHING,
        workflow_id: g.workflowId,
        started_at: g.startedAt,
        ended_at: null,
        result: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return toGuard(await trx.selectFrom('guards').selectAll().where('id', '=', g.id).executeTakeFirstOrThrow());
  });
}

/** See RegistryStore.updateGuard. @throws NOT_FOUND */
export async function updateGuard(ctx: StoreContext, raw: unknown): Promise<GuardRecord> {
  const u = parseInput(FinishGuardSchema, raw, 'guard update');
  return inTransaction(ctx, async (trx) => {
    const r = await trx
      .updateTable('guards')
      .set({ status: u.status, ended_at: u.endedAt, result: u.result === null ? null : JSON.stringify(u.result) })
      .where('id', '=', u.id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `guard ${u.id} does not exist`, { guardId: u.id });
    return toGuard(await trx.selectFrom('guards').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow());
  });
}

/** See RegistryStore.recordGuardEvent: (guard, kind, seq) is written once; a retry changes nothing. @throws NOT_FOUND */
export async function recordGuardEvent(ctx: StoreContext, raw: unknown): Promise<void> {
  const e = parseInput(GuardEventSchema, raw, 'guard event');
  // An unknown guard would fail the foreign key with a driver error that activities retry; no retry can create it
  // (a guardModel input whose carried guardId this registry never started).
  const guard = await ctx.db.selectFrom('guards').select('id').where('id', '=', e.guardId).executeTakeFirst();
  if (guard === undefined)
    throw new ModelctlError(ErrorCode.NOT_FOUND, `guard ${e.guardId} does not exist`, { guardId: e.guardId });
  await ctx.db
    .insertInto('guard_events')
    .values({
      guard_id: e.guardId,
      kind: e.kind,
      seq: e.seq,
      at: e.at,
      outcome: e.outcome,
      detail: JSON.stringify(e.detail),
    })
    .onConflict((oc) => oc.columns(['guard_id', 'kind', 'seq']).doNothing())
    .execute();
}

export async function getGuard(ctx: StoreContext, rawId: string): Promise<GuardRecord | null> {
  const id = parseArg('guardId', GuardId, rawId, 'guard reference');
  const row = await ctx.db.selectFrom('guards').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toGuard(row);
}

/** Guards of a model (all models when omitted), oldest first. */
export async function listGuards(ctx: StoreContext, model?: string): Promise<GuardRecord[]> {
  let query = ctx.db.selectFrom('guards').selectAll();
  if (model !== undefined) query = query.where('model', '=', parseArg('model', ModelName, model, 'model reference'));
  return (await query.orderBy('started_at').orderBy('id').execute()).map(toGuard);
}

/** Checks and alerts of a guard, in time order (checks before alerts of the same time). */
export async function guardEvents(ctx: StoreContext, rawId: string): Promise<GuardEventRecord[]> {
  const id = parseArg('guardId', GuardId, rawId, 'guard reference');
  const rows = await ctx.db
    .selectFrom('guard_events')
    .selectAll()
    .where('guard_id', '=', id)
    .orderBy('at')
    .orderBy('kind', 'desc')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    guardId: r.guard_id,
    kind: r.kind as 'check' | 'alert',
    seq: Number(r.seq),
    at: iso(r.at),
    outcome: r.outcome,
    detail: parseJson(r.detail),
  }));
}

/** See RegistryStore.setGuardPolicy: the policy is validated whole first. @throws INVALID_INPUT */
export async function setGuardPolicy(
  ctx: StoreContext,
  raw: { model: string; policy: unknown; actor: string },
): Promise<StoredGuardPolicy> {
  const input = parseInput(
    z.object({ model: ModelName, policy: z.unknown(), actor: Actor }).strict(),
    raw,
    'guard policy',
  );
  parseInput(GuardPolicy, input.policy, 'guard policy');
  const row = {
    model: input.model,
    policy: JSON.stringify(input.policy),
    actor: input.actor,
    updated_at: ctx.now().toISOString(),
  };
  await ctx.db
    .insertInto('guard_policies')
    .values(row)
    .onConflict((oc) =>
      oc.column('model').doUpdateSet({ policy: row.policy, actor: row.actor, updated_at: row.updated_at }),
    )
    .execute();
  return {
    model: row.model,
    policy: input.policy as StoredGuardPolicy['policy'],
    actor: row.actor,
    updatedAt: row.updated_at,
  };
}

/** The model's default guard policy, or null. */
export async function getGuardPolicy(ctx: StoreContext, model: string): Promise<StoredGuardPolicy | null> {
  const name = parseArg('model', ModelName, model, 'model reference');
  const row = await ctx.db.selectFrom('guard_policies').selectAll().where('model', '=', name).executeTakeFirst();
  return row === undefined
    ? null
    : { model: row.model, policy: parseJson(row.policy), actor: row.actor, updatedAt: iso(row.updated_at) };
}

export const WebhookAttemptSchema = z
  .object({
    guardId: GuardId,
    alertSeq: z.number().int().min(1),
    url: z.string().min(1).max(2000),
    attempt: z.number().int().min(1),
    at: IsoTimestamp,
    statusCode: z.number().int().min(100).max(599).nullable(),
    error: z.string().max(2000).nullable(),
  })
  .strict();

/** See RegistryStore.recordWebhookAttempt: one row per (guard, alert, url, attempt); a repeat changes nothing. */
export async function recordWebhookAttempt(ctx: StoreContext, raw: unknown): Promise<void> {
  const a = parseInput(WebhookAttemptSchema, raw, 'webhook attempt');
  await ctx.db
    .insertInto('guard_webhook_attempts')
    .values({
      guard_id: a.guardId,
      alert_seq: a.alertSeq,
      url: a.url,
      attempt: a.attempt,
      at: a.at,
      status_code: a.statusCode,
      error: a.error,
    })
    .onConflict((oc) => oc.columns(['guard_id', 'alert_seq', 'url', 'attempt']).doNothing())
    .execute();
}

/** Every delivery attempt of a guard's alerts, by alert, url and attempt. */
export async function webhookAttempts(ctx: StoreContext, rawId: string): Promise<WebhookAttemptRecord[]> {
  const id = parseArg('guardId', GuardId, rawId, 'guard reference');
  const rows = await ctx.db
    .selectFrom('guard_webhook_attempts')
    .selectAll()
    .where('guard_id', '=', id)
    .orderBy('alert_seq')
    .orderBy('url')
    .orderBy('attempt')
    .execute();
  return rows.map((r) => ({
    guardId: r.guard_id,
    alertSeq: Number(r.alert_seq),
    url: r.url,
    attempt: Number(r.attempt),
    at: iso(r.at),
    statusCode: r.status_code === null ? null : Number(r.status_code),
    error: r.error,
  }));
}
