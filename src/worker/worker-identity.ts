import { hostname } from 'node:os';

const HOME_MARK = ' home=';

/**
 * The identity a modelctl worker gives Temporal: `modelctl <pid>@<host> home=<MODELCTL_HOME>`. It shows in the Web
 * UI's pollers, and lets the CLI tell a worker of its own registry from one of another registry that polls the same
 * task queue on a shared dev server.
 */
export function workerIdentity(home: string, pid: number = process.pid, host: string = hostname()): string {
  return `modelctl ${pid}@${host}${HOME_MARK}${home}`;
}

/** The registry home named in a worker identity from {@link workerIdentity}, or null for any other identity. */
export function homeOfIdentity(identity: string): string | null {
  if (!identity.startsWith('modelctl ')) return null;
  const at = identity.indexOf(HOME_MARK);
  return at < 0 ? null : identity.slice(at + HOME_MARK.length);
}
