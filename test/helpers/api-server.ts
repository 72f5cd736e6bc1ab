import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/api/server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApiLimits } from '../../src/api/app';
import { LocalArtifactStore } from '../../src/artifacts';
import { createRegistryWorker } from '../../src/worker/registry-worker';
import { loadConfig } from '../../src/config/environment';
import { openStore } from '../../src/store';
import { SQLITE_FILE } from '../../src/store/open-store';
import Database from 'better-sqlite3';
import type { SqlRegistryStore } from '../../src/store/sql-registry-store';
import { freshLocation, type Backend } from './store';

/** `modelctl serve` in this process on a free port over a fresh registry, without Temporal; a second store handle on the same database. */
export interface TestApiServer {
  server: RunningServer;
  url: string;
  home: string;
  /** The task queue its worker polls (with a Temporal server). */
  taskQueue: string;
  /** The secret of the admin token the first start wrote under the home. */
  adminToken: string;
  /** The registry's store, opened separately, to arrange and check rows. */
  store: SqlRegistryStore;
  /**
   * Runs one SQL statement on a connection of its own, outside every store of this process: a change as another
   * process (the CLI, a worker, another replica) would make it.
   */
  rawExec(statement: string): Promise<void>;
  /** `fetch` of a path under the server with an optional bearer token. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * @param limits the server's limits, and `dashboardDir`: the built dashboard to serve at `/`.
 * @param temporal a Temporal server for the workflow routes: the API server connects to it, and a worker with the
 *   registry's activities serves a task queue of this server's own; without it the server runs without Temporal.
 */
export async function startTestApiServer(
  backend: Backend,
  limits: ApiLimits & { dashboardDir?: string } = {},
  temporal?: TestWorkflowEnvironment,
): Promise<TestApiServer> {
  const location = await freshLocation(backend);
  const home = location.config.home ?? mkdtempSync(join(tmpdir(), 'modelctl-serve-'));
  const taskQueue = `api-${randomUUID()}`;
  const config = loadConfig(
    {},
    {
      MODELCTL_HOME: home,
      ...(location.config.databaseUrl ? { DATABASE_URL: location.config.databaseUrl } : {}),
      ...(temporal ? { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue } : {}),
    },
  );
  const server = await startServer({ config, port: 0, temporal: temporal !== undefined, logger: false, ...limits });
  const store = await openStore(location.config.databaseUrl ? { databaseUrl: location.config.databaseUrl } : { home });
  const adminToken = readFileSync(server.adminTokenFile!, 'utf8').trim();
  const worker = temporal
    ? await createRegistryWorker({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace ?? 'default',
        taskQueue,
        deps: { store, artifacts: new LocalArtifactStore(join(home, 'artifacts')) },
      })
    : null;
  const running = worker?.run();
  return {
    server,
    url: server.url,
    home,
    taskQueue,
    adminToken,
    store,
    rawExec:
      backend === 'sqlite'
        ? async (statement) => {
            const db = new Database(join(home, SQLITE_FILE));
            try {
              db.exec(statement);
            } finally {
              db.close();
            }
          }
        : (statement) => location.rawExec(statement),
    request(path, init = {}) {
      const { token, headers, ...rest } = init;
      return fetch(`${server.url}${path}`, {
        ...rest,
        headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(headers ?? {}) },
      });
    },
    async dispose() {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      await server.close();
      await store.close();
      await location.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
