import { syncLifecycleTags } from '../integrations/git-tags';
import type { ActivityDeps } from './deps';
import { asActivity } from './failures';
import { activityIdempotencyKey } from './idempotency';
import type { GitTagOutcome, SideEffectActivities } from './types';
import { experimentForNote, noteInWandb } from './wandb-notes';

/** The line tagInGit reports (and the worker logs once) when no repository is configured. */
export const GIT_TAGS_OFF = 'Git tags are off: no repository configured (set MODELCTL_GIT_REPO)';

/** The best-effort side effects every workflow shares: Git tags, W&B notes (see {@link SideEffectActivities}). */
export function createSideEffectActivities({
  store,
  gitRepo = null,
  gitPush = false,
  wandb = null,
}: ActivityDeps): SideEffectActivities {
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
  };
}
