export { loadConfig, ModelctlEnvironment, type ModelctlConfig } from './environment';
export { createWandbClient } from './wandb';
