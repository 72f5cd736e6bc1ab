import { join } from 'node:path';
import { WandbClient } from '../integrations/wandb';
import type { ModelctlConfig } from './environment';

/** The W&B client the configuration describes; its outbox is `MODELCTL_HOME/wandb`. */
export function createWandbClient(config: Pick<ModelctlConfig, 'home' | 'wandb'>): WandbClient {
  return new WandbClient({ ...config.wandb, dir: join(config.home, 'wandb') });
}
