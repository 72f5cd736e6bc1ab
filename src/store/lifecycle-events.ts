import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { assertTransition, type ModelStatus, type TransitionVia } from '../domain/lifecycle';
import type { LifecycleApproval, LifecycleEvent, ModelVersion } from '../domain/model-version';
import { AtArg, ModelArg, SwapSchema, TransitionSchema, VersionArgs, parseArg } from './inputs';
import type { SwapRequest, SwapResult, TransitionRequest } from './registry-store';
import { toLifecycleEvent, toModelVersion } from './rows';
import { idempotent, inTransaction, lockModel, type StoreContext, type Tx } from './transaction';
import { requireVersion, subject } from './version-rows';

type NewEvent = Omit<LifecycleEvent, 'id'>;

export async function appendEvent(trx: Tx, event: NewEvent): Promise<LifecycleEvent> {
  const row = await trx
    .insertInto('lifecycle_events')
    .values({
      model: event.model,
      version: event.version,
      from_status: event.fromStatus,
      to_status: event.toStatus,
      via: event.via,
      actor: event.actor,
      reason: event.reason,
      workflow_id: event.workflowId,
      approver: event.approval?.approver ?? null,
      approval_comment: event.approval?.comment ?? null,
      at: event.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toLifecycleEvent(row);
}

interface Move {
  version: ModelVersion;
  to: ModelStatus;
  /** How the change happened, as the event records it. */
  via: TransitionVia;
  /** How the lifecycle table reaches `to` when that differs from `via`: a swap deprecates its old version DIRECT. */
  checkedAs?: TransitionVia;
  actor: string;
  reason: string | null;
  workflowId: string | null;
  approval?: LifecycleApproval | null;
  at: string;
}

/** The one writer of a status: checks the lifecycle table, updates the row and its timestamps, appends the event. */
async function move(trx: Tx, m: Move): Promise<LifecycleEvent> {
  const { model, version, status: from } = m.version;
  assertTransition(subject(model, version), from, m.to, m.checkedAs ?? m.via);
  await trx
    .updateTable('model_versions')
    .set({
      status: m.to,
      updated_at: m.at,
      ...(m.to === 'PRODUCTION' ? { promoted_at: m.at, deprecated_at: null } : {}),
      ...(m.to === 'DEPRECATED' ? { deprecated_at: m.at } : {}),
    })
    .where('model', '=', model)
    .where('version', '=', version)
    .execute();
  return appendEvent(trx, {
    model,
    version,
    fromStatus: from,
    toStatus: m.to,
    via: m.via,
    actor: m.actor,
    reason: m.reason,
    workflowId: m.workflowId,
    approval: m.approval ?? null,
    at: m.at,
  });
}

/** See RegistryStore.transition. */
export async function transition(ctx: StoreContext, raw: TransitionRequest): Promise<LifecycleEvent> {
  const req = parseInput(TransitionSchema, raw, 'transition request');
  return inTransaction(ctx, async (trx) => {
    await lockModel(ctx, trx, req.model);
    return idempotent(ctx, trx, req.idempotencyKey, 'transition', async () => {
      const version = await requireVersion(trx, req.model, req.version);
      return move(trx, {
        version,
        to: req.to,
        via: 'DIRECT',
        actor: req.actor,
        reason: req.reason,
        workflowId: req.workflowId,
        at: ctx.now().toISOString(),
      });
    });
  });
}

async function currentProduction(trx: Tx, model: string): Promise<ModelVersion | null> {
  const row = await trx
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', model)
    .where('status', '=', 'PRODUCTION')
    .executeTakeFirst();
  return row === undefined ? null : toModelVersion(row);
}

/** See RegistryStore.swapProduction. */
export async function swapProduction(ctx: StoreContext, raw: SwapRequest): Promise<SwapResult> {
  const req = parseInput(SwapSchema, raw, 'production swap request');
  return inTransaction(ctx, async (trx) => {
    await lockModel(ctx, trx, req.model);
    return idempotent(ctx, trx, req.idempotencyKey, 'swapProduction', async () => {
      const candidate = await requireVersion(trx, req.model, req.version);
      // Checked before anything moves so an illegal candidate leaves the current production untouched.
      assertTransition(subject(req.model, req.version), candidate.status, 'PRODUCTION', req.via);
      const old = await currentProduction(trx, req.model);
      if (req.expectedProduction !== undefined && (old?.version ?? null) !== req.expectedProduction) {
        throw await productionMoved(trx, req, old?.version ?? null);
      }
      const at = ctx.now().toISOString();
      const common = {
        actor: req.actor,
        reason: req.reason,
        workflowId: req.workflowId,
        approval: req.approval ?? null,
        at,
      };
      const events: LifecycleEvent[] = [];
      // The old version leaves PRODUCTION first: the partial unique index admits one production row at a time.
      // The replaced version's event says what replaced it and how (promotion or rollback), so its own timeline
      // reads right on its own; the lifecycle table knows PRODUCTION → DEPRECATED as a DIRECT step.
      const replaced = { ...common, reason: `replaced by ${req.version}${req.reason ? `: ${req.reason}` : ''}` };
      if (old !== null)
        events.push(
          await move(trx, { ...replaced, version: old, to: 'DEPRECATED', via: req.via, checkedAs: 'DIRECT' }),
        );
      events.push(await move(trx, { ...common, version: candidate, to: 'PRODUCTION', via: req.via }));
      return { model: req.model, version: req.version, previousVersion: old?.version ?? null, events };
    });
  });
}

/** The CONFLICT of a compare-and-swap that lost: names what production is now and the workflow that put it there. */
async function productionMoved(trx: Tx, req: SwapRequest, found: string | null): Promise<ModelctlError> {
  const entry = await trx
    .selectFrom('lifecycle_events')
    .select(['version', 'workflow_id', 'from_status'])
    .where('model', '=', req.model)
    .where((eb) => eb.or([eb('to_status', '=', 'PRODUCTION'), eb('from_status', '=', 'PRODUCTION')]))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const by = entry?.workflow_id ? ` by workflow ${entry.workflow_id}` : '';
  const expected = req.expectedProduction ?? 'none';
  const who = req.workflowId ? `workflow ${req.workflowId}` : 'this change';
  return new ModelctlError(
    ErrorCode.CONFLICT,
    `${req.model}@${req.version} not put in production: production of ${req.model} changed to ${found ?? 'none'}${by} while ${who} ran (it expected ${expected}); nothing changed, start it again to decide against the new production`,
    {
      model: req.model,
      expectedProduction: req.expectedProduction,
      production: found,
      workflowId: entry?.workflow_id ?? null,
    },
  );
}

export async function productionVersion(ctx: StoreContext, model: string): Promise<ModelVersion | null> {
  return currentProduction(ctx.db, parseArg('model', ModelArg, model, 'model reference'));
}

/** See RegistryStore.productionAt. */
export async function productionAt(ctx: StoreContext, model: string, at: string): Promise<string | null> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  const when = parseArg('at', AtArg, at, 'time query');
  // The latest event at or before T that moved a version into or out of PRODUCTION decides; ids break ties
  // within a swap, where the old version's exit is written before the new version's entry.
  const last = await ctx.db
    .selectFrom('lifecycle_events')
    .select(['version', 'to_status'])
    .where('model', '=', name)
    .where('at', '<=', when)
    .where((eb) => eb.or([eb('to_status', '=', 'PRODUCTION'), eb('from_status', '=', 'PRODUCTION')]))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last !== undefined && last.to_status === 'PRODUCTION' ? last.version : null;
}

/** The previous production version as seen inside a transaction (deleteVersion uses it under the model lock). */
export async function previousProductionIn(trx: Tx, model: string): Promise<string | null> {
  const current = (await currentProduction(trx, model))?.version ?? null;
  const entries = await trx
    .selectFrom('lifecycle_events as e')
    .innerJoin('model_versions as v', (j) => j.onRef('v.model', '=', 'e.model').onRef('v.version', '=', 'e.version'))
    .select('e.version')
    .where('e.model', '=', model)
    .where('e.to_status', '=', 'PRODUCTION')
    .orderBy('e.at', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
  return entries.find((e) => e.version !== current)?.version ?? null;
}

export async function previousProductionVersion(ctx: StoreContext, model: string): Promise<string | null> {
  return previousProductionIn(ctx.db, parseArg('model', ModelArg, model, 'model reference'));
}

export async function listEvents(ctx: StoreContext, model: string, version?: string): Promise<LifecycleEvent[]> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  let query = ctx.db.selectFrom('lifecycle_events').selectAll().where('model', '=', name);
  if (version !== undefined)
    query = query.where('version', '=', parseInput(VersionArgs, { model: name, version }, 'version reference').version);
  const rows = await query.orderBy('at').orderBy('id').execute();
  return rows.map(toLifecycleEvent);
}

/** See RegistryStore.eventsPage: keyset on (at, id), the order of listEvents, seeking the (model, at, id) index. */
export async function eventsPage(
  ctx: StoreContext,
  model: string,
  page: { afterId?: number; limit: number },
): Promise<{ items: LifecycleEvent[]; more: boolean }> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  let query = ctx.db.selectFrom('lifecycle_events').selectAll().where('model', '=', name);
  if (page.afterId !== undefined) {
    const after = await ctx.db
      .selectFrom('lifecycle_events')
      .select(['at', 'id'])
      .where('model', '=', name)
      .where('id', '=', page.afterId)
      .executeTakeFirst();
    if (after === undefined) return { items: [], more: false };
    query = query.where((eb) => eb(eb.refTuple('at', 'id'), '>', eb.tuple(after.at, after.id)));
  }
  // One row more than asked tells whether another page exists without a count query.
  const rows = await query
    .orderBy('at')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return { items: rows.slice(0, page.limit).map(toLifecycleEvent), more: rows.length > page.limit };
}

