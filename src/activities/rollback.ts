import { resolveRollbackTarget } from '../store/rollback-target';
import type { ActivityDeps } from './deps';
import { asActivity } from './failures';
import type { RollbackActivities } from './types';
import { summarize } from './version-summary';

/** The rollback's own activities (see {@link RollbackActivities}); it reuses the promotion's verify and swap. */
export function createRollbackActivities({ store }: ActivityDeps): RollbackActivities {
  return {
    resolveRollbackTarget: ({ model, toVersion }) =>
      asActivity(async () => {
        const { target, current } = await resolveRollbackTarget(store, model, toVersion);
        return {
          target: await summarize(store, target),
          current: current === null ? null : await summarize(store, current),
        };
      }),
  };
}
