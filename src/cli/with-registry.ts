import type { Command } from 'commander';
import { ModelRegistry } from '../client/model-registry';
import { localRegistryOperations, type RegistryOperations } from '../client/registry-operations';
import { RemoteRegistry } from '../client/remote/remote-registry';
import { fromSystemError } from '../domain/system-errors';
import { configFrom } from './config-options';
import { remoteTarget } from './remote-target';

/**
 * Runs `body` on the registry the command names: the server of `--url` / MODELCTL_URL in remote mode, else the
 * registry of the command's configuration, opened and closed whatever happens, so the process exits as soon as the
 * command is done (no open pool keeps it alive). A full disk or a permission failure becomes one line naming the
 * path (SQLite's errors carry none: the database file is named).
 * @throws ModelctlError NO_SPACE, INVALID_INPUT (permission), SERVER_UNREACHABLE besides the body's own errors
 */
export async function withRegistry<T>(
  command: Command,
  body: (registry: RegistryOperations) => Promise<T>,
): Promise<T> {
  const remote = remoteTarget(command);
  if (remote !== null) return body(new RemoteRegistry(remote));
  return withLocalRegistry(command, (registry) => body(localRegistryOperations(registry)));
}

/** {@link withRegistry} on the local registry only, for commands that work on its files (the demo, W&B sync). */
export async function withLocalRegistry<T>(
  command: Command,
  body: (registry: ModelRegistry) => Promise<T>,
): Promise<T> {
  const config = configFrom(command);
  try {
    const registry = await ModelRegistry.open({ config });
    try {
      return await body(registry);
    } finally {
      await registry.close();
    }
  } catch (err) {
    throw fromSystemError(err, config.databaseUrl === null ? config.sqlitePath : undefined) ?? err;
  }
}

/** True when the command runs with --json. */
export function jsonMode(command: Command): boolean {
  return Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
}
