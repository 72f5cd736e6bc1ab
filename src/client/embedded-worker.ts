import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { ModelctlConfig } from '../config/environment';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { livePid, terminate } from '../embedded/pid-file';
import { homeOfIdentity } from '../worker/worker-identity';
import type { TemporalRuntime } from './temporal-runtime';

const BIN = resolve(__dirname, '..', '..', 'bin', 'modelctl.js');

function workerFiles(home: string) {
  return { pid: join(home, 'worker', 'worker.pid'), log: join(home, 'worker', 'worker.log') };
}

/** Identities of the workers that polled the task queue's workflow tasks recently (the server keeps about a minute). */
async function pollerIdentities(runtime: TemporalRuntime): Promise<string[]> {
  const response = await runtime.connection.workflowService.describeTaskQueue({
    namespace: runtime.namespace,
    taskQueue: { name: runtime.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers ?? []).map((p) => p.identity ?? '');
}

/** How many workers polled the task queue recently (the server keeps pollers for about a minute). */
export async function countPollers(runtime: TemporalRuntime): Promise<number> {
  return (await pollerIdentities(runtime)).length;
}

/**
 * Refuses to share the embedded server's task queue with a worker of another registry: that worker would run this
 * home's workflows against its own store (a promotion of a version it does not have, or of its own model).
 * @throws ModelctlError CONFLICT naming the other home and the settings that separate them.
 */
async function refuseForeignWorkers(config: ModelctlConfig, runtime: TemporalRuntime): Promise<void> {
  const foreign = (await pollerIdentities(runtime))
    .map(homeOfIdentity)
    .find((home) => home !== null && home !== config.home);
  if (foreign === undefined || foreign === null) return;
  throw new ModelctlError(
    ErrorCode.CONFLICT,
    `the Temporal dev server on ${runtime.address} already serves another registry (a worker of ${foreign} polls task queue ${runtime.taskQueue}); ` +
      'give this home its own server with MODELCTL_TEMPORAL_PORT and MODELCTL_TEMPORAL_UI_PORT, or its own TEMPORAL_TASK_QUEUE (a stopped worker stays listed for about a minute)',
    { otherHome: foreign, taskQueue: runtime.taskQueue },
  );
}

/** What {@link ensureWorker} found or did. */
export interface WorkerStatus {
  /** `daemon`: the background worker of the embedded setup; `external`: a worker someone else runs. */
  kind: 'daemon' | 'external' | 'none';
  started: boolean;
  pid: number | null;
  logFile: string | null;
}

/**
 * Makes sure a worker serves the task queue, so a workflow started by a CLI command makes progress.
 * On the embedded server, refuses when a worker of another MODELCTL_HOME polls the same queue, then starts
 * `modelctl worker` in the background (pid and log under `<home>/worker/`) unless one runs; it outlives the command,
 * like the embedded server. On a cluster (TEMPORAL_ADDRESS), workers are the
 * operator's: reports `none` when nobody polls, so the caller can say so.
 */
export async function ensureWorker(
  config: ModelctlConfig,
  runtime: TemporalRuntime,
  timeoutMs = 60_000,
): Promise<WorkerStatus> {
  const files = workerFiles(config.home);
  if (runtime.embedded) await refuseForeignWorkers(config, runtime);
  const running = livePid(files.pid);
  if (running !== null) return { kind: 'daemon', started: false, pid: running, logFile: files.log };
  if (!runtime.embedded) {
    return { kind: (await countPollers(runtime)) > 0 ? 'external' : 'none', started: false, pid: null, logFile: null };
  }
  mkdirSync(join(config.home, 'worker'), { recursive: true });
  const log = openSync(files.log, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MODELCTL_HOME: config.home,
    TEMPORAL_ADDRESS: runtime.address,
    TEMPORAL_NAMESPACE: runtime.namespace,
    TEMPORAL_TASK_QUEUE: runtime.taskQueue,
    ARTIFACT_STORE: config.artifactStore,
    ...(config.databaseUrl !== null ? { DATABASE_URL: config.databaseUrl } : {}),
  };
  const child = spawn(process.execPath, [BIN, 'worker'], { detached: true, stdio: ['ignore', log, log], env });
  closeSync(log);
  child.unref();
  if (child.pid === undefined)
    throw new ModelctlError(ErrorCode.UNAVAILABLE, `could not start the background worker; see ${files.log}`);
  writeFileSync(files.pid, String(child.pid));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (livePid(files.pid) === null) break;
    if ((await countPollers(runtime)) > 0) return { kind: 'daemon', started: true, pid: child.pid, logFile: files.log };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ModelctlError(
    ErrorCode.UNAVAILABLE,
    `the background worker did not start polling ${runtime.taskQueue}; see ${files.log}`,
  );
}

/** Stops the background worker of the embedded setup. @returns whether one was running. */
export async function stopWorker(home: string): Promise<boolean> {
  const files = workerFiles(home);
  const pid = livePid(files.pid);
  rmSync(files.pid, { force: true });
  if (pid === null) return false;
  await terminate(pid, 40_000);
  return true;
}
