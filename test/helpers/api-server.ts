import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/api/server';
import type { ApiLimits } from '../../src/api/app';
import { loadConfig } from '../../src/config/environment';
import { openStore } from '../../src/store';
import type { SqlRegistryStore } from '../../src/store/sql-registry-store';
import { freshLocation, type Backend } from './store';

/** `modelctl serve` in this process on a free port over a fresh registry, without Temporal; a second store handle on the same database. */
export interface TestApiServer {
  server: RunningServer;
  url: string;
  home: string;
  /** The secret of the admin token the first start wrote under the home. */
  adminToken: string;
  /** The registry's store, opened separately, to arrange and check rows. */
  store: SqlRegistryStore;
  /** `fetch` of a path under the server with an optional bearer token. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  dispose(): Promise<void>;
}

export async function startTestApiServer(
  backend: Backend,
  limits: ApiLimits & { dashboardDir?: string } = {},
): Promise<TestApiServer> {
  const location = await freshLocation(backend);
  const home = location.config.home ?? mkdtempSync(join(tmpdir(), 'modelctl-serve-'));
  const config = loadConfig(
    {},
    { MODELCTL_HOME: home, ...(location.config.databaseUrl ? { DATABASE_URL: location.config.databaseUrl } : {}) },
  );
  const server = await startServer({ config, port: 0, temporal: false, logger: false, ...limits });
  const store = await openStore(location.config.databaseUrl ? { databaseUrl: location.config.databaseUrl } : { home });
  const adminToken = readFileSync(server.adminTokenFile!, 'utf8').trim();
  return {
    server,
    url: server.url,
    home,
    adminToken,
    store,
    request(path, init = {}) {
      const { token, headers, ...rest } = init;
      return fetch(`${server.url}${path}`, {
        ...rest,
        headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(headers ?? {}) },
      });
    },
    async dispose() {
      await server.close();
      await store.close();
      await location.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
