import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiTokens } from '../client/api-tokens';
import { ModelRegistry } from '../client/model-registry';
import { AbTestSchedules } from '../client/ab-test-schedules';
import { LifecycleClient } from '../client/lifecycle-client';
import { ensureWorker } from '../client/embedded-worker';
import { connectTemporal, workflowUrl, type TemporalRuntime } from '../client/temporal-runtime';
import type { ModelctlConfig } from '../config/environment';
import { ErrorCode, isModelctlError } from '../domain/errors';
import { fromListenError } from '../domain/system-errors';
import { buildApi, type ApiLimits } from './app';
import type { ReadinessCheck, WorkflowServices } from './context';

/** Name of the admin token the first start creates, and of its file under MODELCTL_HOME. */
export const FIRST_ADMIN_TOKEN = 'admin';
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Options of {@link startServer}. */
export interface ServeOptions extends ApiLimits {
  config: ModelctlConfig;
  /** Default 127.0.0.1: reachable from this machine only until a reverse proxy or `--host` says otherwise. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Connect to Temporal (and probe it in /readyz); default true. */
  temporal?: boolean;
  /** Fastify's pino logger; default on at level info. */
  logger?: boolean | { level: string };
  /** PEM certificate and key: serve HTTPS (default plain HTTP, e.g. behind a TLS-terminating proxy). */
  tls?: { cert: Buffer; key: Buffer };
  /** The built dashboard served at `/`; default the package's `dist/web`. */
  dashboardDir?: string;
}

/** A listening server. */
export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port` it listens on. */
  url: string;
  /** Where the first start wrote the admin token, or null when tokens existed already. */
  adminTokenFile: string | null;
  /** Stops taking connections, waits for requests in flight, then closes Temporal and the store. */
  close(): Promise<void>;
}

/**
 * Creates the first admin token when the registry has none and writes its secret to `<home>/admin-token` (mode
 * 0600). Replicas starting together race: the loser finds the name taken and writes nothing.
 * @returns the file written, or null
 */
async function ensureAdminToken(tokens: ApiTokens, home: string): Promise<string | null> {
  if ((await tokens.list()).length > 0) return null;
  try {
    const created = await tokens.create({ name: FIRST_ADMIN_TOKEN, role: 'admin' });
    mkdirSync(home, { recursive: true });
    const file = join(home, ADMIN_TOKEN_FILE);
    writeFileSync(file, `${created.token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  } catch (err) {
    if (isModelctlError(err, ErrorCode.ALREADY_EXISTS)) return null;
    throw err;
  }
}

/** How a user chooses where `serve` listens, named in the refusal of an address it cannot have. */
const LISTEN_FLAGS = '--host / --port';

/**
 * Binds `host:port` for a moment and lets go, so that a port another program holds is one line naming it before
 * anything else is started; port 0 (any free port) always works.
 * @throws ModelctlError UNAVAILABLE (port in use), INVALID_INPUT (privileged port, not an address of this machine)
 */
async function ensureCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', (err) => reject(fromListenError(err, host, port, LISTEN_FLAGS) ?? err));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * `modelctl serve`: opens the registry of `config` (and Temporal), builds the API and listens. Holds no state of its
 * own, so replicas over one PostgreSQL database and one Temporal cluster serve one registry. On the embedded Temporal
 * server it starts (or reuses) the home's background worker, as the local CLI does; on a cluster workers are the
 * operator's.
 * @throws ModelctlError CONFIGURATION / UNAVAILABLE (store, Temporal), CONFLICT (a worker of another registry or
 *   configuration, see ensureWorker), or the listen error (port in use)
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  // Before the registry is opened or an admin token written: a held port is refused with nothing started.
  await ensureCanListen(host, port);
  const registry = await ModelRegistry.open({ config: options.config });
  let runtime: TemporalRuntime | null = null;
  try {
    const tokens = new ApiTokens(registry.store);
    const adminTokenFile = await ensureAdminToken(tokens, options.config.home);
    const readiness: Record<string, ReadinessCheck> = { store: () => registry.store.ping() };
    let workflows: WorkflowServices | null = null;
    if (options.temporal !== false) {
      runtime = await connectTemporal(options.config);
      const connected = runtime;
      readiness.temporal = async () => {
        await connected.client.workflowService.getSystemInfo({});
      };
      const registryId = await registry.store.registryId();
      // On the embedded defaults nobody else runs a worker: without one every workflow the API starts would wait
      // forever. The background worker is the one the local CLI starts (same home, same checks), so both share it.
      if (connected.embedded) await ensureWorker(options.config, connected, registryId);
      workflows = {
        lifecycle: new LifecycleClient(connected.client, connected.taskQueue, registryId),
        schedules: new AbTestSchedules(connected.client, connected.taskQueue, registryId),
        workflowUrl: (workflowId) => workflowUrl(connected, workflowId),
        temporalUi: connected.uiUrl === null ? null : { url: connected.uiUrl, namespace: connected.namespace },
      };
    }
    const app = await buildApi(
      { registry, tokens, readiness, workflows },
      { ...options, logger: options.logger === false ? false : (options.logger ?? { level: 'info' }) },
    );
    try {
      await app.listen({ host, port });
    } catch (err) {
      // Another program may have taken the port since the check above.
      throw fromListenError(err, host, port, LISTEN_FLAGS) ?? err;
    }
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address !== null ? address.port : port;
    const openRuntime = runtime;
    return {
      app,
      url: `${options.tls ? 'https' : 'http'}://${host}:${boundPort}`,
      adminTokenFile,
      async close() {
        await app.close();
        await openRuntime?.close();
        await registry.close();
      },
    };
  } catch (err) {
    await runtime?.close();
    await registry.close();
    throw err;
  }
}
