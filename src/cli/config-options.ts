import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, type ModelctlConfig } from '../config/environment';
import { parseFlags } from './parse-flags';

/** Global flags that override the environment (docs/architecture.md, "Configuration"). */
export interface ConfigFlags {
  home?: string;
  databaseUrl?: string;
  artifactStore?: string;
  temporalAddress?: string;
  namespace?: string;
  taskQueue?: string;
}

const notEmpty = z.string().min(1, 'must not be empty (leave the flag out for the default)').optional();
const ConfigFlagsSchema = z.object({
  home: notEmpty,
  databaseUrl: notEmpty,
  artifactStore: notEmpty,
  temporalAddress: notEmpty,
  namespace: notEmpty,
  taskQueue: notEmpty,
});

/** Adds the configuration flags to the root program; every subcommand sees them. */
export function addConfigOptions(program: Command): Command {
  return program
    .option(
      '--home <dir>',
      'registry home: SQLite file, local artifacts, embedded server state (env MODELCTL_HOME, default ./.modelctl)',
    )
    .option('--database-url <url>', 'PostgreSQL URL for the registry (env DATABASE_URL; default SQLite under --home)')
    .option('--artifact-store <uri>', 'file:///dir or gs://bucket/prefix (env ARTIFACT_STORE)')
    .option(
      '--temporal-address <host:port>',
      'Temporal cluster (env TEMPORAL_ADDRESS; default the embedded dev server)',
    )
    .option('--namespace <name>', 'Temporal namespace (env TEMPORAL_NAMESPACE, default "default")')
    .option('--task-queue <name>', 'Temporal task queue (env TEMPORAL_TASK_QUEUE, default "modelctl")');
}

/** The configuration for a command: environment, then the global flags on top. */
export function configFrom(command: Command): ModelctlConfig {
  const f = parseFlags(ConfigFlagsSchema, { ...command.optsWithGlobals<ConfigFlags>() });
  return loadConfig(process.env, {
    MODELCTL_HOME: f.home,
    DATABASE_URL: f.databaseUrl,
    ARTIFACT_STORE: f.artifactStore,
    TEMPORAL_ADDRESS: f.temporalAddress,
    TEMPORAL_NAMESPACE: f.namespace,
    TEMPORAL_TASK_QUEUE: f.taskQueue,
  });
}
