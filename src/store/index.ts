export type {
  RegistryStore,
  NewVersion,
  TransitionRequest,
  SwapRequest,
  SwapResult,
  Experiment,
  AbTestRecord,
  ArmAggregate,
  ModelSummary,
  MetricPage,
} from './registry-store';
export { openStore, redactUrl, SQLITE_FILE, type StoreConfig } from './open-store';
export { SqlRegistryStore } from './sql-registry-store';
export { METRIC_CHUNK_ROWS } from './metrics';
