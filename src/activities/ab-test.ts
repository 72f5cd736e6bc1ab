import { parseInput } from '../domain/errors';
import { GuardPolicy } from '../domain/guard-policy';
import { analyzeRecordedOutcomes } from '../stats/recorded-outcomes';
import { claimAbTestStart, recordAbTestEnd } from '../store/ab-test-runs';
import { requireAbTest } from '../store/lookups';
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
        const { definition } = await requireAbTest(store, id);
        return analyzeRecordedOutcomes(definition, await store.aggregateOutcomes(id), sequential);
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