/** See RegistryStore.productionMoves. */
export async function productionMoves(
  ctx: StoreContext,
  model: string,
  recent: number,
): Promise<{ events: LifecycleEvent[]; entries: number }> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  const entries = ctx.db.selectFrom('lifecycle_events').where('model', '=', name).where('to_status', '=', 'PRODUCTION');
  const { count } = await entries.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  // The oldest entry of the window: a stint's exit always follows its entry, so every stint that begins at or after
  // it is complete in the events from there on.
  const first = await entries
    .select(['at', 'id'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .offset(Math.max(recent - 1, 0))
    .executeTakeFirst();
  let query = ctx.db
    .selectFrom('lifecycle_events')
    .selectAll()
    .where('model', '=', name)
    .where((eb) => eb.or([eb('to_status', '=', 'PRODUCTION'), eb('from_status', '=', 'PRODUCTION')]));
  if (first !== undefined && Number(count) > recent)
    query = query.where((eb) => eb(eb.refTuple('at', 'id'), '>=', eb.tuple(first.at, first.id)));
  const rows = await query.orderBy('at').orderBy('id').execute();
  return { events: rows.map(toLifecycleEvent), entries: Number(count) };
}

/**
 * See RegistryStore.latestMoves: three seeks of the (model, at, id) index, whatever the length of the model's history
 * (the models overview asks this of every model on its page).
 */
export async function latestMoves(
  ctx: StoreContext,
  model: string,
): Promise<{ last: LifecycleEvent | null; sinceLastEntry: LifecycleEvent[] }> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  const newest = () =>
    ctx.db
      .selectFrom('lifecycle_events')
      .selectAll()
      .where('model', '=', name)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(1);
  const last = await newest().executeTakeFirst();
  const entry = await newest().where('to_status', '=', 'PRODUCTION').executeTakeFirst();
  if (entry === undefined) return { last: last === undefined ? null : toLifecycleEvent(last), sinceLastEntry: [] };
  // After the latest entry into PRODUCTION only exits from it can follow (the next entry would be later).
  const exits = await ctx.db
    .selectFrom('lifecycle_events')
    .selectAll()
    .where('model', '=', name)
    .where('from_status', '=', 'PRODUCTION')
    .where((eb) => eb(eb.refTuple('at', 'id'), '>', eb.tuple(entry.at, entry.id)))
    .orderBy('at')
    .orderBy('id')
    .execute();
  return { last: toLifecycleEvent(last!), sinceLastEntry: [entry, ...exits].map(toLifecycleEvent) };
}
