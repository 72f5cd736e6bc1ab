import { randomUUID } from 'node:crypto';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import type { ModelStatus } from '../domain/lifecycle';
import type { ModelVersion } from '../domain/model-version';
import { nextVersion, sortBySemver, sortVersions } from '../domain/semver';
import { ModelArg, NewVersionSchema, VersionArgs, parseArg } from './inputs';
import type { ModelSummary, NewVersion, VersionSummary } from './registry-store';
import { iso, parseJson, toModelVersion } from './rows';
import { idempotent, inTransaction, lockModel, type StoreContext } from './transaction';
import { previousProductionIn, appendEvent } from './lifecycle-events';
import { findVersion, requireVersion, subject } from './version-rows';

/** See RegistryStore.createVersion. */
export async function createVersion(ctx: StoreContext, raw: NewVersion): Promise<ModelVersion> {
  const input = parseInput(NewVersionSchema, raw, 'new version');
  return inTransaction(ctx, async (trx) => {
    await lockModel(ctx, trx, input.model);
    return idempotent(ctx, trx, input.idempotencyKey, 'createVersion', async () => {
      const existing = (
        await trx.selectFrom('model_versions').select('version').where('model', '=', input.model).execute()
      ).map((r) => r.version);
      const version = input.version ?? nextVersion(existing, input.bump);
      if (existing.includes(version)) {
        throw new ModelctlError(
          ErrorCode.ALREADY_EXISTS,
          `model version ${subject(input.model, version)} already exists`,
          { model: input.model, version },
        );
      }
      if (input.parentVersion !== null && !existing.includes(input.parentVersion)) {
        throw new ModelctlError(
          ErrorCode.NOT_FOUND,
          `parentVersion ${subject(input.model, input.parentVersion)} does not exist`,
          { field: 'parentVersion' },
        );
      }
      if (input.experimentId !== null) {
        const experiment = await trx
          .selectFrom('experiments')
          .select('id')
          .where('id', '=', input.experimentId)
          .executeTakeFirst();
        if (experiment === undefined)
          throw new ModelctlError(ErrorCode.NOT_FOUND, `experimentId ${input.experimentId} does not exist`, {
            field: 'experimentId',
          });
      }
      const now = ctx.now().toISOString();
      await trx
        .insertInto('model_versions')
        .values({
          id: randomUUID(),
          model: input.model,
          version,
          parent_version: input.parentVersion,
          status: input.status,
          artifact_uri: input.artifact.uri,
          artifact_sha256: input.artifact.sha256,
          artifact_size_bytes: input.artifact.sizeBytes,
          artifact_media_type: input.artifact.mediaType,
          config: JSON.stringify(input.config),
          metrics: JSON.stringify(input.metrics),
          experiment_id: input.experimentId,
          git: input.git === null ? null : JSON.stringify(input.git),
          git_reason: input.gitReason,
          author: input.author,
          description: input.description,
          created_at: now,
          updated_at: now,
          promoted_at: null,
          deprecated_at: null,
        })
        .execute();
      if (input.experimentId !== null) {
        await trx
          .insertInto('experiment_versions')
          .values({ experiment_id: input.experimentId, model: input.model, version })
          .execute();
      }
      await appendEvent(trx, {
        model: input.model,
        version,
        fromStatus: null,
        toStatus: input.status,
        via: 'DIRECT',
        actor: input.author,
        reason: 'registered',
        workflowId: null,
        approval: null,
        at: now,
      });
      return requireVersion(trx, input.model, version);
    });
  });
}

export async function getVersion(ctx: StoreContext, model: string, version: string): Promise<ModelVersion | null> {
  const args = parseInput(VersionArgs, { model, version }, 'version reference');
  return findVersion(ctx.db, args.model, args.version);
}

export async function listVersions(ctx: StoreContext, model: string): Promise<ModelVersion[]> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  const rows = await ctx.db.selectFrom('model_versions').selectAll().where('model', '=', name).execute();
  // Semver precedence is not expressible in SQL ordering (1.10.0 > 1.9.0, prerelease rules): order in code.
  return sortBySemver(rows.map(toModelVersion), (v) => v.version);
}

