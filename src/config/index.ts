export { loadConfig, ModelctlEnvironment, type ModelctlConfig } from './environment';
