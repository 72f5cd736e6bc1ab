import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { createArtifactStore } from '../artifacts';
import type { ModelctlConfig } from '../config/environment';
import { openStore } from '../store';
import { ensureDevServer } from '../embedded/dev-server';
import { connectTemporalClient, probeTemporalAddress } from './temporal-connection';
import { createRegistryWorker } from './registry-worker';
import { workerIdentity } from './worker-identity';
import { foreignPollerError, foreignPollers } from './queue-guard';
import { GIT_TAGS_OFF } from '../activities/create-activities';
import { wandbStatusLine } from '../integrations/wandb';
import { createWandbClient } from '../config/wandb';

/**
 * The SDK logs every worker state change at INFO; modelctl keeps WARN and above unless MODELCTL_LOG_LEVEL
 * (TRACE, DEBUG, INFO, WARN, ERROR) says otherwise. The Runtime can be installed once per process.
 */
function installRuntime(): void {
  const level = (process.env.MODELCTL_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  try {
    Runtime.install({
      logger: new DefaultLogger(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level) ? level : 'WARN'),
    });
  } catch {
    // Already installed (e.g. by a test harness): keep that one.
  }
}

/** What {@link runWorker} reports once it polls. */
export interface WorkerStarted {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string | null;
  /** The identity of the registry the worker serves. */
  registryId: string;
}

/**
 * Runs a modelctl worker from the configuration until SIGINT/SIGTERM/SIGQUIT: opens the registry store and the
 * artifact store, connects to TEMPORAL_ADDRESS (or the embedded dev server, started if needed), registers the
 * search attributes, refuses a task queue that a worker of another registry polls (ModelctlError CONFLICT, see
 * foreignPollers), then polls the task queue. On a signal it drains in-flight tasks, then closes the store.
 * @param onStarted called once the worker is created (before polling starts).
 */
export async function runWorker(config: ModelctlConfig, onStarted?: (info: WorkerStarted) => void): Promise<void> {
  installRuntime();
  let address = config.temporal.address;
  let uiUrl: string | null = null;
  if (address === null) {
    const server = await ensureDevServer({
      home: config.home,
      port: config.temporal.embeddedPort,
      uiPort: config.temporal.embeddedUiPort,
    });
    address = server.address;
    uiUrl = server.uiUrl;
  }
  const store = await openStore({ databaseUrl: config.databaseUrl ?? undefined, sqlitePath: config.sqlitePath });
  try {
    const artifacts = createArtifactStore(config.artifactStore);
    const wandb = createWandbClient(config);
    // The native connection retries a wrong address until its deadline: find that out first, in a moment.
    await probeTemporalAddress(address);
    const connection = await NativeConnection.connect({ address });
    try {
      const registryId = await store.registryId();
      const client = await connectTemporalClient(address, config.temporal.namespace);
      try {
        // Joining a queue that another registry's workers poll would let either worker pick up the other's
        // workflows; refuse before polling anything.
        const [foreign] = await foreignPollers(client, config.temporal.namespace, config.temporal.taskQueue, {
          registryId,
          home: config.home,
        });
        if (foreign !== undefined) throw foreignPollerError(foreign, { address, taskQueue: config.temporal.taskQueue });
      } finally {
        await client.close();
      }
      const worker = await createRegistryWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        identity: workerIdentity(config.home, registryId),
        deps: { store, artifacts, gitRepo: config.gitRepo, gitPush: config.gitPush, wandb },
      });
      if (config.gitRepo === null) process.stderr.write(`modelctl worker: ${GIT_TAGS_OFF}\n`);
      process.stderr.write(`modelctl worker: ${wandbStatusLine(wandb.settings)}\n`);
      onStarted?.({
        address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        uiUrl,
        registryId,
      });
      await worker.run();
    } finally {
      await connection.close();
    }
  } finally {
    await store.close();
  }
}
