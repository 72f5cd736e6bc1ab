import { Context } from '@temporalio/activity';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { AbTestInput, type AbTestParsed, type AbTestResult } from '../domain/ab-test';
import type { ModelVersion } from '../domain/model-version';
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { RegistryStore } from '../store/registry-store';
import { syncLifecycleTags } from '../integrations/git-tags';
import type { WandbClient } from '../integrations/wandb';
import { experimentForNote, noteInWandb } from './wandb-notes';
import type { GitTagOutcome, RegistryActivities, SideEffectActivities, VersionSummary } from './types';
import { asActivity } from './failures';
import { activityIdempotencyKey } from './idempotency';
import { analyzeRecordedOutcomes } from './ab-analysis';
import { closeAbTestExperiment, openAbTestExperiment } from './ab-test-experiment';

/** What the activities need: the registry store, the artifact store and the optional integrations. */
export interface ActivityDeps {
  store: RegistryStore;
  artifacts: ArtifactStore;
  /** Repository that receives lifecycle tags (MODELCTL_GIT_REPO); null or absent: no tags are written. */
  gitRepo?: string | null;
  /** Push the tags to the repository's `origin` (MODELCTL_GIT_PUSH=1). */
  gitPush?: boolean;
  /** W&B mirroring; null or absent: W&B is off. */
  wandb?: WandbClient | null;
}

/** The line tagInGit reports (and the worker logs once) when no repository is configured. */
export const GIT_TAGS_OFF = 'Git tags are off: no repository configured (set MODELCTL_GIT_REPO)';

async function requireVersion(store: RegistryStore, model: string, version: string): Promise<ModelVersion> {
  const found = await store.getVersion(model, version);
  if (found === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `model version ${model}@${version} not found`);
  return found;
}

async function summarize(store: RegistryStore, v: ModelVersion): Promise<VersionSummary> {
  const events = await store.events(v.model, v.version);
  return {
    model: v.model,
    version: v.version,
    status: v.status,
    metrics: v.metrics,
    artifact: v.artifact,
    wasInProduction: events.some((e) => e.toStatus === 'PRODUCTION'),
  };
}

/**
 * The activity functions the worker registers (see {@link RegistryActivities} for each contract).
 * Thin: validate, call one store or artifact function, return plain JSON.
 */
