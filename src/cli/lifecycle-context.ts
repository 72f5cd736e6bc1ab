import type { Command } from 'commander';
import { AbTestSchedules } from '../client/ab-test-schedules';
import { ensureWorker } from '../client/embedded-worker';
import { LifecycleClient } from '../client/lifecycle-client';
import { localLifecycleOperations, type LifecycleOperations } from '../client/lifecycle-operations';
import { RemoteLifecycle } from '../client/remote/remote-lifecycle';
import { connectTemporal } from '../client/temporal-runtime';
import { configFrom } from './config-options';
import { remoteTarget } from './remote-target';
import { withLocalRegistry } from './with-registry';

/**
 * Runs `fn` on the workflow operations the command names: the server of `--url` / MODELCTL_URL in remote mode;
 * else connects to Temporal (embedded server unless TEMPORAL_ADDRESS), makes sure a worker serves the task queue
 * (a background one on the embedded server; a warning on a cluster with none), runs `fn`, and disconnects.
 */
export async function withLifecycle<R>(
  command: Command,
  fn: (lifecycle: LifecycleOperations) => Promise<R>,
): Promise<R> {
  const remote = remoteTarget(command);
  if (remote !== null) return fn(new RemoteLifecycle(remote));
  const config = configFrom(command);
  // The identity of the command's registry: checked against the worker's and carried in every workflow input.
  const registryId = await withLocalRegistry(command, (registry) => registry.store.registryId());
  const runtime = await connectTemporal(config);
  try {
    const worker = await ensureWorker(config, runtime, registryId);
    if (worker.kind === 'none') {
      process.stderr.write(
        `modelctl: warning: no worker polls task queue ${runtime.taskQueue} on ${runtime.address}; start one with \`modelctl worker\`\n`,
      );
    }
    return await fn(
      localLifecycleOperations(
        new LifecycleClient(runtime.client, runtime.taskQueue, registryId),
        runtime,
        new AbTestSchedules(runtime.client, runtime.taskQueue, registryId),
        (read) => withLocalRegistry(command, (registry) => read(registry.store)),
      ),
    );
  } finally {
    await runtime.close();
  }
}

/** Parses a repeatable option into a list (commander `.option(flags, desc, collect, [])`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
