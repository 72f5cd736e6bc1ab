import { createAbTestActivities } from './ab-test';
import type { ActivityDeps } from './deps';
import { createPromotionActivities } from './promotion';
import { createRollbackActivities } from './rollback';
import { createGuardActivities } from './guard';
import { createSideEffectActivities } from './side-effects';
import type { RegistryActivities, SideEffectActivities } from './types';

export type { ActivityDeps } from './deps';
export { GIT_TAGS_OFF } from './side-effects';

/**
 * The activity functions the worker registers: each workflow's factory, merged (a new workflow adds its factory
 * here; see docs/architecture.md, "Adding a workflow"). Activity names are recorded in workflow histories: renaming
 * one breaks the replay of running workflows.
 */
export function createActivities(deps: ActivityDeps): RegistryActivities & SideEffectActivities {
  return {
    ...createSideEffectActivities(deps),
    ...createPromotionActivities(deps),
    ...createRollbackActivities(deps),
    ...createAbTestActivities(deps),
    ...createGuardActivities(deps),
  };
}
