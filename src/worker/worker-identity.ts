import { hostname } from 'node:os';

const HOME_MARK = ' home=';
const REGISTRY_MARK = ' registry=';

/**
 * The identity a modelctl worker gives Temporal: `modelctl <pid>@<host> registry=<registry id> home=<MODELCTL_HOME>`
 * (without ` registry=…` when unknown). It shows in the Web UI's pollers, and lets a worker or the CLI tell a worker
 * of its own registry from one of another registry that polls the same task queue.
 */
export function workerIdentity(
  home: string,
  registryId: string | null = null,
  pid: number = process.pid,
  host: string = hostname(),
): string {
  return `modelctl ${pid}@${host}${registryId === null ? '' : `${REGISTRY_MARK}${registryId}`}${HOME_MARK}${home}`;
}

/** The registry home named in a worker identity from {@link workerIdentity}, or null for any other identity. */
export function homeOfIdentity(identity: string): string | null {
  if (!identity.startsWith('modelctl ')) return null;
  const at = identity.indexOf(HOME_MARK);
  return at < 0 ? null : identity.slice(at + HOME_MARK.length);
}

/** The registry id named in a worker identity from {@link workerIdentity}, or null (another identity, or none). */
export function registryOfIdentity(identity: string): string | null {
  if (!identity.startsWith('modelctl ')) return null;
  const home = identity.indexOf(HOME_MARK);
  const at = identity.indexOf(REGISTRY_MARK);
  return at < 0 || (home >= 0 && at > home)
    ? null
    : identity.slice(at + REGISTRY_MARK.length, home < 0 ? undefined : home);
}
