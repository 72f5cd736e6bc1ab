import type { ArtifactStore } from '../artifacts/artifact-store';
import type { WandbClient } from '../integrations/wandb';
import type { RegistryStore } from '../store/registry-store';

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
