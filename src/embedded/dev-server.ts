import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { locateTemporalBinary, TemporalBinary } from './temporal-binaries';
import { isAlive, livePid, terminate } from './pid-file';

/** Where the embedded dev server listens and keeps its state. */
export interface DevServerOptions {
  /** MODELCTL_HOME: the server's SQLite file, log and pid file go under `<home>/temporal`. */
  home: string;
  /** gRPC port; default 7233. */
  port?: number;
  /** Web UI port; default 8233. */
  uiPort?: number;
  /** How long to wait for the port to accept connections, in ms; default 30,000. */
  startTimeoutMs?: number;
  /**
   * Attached: the server is a child of this process (for `modelctl dev`, stopped with it); default detached, so it
   * outlives the command that started it and later commands reuse it.
   */
  attached?: boolean;
}

export interface DevServerInfo {
  /** host:port for TEMPORAL_ADDRESS. */
  address: string;
  /** Base URL of the Temporal Web UI. */
  uiUrl: string;
  pid: number | null;
  /** True when this call started the server, false when it reused a running one. */
  started: boolean;
  /** Stops the server when this call started it attached; otherwise does nothing. */
  stop(): Promise<void>;
  logFile: string;
}

/** True when something accepts TCP connections on 127.0.0.1:port within `timeoutMs`. */
export function isPortOpen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * True when the program on 127.0.0.1:port answers as a Temporal frontend: a gRPC GetSystemInfo call over HTTP/2 gets
 * a grpc-status (any: an answer in gRPC's own words is a gRPC server). Anything else (no HTTP/2, no answer within
 * `timeoutMs`) is another program that merely holds the port.
 */
export function answersAsTemporal(port: number, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = http2Connect(`http://127.0.0.1:${port}`);
    const done = (yes: boolean) => {
      clearTimeout(timer);
      session.destroy();
      resolve(yes);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    session.once('error', () => done(false));
    const call = session.request({
      ':method': 'POST',
      ':path': '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    call.once('response', (headers) => {
      if (headers['grpc-status'] !== undefined) done(true);
    });
    call.once('trailers', (trailers) => done(trailers['grpc-status'] !== undefined));
    call.once('error', () => done(false));
    // An empty GetSystemInfoRequest: uncompressed flag, length 0.
    call.end(Buffer.alloc(5));
  });
}

function portHeld(port: number, variable: string, role: string): ModelctlError {
  return new ModelctlError(
    ErrorCode.UNAVAILABLE,
    `port ${port} (${variable}) is held by another program, not the embedded Temporal server: it needs the port for its ${role}; stop that program or choose another port with ${variable}`,
    { port },
  );
}

function paths(home: string) {
  const dir = join(home, 'temporal');
  return { dir, db: join(dir, 'dev-server.db'), pid: join(dir, 'dev-server.pid'), log: join(dir, 'dev-server.log') };
}

/** The pid of the background embedded server from its pid file, or null when absent or dead. */
export function runningDevServerPid(home: string): number | null {
  return livePid(paths(home).pid);
}

/**
 * Dynamic config every dev server modelctl starts runs with (the embedded one, the tests' and the benchmark's).
 *
 * `history.transferProcessorMaxPollRPS`: a history shard reads its transfer queue (the tasks that hand workflow and
 * activity tasks to matching) at most this many times a second, 20 by default. The dev server has a single shard, so
 * workflows run one after another (a CI pipeline promoting, then rolling back) wait 40–50 ms on every workflow task
 * once the limiter's small burst is spent: a promotion took 300 ms instead of 75 ms. The reader still polls only
 * when it is told of new tasks, so an idle server costs nothing more. A production cluster spreads this limit over
 * its shards; see docs/architecture.md.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = ['history.transferProcessorMaxPollRPS=1000'];

/** DEV_SERVER_DYNAMIC_CONFIG as `temporal server start-dev` arguments. */
export function devServerConfigArgs(): string[] {
  return DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]);
}

/**
 * Starts the embedded Temporal dev server (`temporal server start-dev`, persistent in `<home>/temporal/dev-server.db`,
 * with modelctl's search attributes) as a background process that outlives the caller, or reuses the one already
 * listening on the port. Waits until the port accepts connections.
 * @throws ModelctlError TEMPORAL_BINARY_NOT_FOUND (with the install command), UNAVAILABLE when it does not come up or
 *   another program holds its gRPC or Web UI port.
 */
export async function ensureDevServer(options: DevServerOptions): Promise<DevServerInfo> {
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  const p = paths(options.home);
  const info = (
    pid: number | null,
    started: boolean,
    stop: () => Promise<void> = async () => undefined,
  ): DevServerInfo => ({
    address: `127.0.0.1:${port}`,
    uiUrl: `http://localhost:${uiPort}`,
    pid,
    started,
    logFile: p.log,
    stop,
  });
  if (await isPortOpen(port)) {
    // A program that is not Temporal on the port would otherwise be "reused" and every call time out against it.
    // The home's own server (its pid file names a live process) needs no asking.
    const ours = runningDevServerPid(options.home);
    if (ours === null && !(await answersAsTemporal(port)))
      throw portHeld(port, 'MODELCTL_TEMPORAL_PORT', 'gRPC frontend');
    return info(ours, false);
  }
  // The server would start, fail to bind its Web UI and exit, leaving only "see the log".
  if (await isPortOpen(uiPort)) throw portHeld(uiPort, 'MODELCTL_TEMPORAL_UI_PORT', 'Web UI');

  const binary = locateTemporalBinary(TemporalBinary.CLI);
  mkdirSync(p.dir, { recursive: true });
  const log = openSync(p.log, 'a');
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    p.db,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--log-level',
    'warn',
    ...devServerConfigArgs(),
    ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
  ];
  const attached = options.attached ?? false;
  const child = spawn(binary, args, { detached: !attached, stdio: ['ignore', log, log] });
  closeSync(log);
  if (!attached) child.unref();
  if (child.pid === undefined)
    throw new ModelctlError(ErrorCode.UNAVAILABLE, `could not start ${binary}; see ${p.log}`);
  if (!attached) writeFileSync(p.pid, String(child.pid));

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (await isPortOpen(port)) return info(child.pid, true, attached ? () => terminate(child.pid!) : undefined);
    if (!isAlive(child.pid)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new ModelctlError(
    ErrorCode.UNAVAILABLE,
    `the embedded Temporal server did not start on port ${port}; see ${p.log}`,
  );
}

/** Stops the embedded dev server started in the background by {@link ensureDevServer}. @returns whether one was running. */
export async function stopDevServer(home: string, timeoutMs = 15_000): Promise<boolean> {
  const pid = runningDevServerPid(home);
  rmSync(paths(home).pid, { force: true });
  if (pid === null) return false;
  await terminate(pid, timeoutMs);
  return true;
}
