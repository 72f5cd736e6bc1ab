import { sql, type Selectable } from 'kysely';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import type { AbTestResult, AbTestStatus } from '../domain/ab-test';
import type { JsonObject } from '../domain/json';
import { IsoTimestamp } from '../domain/timestamp';
import { abTestNotFound } from './not-found';
import { AbTestPatchSchema, ModelArg, NewAbTestSchema, parseArg, parseOutcomeRows } from './inputs';
import type { AbTestRecord, ArmAggregate, RegistryStore } from './registry-store';
import { iso, isoOrNull, jsonIfDefined, parseJson } from './rows';
import type { AbTestsTable } from './schema';
import { inTransaction, lockModel, retryingConflicts, type StoreContext, type Tx } from './transaction';
import { requireVersion } from './version-rows';
import { z } from 'zod';

/** Rows per upsert on PostgreSQL, where they travel as three arrays. */
const OUTCOME_UNNEST_ROWS = 10_000;

function toAbTest(row: Selectable<AbTestsTable>): AbTestRecord {
  return {
    id: row.id,
    name: row.name,
    model: row.model,
    control: row.control,
    treatment: row.treatment,
    split: { control: row.split_control, treatment: row.split_treatment },
    salt: row.salt,
    definition: parseJson<JsonObject>(row.definition),
    status: row.status as AbTestStatus,
    result: row.result === null ? null : parseJson<AbTestResult>(row.result),
    workflowId: row.workflow_id,
    createdAt: iso(row.created_at),
    startedAt: isoOrNull(row.started_at),
    endedAt: isoOrNull(row.ended_at),
  };
}

async function requireAbTest(db: Tx, id: string): Promise<AbTestRecord> {
  const row = await db.selectFrom('ab_tests').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw abTestNotFound(id);
  return toAbTest(row);
}

const TestId = z.string().trim().min(1).max(200);

/** See RegistryStore.createAbTest: both versions must exist; the salt defaults to the test id. */
export async function createAbTest(
  ctx: StoreContext,
  raw: Parameters<RegistryStore['createAbTest']>[0],
): Promise<AbTestRecord> {
  const input = parseInput(NewAbTestSchema, raw, 'A/B test');
  return inTransaction(ctx, async (trx) => {
    // Queued behind a deletion of either version (deleteVersion holds the same lock while it checks for tests).
    await lockModel(ctx, trx, input.model);
    await requireVersion(trx, input.model, input.control);
    await requireVersion(trx, input.model, input.treatment);
    if ((await trx.selectFrom('ab_tests').select('id').where('id', '=', input.id).executeTakeFirst()) !== undefined) {
      throw new ModelctlError(ErrorCode.ALREADY_EXISTS, `A/B test ${input.id} already exists`, { testId: input.id });
    }
    await trx
      .insertInto('ab_tests')
      .values({
        id: input.id,
        name: input.name,
        model: input.model,
        control: input.control,
        treatment: input.treatment,
        split_control: input.split.control,
        split_treatment: input.split.treatment,
        salt: input.salt ?? input.id,
        definition: JSON.stringify(input.definition),
        status: 'SCHEDULED',
        result: null,
        workflow_id: input.workflowId ?? null,
        created_at: ctx.now().toISOString(),
        started_at: null,
        ended_at: null,
      })
      .execute();
    return requireAbTest(trx, input.id);
  });
}

export async function getAbTest(ctx: StoreContext, rawId: string): Promise<AbTestRecord | null> {
  const id = parseArg('testId', TestId, rawId, 'A/B test reference');
  const row = await ctx.db.selectFrom('ab_tests').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toAbTest(row);
}

export async function listAbTests(ctx: StoreContext, model?: string): Promise<AbTestRecord[]> {
  let query = ctx.db.selectFrom('ab_tests').selectAll();
  if (model !== undefined) query = query.where('model', '=', parseArg('model', ModelArg, model, 'model reference'));
  return (await query.orderBy('created_at').orderBy('id').execute()).map(toAbTest);
}

export async function updateAbTest(ctx: StoreContext, rawId: string, rawPatch: unknown): Promise<AbTestRecord> {
  const id = parseArg('testId', TestId, rawId, 'A/B test reference');
  const patch = parseInput(AbTestPatchSchema, rawPatch, 'A/B test update');
  return inTransaction(ctx, async (trx) => {
    await requireAbTest(trx, id);
    await trx
      .updateTable('ab_tests')
      .set({
        // Kysely's `set` leaves undefined values out: a field the patch does not carry keeps its column.
        status: patch.status,
        result: patch.result === null ? null : jsonIfDefined(patch.result),
        started_at: patch.startedAt,
        ended_at: patch.endedAt,
        workflow_id: patch.workflowId,
      })
      .where('id', '=', id)
      .execute();
    return requireAbTest(trx, id);
  });
}

