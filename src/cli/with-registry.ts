import type { Command } from 'commander';
import { ModelRegistry } from '../client/model-registry';
import { fromSystemError } from '../domain/system-errors';
import { configFrom } from './config-options';

/**
 * Opens the registry the command's configuration names, runs `body`, and closes the registry whatever happens,
 * so the process exits as soon as the command is done (no open pool keeps it alive). A full disk or a permission
 * failure becomes one line naming the path (SQLite's errors carry none: the database file is named).
 * @throws ModelctlError NO_SPACE, INVALID_INPUT (permission) besides the body's own errors
 */
export async function withRegistry<T>(command: Command, body: (registry: ModelRegistry) => Promise<T>): Promise<T> {
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
