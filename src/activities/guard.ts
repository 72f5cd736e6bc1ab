import { Context } from '@temporalio/activity';
import { ErrorCode, isModelctlError, ModelctlError } from '../domain/errors';
import { postWebhook } from '../integrations/webhooks';
import { retrainExperimentId } from '../workflows/guard-model.contract';
import type { ActivityDeps } from './deps';
import { asActivity } from './failures';
import type { GuardActivities } from './types';

/** The guard's activities (see {@link GuardActivities}): each validates through the store and returns JSON. */
export function createGuardActivities({ store }: ActivityDeps): GuardActivities {
  return {
    startGuard: (input) =>
      asActivity(async () => {
        const v = await store.getVersion(input.model, input.version);
        if (v === null)
          throw new ModelctlError(ErrorCode.NOT_FOUND, `cannot guard ${input.model}@${input.version}: no such version`);
        if (v.status !== 'PRODUCTION')
          throw new ModelctlError(
            ErrorCode.REFUSED,
            `cannot guard ${input.model}@${input.version}: it is ${v.status}; a guard watches the PRODUCTION version`,
          );
        const baselineVersion =
          input.policy.baseline.version ?? (await store.previousProductionVersion(input.model)) ?? null;
        if (baselineVersion === null && input.policy.metrics.some((m) => m.check === 'relative'))
          throw new ModelctlError(
            ErrorCode.REFUSED,
            `cannot guard ${input.model}@${input.version} with relative checks: no baseline version (no earlier production version; set policy.baseline.version)`,
          );
        await store.createGuard({
          id: input.guardId,
          model: input.model,
          version: input.version,
          baselineVersion,
          policy: input.policy,
          actor: input.actor,
          workflowId: input.workflowId,
          startedAt: input.startedAt,
        });
        return { baselineVersion };
      }),
    readGuardObservations: ({ model, queries }) =>
      asActivity(async () => {
        const production = await store.productionVersion(model);
        const samples = [];
        for (const q of queries) {
          const a = await store.aggregateObservations({ model, ...q });
          samples.push({
            count: a.count,
            mean: a.mean,
            variance: a.variance,
            sketchCount: a.sketchCount,
            quantiles: a.quantiles,
            min: a.min,
            max: a.max,
          });
        }
        return { productionVersion: production?.version ?? null, samples };
      }),
    recordGuardEvent: (event) => asActivity(() => store.recordGuardEvent(event)),
    updateGuard: ({ guardId, status, endedAt, result }) =>
      asActivity(async () => {
        await store.updateGuard({ id: guardId, status, endedAt, result });
      }),
    deliverGuardWebhook: ({ guardId, model, version, alert, url, secret }) =>
      asActivity(async () => {
        const { attempt } = Context.current().info;
        const id = `${guardId}-alert-${alert.seq}`;
        const body = JSON.stringify({ type: `guard.${alert.kind.toLowerCase()}`, guardId, model, version, alert });
        const answer = await postWebhook({ url, secret, id, body });
        await store.recordWebhookAttempt({
          guardId,
          alertSeq: alert.seq,
          url,
          attempt,
          at: new Date().toISOString(),
          ...answer,
        });
        if (answer.error !== null || answer.statusCode === null)
          throw new ModelctlError(ErrorCode.UNAVAILABLE, `webhook ${url} did not take alert ${id}: ${answer.error}`);
        return { statusCode: answer.statusCode, attempt };
      }),
    openRetrainExperiment: ({ guardId, model, version, evidence }) =>
      asActivity(async () => {
        const id = retrainExperimentId(guardId);
        try {
          await store.createExperiment({
            id,
            name: `retrain ${model} after ${version} regressed`,
            type: 'TRAINING',
            tags: ['guard', `regressed:${model}@${version}`],
            description: evidence,
            config: { guardId, degradedVersion: version },
          });
        } catch (err) {
          // A retry after the experiment was created: it is there, linked below (idempotent).
          if (!isModelctlError(err, ErrorCode.ALREADY_EXISTS)) throw err;
        }
        await store.linkVersion(id, { model, version });
        return id;
      }),
  };
}
