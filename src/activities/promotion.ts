import { Context } from '@temporalio/activity';
import { requireVersion } from '../store/lookups';
import type { ActivityDeps } from './deps';
import { asActivity } from './failures';
import { activityIdempotencyKey } from './idempotency';
import type { PromotionActivities } from './types';
import { summarize } from './version-summary';

/** The promotion's activities (see {@link PromotionActivities} for each contract). */
export function createPromotionActivities({ store, artifacts }: ActivityDeps): PromotionActivities {
  return {
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

    swapProduction: ({ model, version, via, actor, reason, workflowId, expectedProduction, approval }) =>
      asActivity(async () => {
        const swap = await store.swapProduction({
          model,
          version,
          via,
          actor,
          reason,
          workflowId,
          expectedProduction,
          approval,
          idempotencyKey: activityIdempotencyKey(),
        });
        return { model: swap.model, version: swap.version, previousVersion: swap.previousVersion, events: swap.events };
      }),
  };
}
