/**
 * A real GCS emulator (fake-gcs-server, in-memory backend) for the test run. It is found on PATH, then in the
 * project's .tools/bin, where scripts/lib/setup.sh builds it. The address is exported as STORAGE_EMULATOR_HOST
 * for every suite of the run. When the binary is missing, suites that do not use GCS still run; the ones that do
 * fail with the reason and the set-up command (see {@link emulatorStorage}).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { createStorageClient } from '../../src/artifacts/gcs-client';

const BINARY = 'fake-gcs-server';
const STATE_KEY = Symbol.for('modelctl.test.gcsEmulator');
/** Set instead of STORAGE_EMULATOR_HOST when the emulator could not start; read by emulatorStorage(). */
const UNAVAILABLE_ENV = 'MODELCTL_TEST_GCS_EMULATOR_UNAVAILABLE';
const INSTALL_HINT =
  'run `bash -c "source scripts/lib/setup.sh && ensure_gcs_emulator"` or put fake-gcs-server on PATH';

function locateEmulator(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), resolve(__dirname, '../../.tools/bin')];
  for (const dir of dirs) {
    const candidate = join(dir, BINARY);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

interface EmulatorState {
  child: ChildProcess;
  host: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitUntilReady(host: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`${BINARY} exited with code ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${host}/storage/v1/b`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${BINARY} did not answer on ${host}: ${output()}`);
}

/**
 * Starts the emulator on a free port and sets process.env.STORAGE_EMULATOR_HOST to its address.
 * Returns null (and records why) when the binary is not installed; throws when it is installed but fails to start.
 */
export async function startGcsEmulator(): Promise<string | null> {
  const binary = locateEmulator();
  if (binary === null) {
    process.env[UNAVAILABLE_ENV] = `${BINARY} not found on PATH or in .tools/bin; ${INSTALL_HINT}`;
    return null;
  }
  const port = await freePort();
  const host = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-backend',
      'memory',
      '-external-url',
      host,
      '-log-level',
      'error',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) => reject(new Error(`cannot start ${binary} (${err.message}); ${INSTALL_HINT}`))),
  );
  await Promise.race([waitUntilReady(host, child, () => output), spawnError]);
  (globalThis as Record<symbol, unknown>)[STATE_KEY] = { child, host } satisfies EmulatorState;
  process.env.STORAGE_EMULATOR_HOST = host;
  return host;
}

/** Stops the emulator started by {@link startGcsEmulator}; safe when none runs. */
export async function stopGcsEmulator(): Promise<void> {
  const state = (globalThis as Record<symbol, unknown>)[STATE_KEY] as EmulatorState | undefined;
  if (state === undefined) return;
  delete (globalThis as Record<symbol, unknown>)[STATE_KEY];
  if (state.child.exitCode === null) {
    state.child.kill('SIGTERM');
    await once(state.child, 'exit');
  }
}

/** A Storage client for the running emulator (STORAGE_EMULATOR_HOST must be set). */
export function emulatorStorage(): Storage {
  if (!process.env.STORAGE_EMULATOR_HOST) {
    throw new Error(
      process.env[UNAVAILABLE_ENV] ??
        'STORAGE_EMULATOR_HOST is not set: test/helpers/global-setup.ts starts the GCS emulator',
    );
  }
  return createStorageClient();
}

/** Creates a fresh bucket with a unique name in the emulator and returns its name. */
export async function createTestBucket(prefix = 'modelctl-test'): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await emulatorStorage().createBucket(name);
  return name;
}
