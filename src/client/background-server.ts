import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelctlConfig } from '../config/environment';
import { livePid, terminate } from '../embedded/pid-file';

const BIN = resolve(__dirname, '..', '..', 'bin', 'modelctl.js');

function serverFiles(home: string) {
  return {
    pid: join(home, 'server', 'serve.pid'),
    log: join(home, 'server', 'serve.log'),
    url: join(home, 'server', 'serve.url'),
  };
}

/** A background `modelctl serve` of a home: its address, whether this call started it, its pid and log. */
export type BackgroundServer =
  | { running: true; url: string; started: boolean; pid: number; logFile: string }
  | { running: false; reason: string; logFile: string };

/** True when `url`/healthz answers 200 within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Makes sure a background `modelctl serve` (HTTP API and dashboard) of this home answers on 127.0.0.1:`port`:
 * reuses the one running (pid and address under `<home>/server/`), else starts one detached, which outlives the
 * command like the background worker and is stopped by `modelctl dev --stop`. Never throws for the server itself:
 * when it cannot start (the port is taken, say) the answer says why and where its log is.
 * @param port TCP port, 1–65535.
 * @param timeoutMs how long to wait for the new server's /healthz (default 60 s).
 */
export async function ensureBackgroundServer(
  config: ModelctlConfig,
  port: number,
  timeoutMs = 60_000,
): Promise<BackgroundServer> {
  const files = serverFiles(config.home);
  const running = livePid(files.pid);
  if (running !== null) {
    const url = readFileSync(files.url, 'utf8').trim();
    if (await answers(url)) return { running: true, url, started: false, pid: running, logFile: files.log };
    await terminate(running);
  }
  mkdirSync(join(config.home, 'server'), { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(files.log, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MODELCTL_HOME: config.home,
    ARTIFACT_STORE: config.artifactStore,
    ...(config.databaseUrl !== null ? { DATABASE_URL: config.databaseUrl } : {}),
  };
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    detached: true,
    stdio: ['ignore', log, log],
    env,
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined)
    return { running: false, reason: 'the server process did not start', logFile: files.log };
  writeFileSync(files.pid, String(child.pid));
  writeFileSync(files.url, `${url}\n`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (livePid(files.pid) === null) {
      const lines = readFileSync(files.log, 'utf8').trim().split('\n');
      rmSync(files.pid, { force: true });
      return { running: false, reason: lines.at(-1) ?? 'the server exited', logFile: files.log };
    }
    if (await answers(url)) return { running: true, url, started: true, pid: child.pid, logFile: files.log };
    await new Promise((r) => setTimeout(r, 250));
  }
  await terminate(child.pid);
  rmSync(files.pid, { force: true });
  return { running: false, reason: `no answer on ${url} within ${timeoutMs / 1000} s`, logFile: files.log };
}

/** Stops the background `modelctl serve` of a home (graceful: SIGTERM drains requests). @returns whether one ran. */
export async function stopBackgroundServer(home: string): Promise<boolean> {
  const files = serverFiles(home);
  const pid = livePid(files.pid);
  rmSync(files.pid, { force: true });
  rmSync(files.url, { force: true });
  if (pid === null) return false;
  await terminate(pid, 40_000);
  return true;
}
