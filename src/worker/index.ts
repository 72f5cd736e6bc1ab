export { runWorker, type WorkerStarted } from './run-worker';
export { createRegistryWorker, bundleWorkflows, WORKFLOWS_PATH, type RegistryWorkerOptions } from './registry-worker';
export { ensureSearchAttributes } from './search-attributes';
export { workerIdentity, homeOfIdentity } from './worker-identity';
