/**
 * A real GCS emulator (fake-gcs-server, in-memory backend) for the test run. It is found on PATH, which
 * scripts/lib/setup.sh extends with .tools/bin where it builds the emulator. The address is exported as
 * STORAGE_EMULATOR_HOST, which @google-cloud/storage honours, for every suite of the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Storage } from '@google-cloud/storage';
import { createStorageClient } from '../../src/artifacts/gcs-client';

const BINARY = 'fake-gcs-server';
const STATE_KEY = Symbol.for('modelctl.test.gcsEmulator');

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

/** Starts the emulator on a free port and sets process.env.STORAGE_EMULATOR_HOST to its address. */
export async function startGcsEmulator(): Promise<string> {
  const port = await freePort();
  const host = `http://127.0.0.1:${port}`;
  const child = spawn(
    BINARY,
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-external-url', host, '-log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(new Error(`cannot start ${BINARY} (${err.message}); run scripts/lib/setup.sh's ensure_gcs_emulator or put it on PATH`)),
    ),
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
  if (!process.env.STORAGE_EMULATOR_HOST) throw new Error('STORAGE_EMULATOR_HOST is not set: is the GCS emulator running (test/helpers/global-setup.ts)?');
  return createStorageClient();
}

/** Creates a fresh bucket with a unique name in the emulator and returns its name. */
export async function createTestBucket(prefix = 'modelctl-test'): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await emulatorStorage().createBucket(name);
  return name;
}
