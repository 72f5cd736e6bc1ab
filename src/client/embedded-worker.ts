import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { ModelctlConfig } from '../config/environment';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { livePid, terminate } from '../embedded/pid-file';
import { redactUrl } from '../store';
import { foreignPollerError, foreignPollers } from '../worker/queue-guard';
import type { TemporalRuntime } from './temporal-runtime';

const BIN = resolve(__dirname, '..', '..', 'bin', 'modelctl.js');

function workerFiles(home: string) {
  return {
    pid: join(home, 'worker', 'worker.pid'),
    log: join(home, 'worker', 'worker.log'),
    settings: join(home, 'worker', 'worker.json'),
  };
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
 * The registry configuration a background worker was started with (`<home>/worker/worker.json`): what decides which
 * registry it writes to and which workflows it picks up. The database is recorded without credentials.
 */
interface WorkerSettings {
  pid: number;
  registryId: string;
  database: string;
  artifactStore: string;
  namespace: string;
  taskQueue: string;
}

function settingsOf(config: ModelctlConfig, runtime: TemporalRuntime, registryId: string, pid: number): WorkerSettings {
  return {
    pid,
    registryId,
    database:
      config.databaseUrl !== null ? `DATABASE_URL ${redactUrl(config.databaseUrl)}` : `SQLite ${config.sqlitePath}`,
    artifactStore: config.artifactStore,
    namespace: runtime.namespace,
    taskQueue: runtime.taskQueue,
  };
}

function readSettings(file: string, pid: number): WorkerSettings | null {
  try {
    const settings = JSON.parse(readFileSync(file, 'utf8')) as WorkerSettings;
    // A file left by an earlier worker (another pid) says nothing of the running one.
    return settings.pid === pid ? settings : null;
  } catch {
    return null;
  }
}

/**
 * Refuses to use a running background worker whose registry configuration differs from this command's: it would
 * carry out the command's workflows in its own registry (or not pick them up at all). Restarting it instead would
 * take it away from the workflows of its own registry that are still running.
 * @throws ModelctlError CONFLICT naming each setting that differs, both values, and how to resolve it.
 */
function refuseOtherConfiguration(mine: WorkerSettings, running: WorkerSettings | null, home: string): void {
  if (running === null) return;
  const differences: string[] = [];
  if (running.registryId !== mine.registryId)
    differences.push(
      `registry ${running.registryId} (${running.database}), this command's is ${mine.registryId} (${mine.database})`,
    );
  if (running.artifactStore !== mine.artifactStore)
    differences.push(`artifact store ${running.artifactStore}, this command's is ${mine.artifactStore}`);
  if (running.namespace !== mine.namespace)
    differences.push(`namespace ${running.namespace}, this command's is ${mine.namespace}`);
  if (running.taskQueue !== mine.taskQueue)
    differences.push(`task queue ${running.taskQueue}, this command's is ${mine.taskQueue}`);
  if (differences.length === 0) return;
  throw new ModelctlError(
    ErrorCode.CONFLICT,
    `the background worker of ${home} (pid ${running.pid}) serves ${differences.join('; ')}; nothing was started: ` +
      "run the command with the worker's settings, or stop the worker with `modelctl dev --stop` (its running workflows go on when a worker of their registry polls again)",
    { workerRegistry: running.registryId, registry: mine.registryId },
  );
}

/**
 * Refuses to share the task queue with a worker of another registry: that worker would run this
 * registry's workflows against its own store (a promotion of a version it does not have, or of its own model).
 * @throws ModelctlError CONFLICT naming the other registry, how long the refusal lasts, and the settings that separate them.
 */
async function refuseForeignWorkers(
  config: ModelctlConfig,
  runtime: TemporalRuntime,
  registryId: string,
): Promise<void> {
  const [foreign] = await foreignPollers(runtime.connection, runtime.namespace, runtime.taskQueue, {
    registryId,
    home: config.home,
  });
  if (foreign !== undefined) throw foreignPollerError(foreign, runtime);
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
 * Refuses when a worker of another registry polls the task queue (on the embedded server or a cluster), and when the
 * running background worker was started with another registry configuration (registry, artifact store, namespace,
 * task queue; `<home>/worker/worker.json` records it). On the embedded server, starts `modelctl worker` in the
 * background (pid, log and settings under `<home>/worker/`) unless one runs; it outlives the command, like the
 * embedded server. On a cluster (TEMPORAL_ADDRESS), workers are the operator's: reports `none` when nobody polls, so
 * the caller can say so.
 * @param registryId the identity of the command's registry (RegistryStore.registryId).
 * @throws ModelctlError CONFLICT (another registry's worker, or another configuration), UNAVAILABLE
 */
export async function ensureWorker(
  config: ModelctlConfig,
  runtime: TemporalRuntime,
  registryId: string,
  timeoutMs = 60_000,
): Promise<WorkerStatus> {
  const files = workerFiles(config.home);
  // This home's own worker first: with other settings it is the poller the next check would find.
  const running = livePid(files.pid);
  if (running !== null) {
    refuseOtherConfiguration(
      settingsOf(config, runtime, registryId, running),
      readSettings(files.settings, running),
      config.home,
    );
  }
  await refuseForeignWorkers(config, runtime, registryId);
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
  writeFileSync(files.settings, `${JSON.stringify(settingsOf(config, runtime, registryId, child.pid), null, 2)}\n`);
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
  rmSync(files.settings, { force: true });
  if (pid === null) return false;
  await terminate(pid, 40_000);
  return true;
}
