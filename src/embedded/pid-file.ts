import { existsSync, readFileSync } from 'node:fs';

/** True when a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in `file` when the file exists and that process is alive, else null. */
export function livePid(file: string): number | null {
  if (!existsSync(file)) return null;
  const value = Number.parseInt(readFileSync(file, 'utf8'), 10);
  return Number.isInteger(value) && isAlive(value) ? value : null;
}

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL. */
export async function terminate(pid: number, timeoutMs = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}
