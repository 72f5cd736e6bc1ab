import { parseInput } from '../domain/errors';
import { GuardPolicy } from '../domain/guard-policy';
import { analyzeRecordedOutcomes } from '../stats/recorded-outcomes';
import { claimAbTestStart, plannedWindowOutcomes, recordAbTestEnd } from '../store/ab-test-runs';
import { requireAbTest, requireAbTestRecord } from '../store/lookups';
import { abTestPromotionRefusal } from '../domain/ab-test';
import { closeAbTestExperiment, openAbTestExperiment } from './ab-test-experiment';
import type { ActivityDeps } from './deps';
import { asActivity } from './failures';
import type { AbTestActivities } from './types';

/** The A/B test's activities (see {@link AbTestActivities}); each keeps the test's experiment in step. */
export function createAbTestActivities({ store }: ActivityDeps): AbTestActivities {
  return {
    startAbTest: (start) =>
      asActivity(async () => {
        const running = await claimAbTestStart(store, start);
        await openAbTestExperiment(store, running);
        return { id: start.id, salt: running.salt };
      }),

    analyzeAbTest: ({ id, sequential }) =>
      asActivity(async () => {
        const { test, definition } = await requireAbTest(store, id);
        return analyzeRecordedOutcomes(definition, await plannedWindowOutcomes(store, test, definition), sequential);
      }),

    abTestPromotionCheck: ({ id }) =>
      asActivity(async () => {
        const test = await requireAbTestRecord(store, id);
        const production = (await store.productionVersion(test.model))?.version ?? null;
        // createdAt is on the store's clock, as the lifecycle events are (startedAt is on the workflow's).
        const productionAtStart = await store.productionAt(test.model, test.createdAt);
        const refusal = abTestPromotionRefusal({ ...test, production, productionAtStart });
        return { expectedProduction: production, refusal };
      }),

    finishAbTest: ({ id, status, result }) =>
      asActivity(async () => {
        // A retry after the first attempt committed skips the test's row and still ends the experiment.
        const ended = await recordAbTestEnd(store, id, status, result);
        await closeAbTestExperiment(store, ended, result);
      }),

    abTestGuardPolicy: ({ model }) =>
      asActivity(async () => {
        const stored = await store.getGuardPolicy(model);
        return stored === null ? null : parseInput(GuardPolicy, stored.policy, `stored guard policy of ${model}`);
      }),
  };
}
