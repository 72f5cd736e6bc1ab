import {
  bundleWorkflowCode,
  DefaultLogger,
  type NativeConnection,
  Worker,
  type WorkerInterceptors,
  type WorkflowBundle,
} from '@temporalio/worker';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/create-activities';
import { ErrorCode } from '../domain/errors';
import { REGISTRY_ID_HEADER, registryMismatchMessage } from '../domain/registry-identity';

/** The module the workflow bundle is built from: src/workflows (or dist/workflows once compiled). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The workflow interceptor module that carries a run's registry identity to its activities and children. */
export const WORKFLOW_INTERCEPTORS_PATH = require.resolve('../workflows/registry-header');

/** Bundles the workflows once; pass the result to several workers to skip re-bundling. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH],
    logger: new DefaultLogger('WARN'),
  });
}

/**
 * Checks every activity's registry identity (the header a run's workflow interceptor adds from its input's
 * `registryId`) against the identity of this worker's store before the activity runs: a mismatch fails the activity
 * at once, non-retryably (type CONFLICT), naming both, so a workflow is never carried out against another registry. An activity
 * without the header (a run started without `registryId`) runs as before.
 */
export function registryCheck(registryId: () => Promise<string>): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const header = input.headers[REGISTRY_ID_HEADER];
        if (header !== undefined) {
          const expected = defaultPayloadConverter.fromPayload<unknown>(header);
          const own = await registryId();
          if (expected !== own) {
            throw ApplicationFailure.nonRetryable(
              registryMismatchMessage(String(expected), own, ctx.info.activityType),
              ErrorCode.CONFLICT,
              { workflowRegistry: expected, workerRegistry: own },
            );
          }
        }
        return next(input);
      },
    },
  });
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
    interceptors: {
      ...options.interceptors,
      activity: [registryCheck(() => options.deps.store.registryId()), ...(options.interceptors?.activity ?? [])],
    },
    // Absent, not undefined: the SDK spreads these options over its defaults, so `identity: undefined` would erase
    // its pid@host default.
    ...(options.identity !== undefined ? { identity: options.identity } : {}),
  });
}
