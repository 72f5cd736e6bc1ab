import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import {
  CreateExperimentInput,
  ExperimentId,
  UpdateExperimentInput,
  type ExperimentStatus,
  type ExperimentType,
} from '../domain/experiment';
import { VersionArgs, parseArg } from './inputs';
import type { Experiment } from './registry-store';
import { lastValues } from './metric-series';
import { iso, isoOrNull, jsonIfDefined, parseJson } from './rows';
import type { ExperimentsTable } from './schema';
import { inTransaction, type StoreContext, type Tx } from './transaction';
import { requireVersion } from './version-rows';

function durationSeconds(startedAt: string, endedAt: string | null): number | null {
  return endedAt === null ? null : (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
}

async function toExperiment(db: Tx, row: Selectable<ExperimentsTable>): Promise<Experiment> {
  const startedAt = iso(row.started_at);
  const endedAt = isoOrNull(row.ended_at);
  const links = await db
    .selectFrom('experiment_versions')
    .select(['model', 'version'])
    .where('experiment_id', '=', row.id)
    .orderBy('model')
    .orderBy('version')
    .execute();
  return {
    id: row.id,
    name: row.name,
    type: row.type as ExperimentType,
    status: row.status as ExperimentStatus,
    description: row.description,
    config: parseJson(row.config),
    tags: parseJson(row.tags),
    // Values set explicitly through updateExperiment win over the last logged point of the same key.
    summary: { ...(await lastValues(db, row.id)), ...parseJson<Record<string, number>>(row.summary) },
    startedAt,
    endedAt,
    durationSeconds: durationSeconds(startedAt, endedAt),
    externalIds: parseJson(row.external_ids),
    linkedVersions: links,
    warnings: parseJson(row.warnings),
  };
}

async function findExperiment(db: Tx, id: string): Promise<Experiment | null> {
  const row = await db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toExperiment(db, row);
}

/**
 * Fails with NOT_FOUND unless experiment `id` exists, and returns its status; reads the experiments row only, so
 * writers that need no more (metric logging, links) do not pay for the summary.
 */
export async function assertExperimentExists(db: Tx, id: string): Promise<ExperimentStatus> {
  const row = await db.selectFrom('experiments').select(['id', 'status']).where('id', '=', id).executeTakeFirst();
  if (row === undefined)
    throw new ModelctlError(ErrorCode.NOT_FOUND, `experiment ${id} does not exist`, { experimentId: id });
  return row.status as ExperimentStatus;
}

export async function requireExperiment(db: Tx, id: string): Promise<Experiment> {
  const found = await findExperiment(db, id);
  if (found === null)
    throw new ModelctlError(ErrorCode.NOT_FOUND, `experiment ${id} does not exist`, { experimentId: id });
  return found;
}

/** See RegistryStore.createExperiment. */
export async function createExperiment(ctx: StoreContext, raw: CreateExperimentInput): Promise<Experiment> {
  const input = parseInput(CreateExperimentInput, raw, 'experiment');
  const id = input.id ?? randomUUID();
  return inTransaction(ctx, async (trx) => {
    if ((await trx.selectFrom('experiments').select('id').where('id', '=', id).executeTakeFirst()) !== undefined) {
      throw new ModelctlError(ErrorCode.ALREADY_EXISTS, `experiment ${id} already exists`, { experimentId: id });
    }
    await trx
      .insertInto('experiments')
      .values({
        id,
        name: input.name,
        type: input.type,
        status: 'RUNNING',
        description: input.description ?? null,
        config: JSON.stringify(input.config),
        tags: JSON.stringify(input.tags),
        summary: '{}',
        external_ids: JSON.stringify(input.externalIds),
        warnings: '[]',
        started_at: input.startedAt ?? ctx.now().toISOString(),
        ended_at: null,
      })
      .execute();
    return requireExperiment(trx, id);
  });
}

export async function getExperiment(ctx: StoreContext, id: string): Promise<Experiment | null> {
  return findExperiment(ctx.db, parseArg('experimentId', ExperimentId, id, 'experiment reference'));
}

export async function listExperiments(ctx: StoreContext): Promise<Experiment[]> {
  const rows = await ctx.db.selectFrom('experiments').selectAll().orderBy('started_at').orderBy('id').execute();
  return Promise.all(rows.map((r) => toExperiment(ctx.db, r)));
}

/** See RegistryStore.updateExperiment. */
export async function updateExperiment(
  ctx: StoreContext,
  rawId: string,
  rawPatch: UpdateExperimentInput,
): Promise<Experiment> {
  const id = parseArg('experimentId', ExperimentId, rawId, 'experiment reference');
  const patch = parseInput(UpdateExperimentInput, rawPatch, 'experiment update');
  return inTransaction(ctx, async (trx) => {
    const current = await requireExperiment(trx, id);
    const row = await trx.selectFrom('experiments').select(['summary']).where('id', '=', id).executeTakeFirstOrThrow();
    const status = patch.status ?? current.status;
    if (current.status !== 'RUNNING' && status !== current.status) {
      throw new ModelctlError(
        ErrorCode.ILLEGAL_TRANSITION,
        `cannot move experiment ${id} from ${current.status} to ${status}; an ended experiment keeps its status`,
        {
          from: current.status,
          to: status,
          allowed: [],
        },
      );
    }
    const ending = current.status === 'RUNNING' && status !== 'RUNNING';
    if (patch.endedAt !== undefined && !ending) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid experiment update: endedAt: is set only together with a terminal status (COMPLETED, FAILED, CANCELLED) on a running experiment`,
      );
    }
    const endedAt = ending ? (patch.endedAt ?? ctx.now().toISOString()) : current.endedAt;
    if (endedAt !== null && Date.parse(endedAt) < Date.parse(current.startedAt)) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid experiment update: endedAt: ${endedAt} is before startedAt ${current.startedAt}`,
      );
    }
    await trx
      .updateTable('experiments')
      .set({
        status,
        ended_at: endedAt,
        // Kysely's `set` leaves undefined values out: a field the patch does not carry keeps its column.
        config: jsonIfDefined(patch.config),
        tags: jsonIfDefined(patch.tags),
        description: patch.description,
        external_ids: jsonIfDefined(patch.externalIds && { ...current.externalIds, ...patch.externalIds }),
        summary: jsonIfDefined(patch.summary && { ...parseJson<object>(row.summary), ...patch.summary }),
        warnings: jsonIfDefined(patch.addWarnings && [...current.warnings, ...patch.addWarnings]),
      })
      .where('id', '=', id)
      .execute();
    return requireExperiment(trx, id);
  });
}

/** See RegistryStore.linkVersion. */
export async function linkVersion(
  ctx: StoreContext,
  rawId: string,
  ref: { model: string; version: string },
): Promise<void> {
  const id = parseArg('experimentId', ExperimentId, rawId, 'experiment reference');
  const args = parseInput(VersionArgs, ref, 'version reference');
  await inTransaction(ctx, async (trx) => {
    await assertExperimentExists(trx, id);
    await requireVersion(trx, args.model, args.version);
    await trx
      .insertInto('experiment_versions')
      .values({ experiment_id: id, model: args.model, version: args.version })
      .onConflict((oc) => oc.columns(['experiment_id', 'model', 'version']).doNothing())
      .execute();
  });
}
