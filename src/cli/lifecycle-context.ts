import type { Command } from 'commander';
import type { ModelctlConfig } from '../config/environment';
import { AbTestSchedules } from '../client/ab-test-schedules';
import { ensureWorker, type WorkerStatus } from '../client/embedded-worker';
import { LifecycleClient } from '../client/lifecycle-client';
import { connectTemporal, type TemporalRuntime } from '../client/temporal-runtime';
import { configFrom } from './config-options';

/** What a workflow command works with. */
export interface LifecycleContext {
  config: ModelctlConfig;
  runtime: TemporalRuntime;
  lifecycle: LifecycleClient;
  schedules: AbTestSchedules;
  worker: WorkerStatus;
}

/**
 * Connects to Temporal (embedded server unless TEMPORAL_ADDRESS), makes sure a worker serves the task queue
 * (a background one on the embedded server; a warning on a cluster with none), runs `fn`, and disconnects.
 */
export async function withLifecycle<R>(command: Command, fn: (ctx: LifecycleContext) => Promise<R>): Promise<R> {
  const config = configFrom(command);
  const runtime = await connectTemporal(config);
  try {
    const worker = await ensureWorker(config, runtime);
    if (worker.kind === 'none') {
      process.stderr.write(
        `modelctl: warning: no worker polls task queue ${runtime.taskQueue} on ${runtime.address}; start one with \`modelctl worker\`\n`,
      );
    }
    return await fn({
      config,
      runtime,
      lifecycle: new LifecycleClient(runtime.client, runtime.taskQueue),
      schedules: new AbTestSchedules(runtime.client, runtime.taskQueue),
      worker,
    });
  } finally {
    await runtime.close();
  }
}

/** Parses a repeatable option into a list (commander `.option(flags, desc, collect, [])`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