export function createActivities({
  store,
  artifacts,
  gitRepo = null,
  gitPush = false,
  wandb = null,
}: ActivityDeps): RegistryActivities & SideEffectActivities {
  return {
    noteInWandb: (note) => asActivity(() => noteInWandb(store, wandb, note, activityIdempotencyKey())),

    recordExperimentWarnings: ({ note, warnings }) =>
      asActivity(async () => {
        const experiment = await experimentForNote(store, note);
        if (experiment === null) return null;
        const missing = warnings.filter((w) => !experiment.warnings.includes(w)); // a retry adds nothing twice
        if (missing.length > 0) await store.updateExperiment(experiment.id, { addWarnings: missing });
        return experiment.id;
      }),

    tagInGit: ({ model }) =>
      asActivity(async (): Promise<GitTagOutcome> => {
        if (gitRepo === null)
          return { status: 'SKIPPED', reason: GIT_TAGS_OFF, created: [], existing: [], conflicts: [], pushedTo: null };
        const versions = (await store.listVersions(model)).map((v) => ({
          version: v.version,
          commit: v.git?.commit ?? null,
        }));
        const result = await syncLifecycleTags(
          { repoDir: gitRepo, push: gitPush },
          model,
          versions,
          await store.events(model),
        );
        return { status: 'TAGGED', reason: null, ...result };
      }),

    getPromotionContext: ({ model, version }) =>
      asActivity(async () => {
        const candidate = await summarize(store, await requireVersion(store, model, version));
        const live = await store.productionVersion(model);
        return { candidate, production: live === null ? null : await summarize(store, live) };
      }),

    verifyArtifact: ({ model, version }) =>
      asActivity(async () => {
        const v = await requireVersion(store, model, version);
        Context.current().heartbeat();
        const result = await artifacts.verify(v.artifact);
        return {
          model,
          version,
          ok: result.ok,
          reason: result.reason,
          sha256: v.artifact.sha256,
          sizeBytes: v.artifact.sizeBytes,
        };
      }),

    setStatus: ({ model, version, to, actor, reason, workflowId }) =>
      asActivity(async () => {
        const v = await requireVersion(store, model, version);
        if (v.status === to) return null; // a retry after the first attempt committed
        return store.transition({
          model,
          version,
          to,
          actor,
          reason,
          workflowId,
          idempotencyKey: activityIdempotencyKey(),
        });
      }),

    swapProduction: ({ model, version, via, actor, reason, workflowId }) =>
      asActivity(async () => {
        const swap = await store.swapProduction({
          model,
          version,
          via,
          actor,
          reason,
          workflowId,
          idempotencyKey: activityIdempotencyKey(),
        });
        return { model: swap.model, version: swap.version, previousVersion: swap.previousVersion, events: swap.events };
      }),

    resolveRollbackTarget: ({ model, toVersion }) =>
      asActivity(async () => {
        const live = await store.productionVersion(model);
        const targetVersion = toVersion ?? (await store.previousProductionVersion(model));
        if (targetVersion === null) {
          throw new ModelctlError(
            ErrorCode.REFUSED,
            `${model} has no previous production version to roll back to; name one with toVersion (modelctl rollback --to)`,
          );
        }
        const target = await store.getVersion(model, targetVersion);
        if (target === null)
          throw new ModelctlError(
            ErrorCode.NOT_FOUND,
            `cannot roll ${model} back to ${targetVersion}: no such version`,
          );
        if (live !== null && live.version === target.version) {
          throw new ModelctlError(
            ErrorCode.REFUSED,
            `cannot roll ${model} back to ${targetVersion}: it is the current production version`,
          );
        }
        if (target.status !== 'DEPRECATED' && target.status !== 'VALIDATION') {
          throw new ModelctlError(
            ErrorCode.REFUSED,
            `cannot roll ${model} back to ${targetVersion}: it is ${target.status}; only versions that were in production or passed validation (DEPRECATED, VALIDATION) qualify`,
          );
        }
        return { target: await summarize(store, target), current: live === null ? null : await summarize(store, live) };
      }),

    startAbTest: ({ id, definition, workflowId, startedAt }) =>
      asActivity(async () => {
        const def: AbTestParsed = parseInput(AbTestInput, definition, 'abTest definition');
        const existing = await store.getAbTest(id);
        if (existing !== null) {
          if (existing.workflowId !== workflowId) {
            throw new ModelctlError(
              ErrorCode.CONFLICT,
              `A/B test id ${id} is already used by workflow ${existing.workflowId ?? '(none)'}`,
            );
          }
          // Temporal lets a new run reuse the id `abtest-<id>` once the old run has closed: that is a new test, and its
          // id is taken. Only a retry of this run's own start (same definition, test not ended) goes on.
          if (existing.status !== 'SCHEDULED' && existing.status !== 'RUNNING') {
            throw new ModelctlError(
              ErrorCode.ALREADY_EXISTS,
              `A/B test ${id} already exists (${existing.status}); A/B test ids are not reused: choose another id`,
              { testId: id },
            );
          }
          if (JSON.stringify(existing.definition) !== JSON.stringify(def)) {
            throw new ModelctlError(
              ErrorCode.CONFLICT,
              `A/B test ${id} already exists with another definition (${existing.model} ${existing.control} vs ${existing.treatment}); choose another id`,
              { testId: id },
            );
          }
          // A retry after a crash between the writes below finishes what the first attempt started.
          const started =
            existing.status === 'SCHEDULED'
              ? await store.updateAbTest(id, { status: 'RUNNING', startedAt, workflowId })
              : existing;
          await openAbTestExperiment(store, started);
          return { id, salt: existing.salt };
        }
        for (const version of [def.control, def.treatment]) {
          const v = await requireVersion(store, def.model, version);
          if (v.status === 'FAILED' || v.status === 'TRAINING') {
            throw new ModelctlError(
              ErrorCode.REFUSED,
              `cannot A/B test ${def.model}@${version}: it is ${v.status} (it must have passed validation)`,
            );
          }
        }
        const running = (await store.listAbTests(def.model)).filter((t) => t.status === 'RUNNING');
        const clash = running.find(
          (t) => [t.control, t.treatment].sort().join() === [def.control, def.treatment].sort().join(),
        );
        if (clash)
          throw new ModelctlError(
            ErrorCode.CONFLICT,
            `A/B test ${clash.id} of ${def.model} ${clash.control} vs ${clash.treatment} is already running`,
          );
        const record = await store.createAbTest({
          id,
          name: def.name ?? id,
          model: def.model,
          control: def.control,
          treatment: def.treatment,
          split: def.split,
          salt: id,
          definition: JSON.parse(JSON.stringify(def)),
          workflowId,
        });
        await openAbTestExperiment(store, await store.updateAbTest(id, { status: 'RUNNING', startedAt, workflowId }));
        return { id, salt: record.salt };
      }),

    analyzeAbTest: ({ id, sequential }) =>
      asActivity(async () => {
        const test = await store.getAbTest(id);
        if (test === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `A/B test ${id} not found`);
        const def = parseInput(AbTestInput, test.definition, 'stored abTest definition');
        return analyzeRecordedOutcomes(def, await store.aggregateOutcomes(id), sequential);
      }),

    finishAbTest: ({ id, status, result }) =>
      asActivity(async () => {
        const test = await store.getAbTest(id);
        if (test === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `A/B test ${id} not found`);
        // A retry after the first attempt committed skips the test's row and still ends the experiment.
        const ended =
          test.status === status
            ? test
            : await store.updateAbTest(id, { status, result, endedAt: new Date().toISOString() });
        await closeAbTestExperiment(store, ended, result as unknown as AbTestResult);
      }),
  };
}