/** See RegistryStore.listVersionSummaries. */
export async function listVersionSummaries(ctx: StoreContext, model: string): Promise<VersionSummary[]> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  const rows = await ctx.db
    .selectFrom('model_versions')
    .select(['model', 'version', 'parent_version', 'status', 'metrics', 'created_at'])
    .where('model', '=', name)
    .execute();
  return sortBySemver(
    rows.map((r) => ({
      model: r.model,
      version: r.version,
      parentVersion: r.parent_version,
      status: r.status as ModelStatus,
      metrics: parseJson<Record<string, number>>(r.metrics),
      createdAt: iso(r.created_at),
    })),
    (v) => v.version,
  );
}

/**
 * See RegistryStore.versionsPage. Semver order is kept in code (listVersions), so the page is picked from the version
 * names alone and only its rows are read and decoded: a model of 10,000 versions decodes 200, not 10,000.
 */
export async function versionsPage(
  ctx: StoreContext,
  model: string,
  page: { after?: string; limit: number },
): Promise<{ items: ModelVersion[]; more: boolean }> {
  const name = parseArg('model', ModelArg, model, 'model reference');
  const names = sortVersions(
    (await ctx.db.selectFrom('model_versions').select('version').where('model', '=', name).execute()).map(
      (r) => r.version,
    ),
  );
  const start = page.after === undefined ? 0 : names.indexOf(page.after) + 1 || names.length;
  const picked = names.slice(start, start + page.limit);
  if (picked.length === 0) return { items: [], more: false };
  const rows = await ctx.db
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', name)
    .where('version', 'in', picked)
    .execute();
  return {
    items: sortBySemver(rows.map(toModelVersion), (v) => v.version),
    more: start + picked.length < names.length,
  };
}

export async function listModels(ctx: StoreContext): Promise<ModelSummary[]> {
  const rows = await ctx.db.selectFrom('models').selectAll().orderBy('name').execute();
  return rows.map((r) => ({
    name: r.name,
    description: r.description,
    tags: parseJson<string[]>(r.tags),
    createdAt: iso(r.created_at),
  }));
}

/** See RegistryStore.deleteVersion. */
export async function deleteVersion(ctx: StoreContext, model: string, version: string): Promise<void> {
  const args = parseInput(VersionArgs, { model, version }, 'version reference');
  await inTransaction(ctx, async (trx) => {
    await lockModel(ctx, trx, args.model);
    const found = await requireVersion(trx, args.model, args.version);
    if (found.status === 'PRODUCTION') {
      throw new ModelctlError(
        ErrorCode.REFUSED,
        `cannot delete ${subject(args.model, args.version)}: it is in PRODUCTION; promote or roll back to another version first`,
      );
    }
    if ((await previousProductionIn(trx, args.model)) === args.version) {
      throw new ModelctlError(
        ErrorCode.REFUSED,
        `cannot delete ${subject(args.model, args.version)}: it is the rollback target (the previous production version)`,
      );
    }
    // A running (or scheduled) test serves the version to its units and will analyse and maybe promote it.
    const test = await trx
      .selectFrom('ab_tests')
      .select(['id', 'status'])
      .where('model', '=', args.model)
      .where('status', 'in', ['SCHEDULED', 'RUNNING'])
      .where((eb) => eb.or([eb('control', '=', args.version), eb('treatment', '=', args.version)]))
      .executeTakeFirst();
    if (test !== undefined) {
      throw new ModelctlError(
        ErrorCode.REFUSED,
        `cannot delete ${subject(args.model, args.version)}: it is part of A/B test ${test.id}, which is ${test.status}; stop or abort the test first`,
      );
    }
    await trx
      .deleteFrom('experiment_versions')
      .where('model', '=', args.model)
      .where('version', '=', args.version)
      .execute();
    await trx
      .deleteFrom('model_versions')
      .where('model', '=', args.model)
      .where('version', '=', args.version)
      .execute();
  });
}