/**
 * See RegistryStore.recordOutcomes: an upsert on (test, unit), so re-recording a unit replaces its arm and value. On
 * SQLite (where openStore always gives the store its outcome writer thread, src/store/sqlite-outcome-writer.ts) the
 * batch is written by that thread; on PostgreSQL in a transaction of its own.
 */
export async function recordOutcomes(ctx: StoreContext, rawId: string, rawOutcomes: unknown): Promise<number> {
  const id = parseArg('testId', TestId, rawId, 'A/B test reference');
  const outcomes = parseOutcomeRows(rawOutcomes);
  // One statement must not touch a row twice (PostgreSQL refuses): within a batch the last value of a unit wins.
  const rows = [...new Map(outcomes.map((o) => [o.unitId, o])).values()];
  const at = ctx.now().toISOString();
  const writer = ctx.outcomeWriter;
  if (writer !== undefined) return retryingConflicts(() => writer.write(id, rows, at));
  return inTransaction(ctx, async (trx) => {
    await requireAbTest(trx, id);
    await upsertOutcomesUnnest(trx, id, rows, at);
    return rows.length;
  });
}

/**
 * PostgreSQL: one upsert per 10,000 outcomes with three array parameters expanded by `unnest`, instead of four bound
 * parameters per row (1,000 rows a statement): about 1.4× the outcomes per second (500,000 outcomes: 91,000/s → 131,000/s).
 */
async function upsertOutcomesUnnest(
  trx: Tx,
  id: string,
  rows: { unitId: string; arm: string; value: number }[],
  at: string,
): Promise<void> {
  for (let start = 0; start < rows.length; start += OUTCOME_UNNEST_ROWS) {
    const chunk = rows.slice(start, start + OUTCOME_UNNEST_ROWS);
    await sql`insert into ab_outcomes (test_id, unit_id, arm, value, recorded_at)
      select ${id}, u.unit_id, u.arm, u.value, ${at}::timestamptz
      from unnest(${chunk.map((o) => o.unitId)}::text[], ${chunk.map((o) => o.arm)}::text[], ${chunk.map((o) => o.value)}::float8[]) as u(unit_id, arm, value)
      on conflict (test_id, unit_id) do update set arm = excluded.arm, value = excluded.value, recorded_at = excluded.recorded_at`.execute(
      trx,
    );
  }
}

const RecordedUntil = z.object({ recordedUntil: IsoTimestamp.optional() }).strict();

/** See RegistryStore.aggregateOutcomes: count, sum and sum of squares per arm, in one grouped query. */
export async function aggregateOutcomes(
  ctx: StoreContext,
  rawId: string,
  rawOptions: { recordedUntil?: string } = {},
): Promise<{ control: ArmAggregate; treatment: ArmAggregate }> {
  const id = parseArg('testId', TestId, rawId, 'A/B test reference');
  const { recordedUntil } = parseInput(RecordedUntil, rawOptions, 'outcome window');
  await requireAbTest(ctx.db, id);
  let query = ctx.db
    .selectFrom('ab_outcomes')
    .select((eb) => [
      'arm',
      eb.fn.countAll<number | string>().as('units'),
      eb.fn.sum<number | string>('value').as('sum'),
      eb.fn.sum<number | string>(eb('value', '*', eb.ref('value'))).as('sum_squares'),
    ])
    .where('test_id', '=', id);
  if (recordedUntil !== undefined) query = query.where('recorded_at', '<=', recordedUntil);
  const rows = await query.groupBy('arm').execute();
  const empty: ArmAggregate = { units: 0, sum: 0, sumSquares: 0 };
  const result = { control: { ...empty }, treatment: { ...empty } };
  for (const r of rows) {
    result[r.arm as 'control' | 'treatment'] = {
      units: Number(r.units),
      sum: Number(r.sum),
      sumSquares: Number(r.sum_squares),
    };
  }
  return result;
}

/** See RegistryStore.outcomeBatches: units, Σx and Σx² per arm and recording time, oldest first. */
export async function outcomeBatches(
  ctx: StoreContext,
  rawId: string,
): Promise<{ at: string; arm: 'control' | 'treatment'; units: number; sum: number; sumSquares: number }[]> {
  const id = parseArg('testId', TestId, rawId, 'A/B test reference');
  await requireAbTest(ctx.db, id);
  const rows = await ctx.db
    .selectFrom('ab_outcomes')
    .select((eb) => [
      'recorded_at',
      'arm',
      eb.fn.countAll<number | string>().as('units'),
      eb.fn.sum<number | string>('value').as('sum'),
      eb.fn.sum<number | string>(eb('value', '*', eb.ref('value'))).as('sum_squares'),
    ])
    .where('test_id', '=', id)
    .groupBy(['recorded_at', 'arm'])
    .orderBy('recorded_at')
    .orderBy('arm')
    .execute();
  return rows.map((r) => ({
    at: iso(r.recorded_at),
    arm: r.arm as 'control' | 'treatment',
    units: Number(r.units),
    sum: Number(r.sum),
    sumSquares: Number(r.sum_squares),
  }));
}
