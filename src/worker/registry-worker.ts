import {
  bundleWorkflowCode,
  DefaultLogger,
  type NativeConnection,
  Worker,
  type WorkerInterceptors,
  type WorkflowBundle,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/create-activities';

/** The module the workflow bundle is built from: src/workflows (or dist/workflows once compiled). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundles the workflows once; pass the result to several workers to skip re-bundling. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
}

export interface RegistryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A bundle from {@link bundleWorkflows}; built here when absent. */
  workflowBundle?: WorkflowBundle;
  /** Worker interceptors (metrics, tracing, fault injection in tests). */
  interceptors?: WorkerInterceptors;
  /** Identity shown to Temporal (see workerIdentity); the SDK's `<pid>@<host>` when absent. */
  identity?: string;
}

/**
 * A worker serving modelctl's workflows and activities on one task queue.
 * Shutdown is graceful: on SIGINT, SIGTERM or SIGQUIT (the Runtime's shutdown signals) the worker stops polling
 * and finishes what it holds (`shutdownGraceTime` 30 s), then `run()` resolves.
 */
export async function createRegistryWorker(options: RegistryWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    activities: createActivities(options.deps),
    shutdownGraceTime: '30 seconds',
    interceptors: options.interceptors,
    ...(options.identity !== undefined ? { identity: options.identity } : {}),
  });
}
