import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type RegistryStore } from '../../src/store';
import { BIN, freePort, modelctl, spawnUntil, stop } from './cli';

/**
 * How a CLI suite runs its commands: `local` opens the store and Temporal in each CLI process; `remote` sends every
 * command to a `modelctl serve` over the suite's own home (MODELCTL_URL / MODELCTL_TOKEN), as a CI runner does.
 */
export type CliMode = 'local' | 'remote';

/** Both modes, for `describe.each`: the same test bodies must print the same and exit the same in each. */
export const CLI_MODES: readonly CliMode[] = ['local', 'remote'];

/** A suite's CLI in one mode. */
export interface CliSession {
  mode: CliMode;
  /** The environment of the suite's commands: its own, plus MODELCTL_URL and MODELCTL_TOKEN in remote mode. */
  env: NodeJS.ProcessEnv;
  /** The server's `http://127.0.0.1:port` in remote mode, else null. */
  url: string | null;
  /** Stops the server (remote mode) and the embedded Temporal it started for a suite without one; safe to call twice. */
  close(): Promise<void>;
}

/**
 * The CLI of a suite in `mode` over the registry that `env` configures (MODELCTL_HOME, DATABASE_URL, the embedded
 * Temporal ports…). In remote mode starts `modelctl serve` with that same environment on a free port (so the server
 * and the suite's own store handle see one registry) and creates an admin token named after the suite's actor
 * ($USER of `env`), so what a remote command records as its actor equals what a local one records.
 */
export async function startCliSession(mode: CliMode, env: NodeJS.ProcessEnv): Promise<CliSession> {
  if (mode === 'local') return { mode, env, url: null, close: async () => undefined };
  const home = env.MODELCTL_HOME;
  if (home === undefined) throw new Error('a remote CLI session needs the MODELCTL_HOME of its registry');
  // A suite that does not configure Temporal gets an embedded dev server of its own on free ports (never the
  // default 7233 another registry may hold), stopped with the server.
  const ownTemporal = env.TEMPORAL_ADDRESS === undefined && env.MODELCTL_TEMPORAL_PORT === undefined;
  const serverEnv: NodeJS.ProcessEnv = {
    ...env,
    ...(ownTemporal
      ? {
          TEMPORAL_ADDRESS: '',
          MODELCTL_TEMPORAL_PORT: String(await freePort()),
          MODELCTL_TEMPORAL_UI_PORT: String(await freePort()),
        }
      : {}),
    MODELCTL_URL: undefined,
    MODELCTL_TOKEN: undefined,
  };
  const port = await freePort();
  // The suites run hundreds of commands a minute through one token; the default limit is for real clients.
  const server: ChildProcess = await spawnUntil(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--rate-limit', '100000000'],
    serverEnv,
    /modelctl serve: listening on /,
    // An embedded Temporal dev server (and its worker) starts first on a loaded machine.
    150_000,
  );
  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await stop(server);
    if (ownTemporal) modelctl(['dev', '--stop'], { env: serverEnv });
  };
  try {
    const admin = readFileSync(join(home, 'admin-token'), 'utf8').trim();
    const actor = env.USER ?? process.env.USER ?? 'modelctl';
    const res = await fetch(`${url}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: actor, role: 'admin' }),
    });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 201 || body.token === undefined)
      throw new Error(`creating the token ${actor} answered ${res.status}: ${JSON.stringify(body)}`);
    return { mode, env: { ...env, MODELCTL_URL: url, MODELCTL_TOKEN: body.token }, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A CLI suite on the embedded Temporal dev server of its own home, in one mode. */
export interface EmbeddedCliSuite {
  session: CliSession;
  /** The home's registry, opened by the test itself to arrange and check rows. */
  store: RegistryStore;
  /** Stops the server (remote mode), closes the store, then stops the home's background worker and dev server. */
  close(): Promise<void>;
}

/**
 * {@link startCliSession} for a suite whose `env` runs the embedded dev server of its home (free ports, no
 * TEMPORAL_ADDRESS), with a store handle on that home; the dev server and worker the commands start are stopped by
 * `close`.
 */
export async function startEmbeddedCliSuite(mode: CliMode, env: NodeJS.ProcessEnv): Promise<EmbeddedCliSuite> {
  const store = await openStore({ home: env.MODELCTL_HOME });
  const stopEmbedded = () => modelctl(['dev', '--stop'], { env });
  let session: CliSession;
  try {
    session = await startCliSession(mode, env);
  } catch (err) {
    await store.close();
    stopEmbedded();
    throw err;
  }
  return {
    session,
    store,
    async close() {
      await session.close();
      await store.close();
      stopEmbedded();
    },
  };
}
