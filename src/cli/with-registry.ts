import type { Command } from 'commander';
import { ModelRegistry } from '../client/model-registry';
import { configFrom } from './config-options';

/**
 * Opens the registry the command's configuration names, runs `body`, and closes the registry whatever happens,
 * so the process exits as soon as the command is done (no open pool keeps it alive).
 */
export async function withRegistry<T>(command: Command, body: (registry: ModelRegistry) => Promise<T>): Promise<T> {
  const registry = await ModelRegistry.open({ config: configFrom(command) });
  try {
    return await body(registry);
  } finally {
    await registry.close();
  }
}

/** True when the command runs with --json. */
export function jsonMode(command: Command): boolean {
  return Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
}
