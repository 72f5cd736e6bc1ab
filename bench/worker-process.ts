/**
 * A worker in a process of its own for the workflow benchmark: `node --import tsx bench/worker-process.ts` with
 * BENCH_HOME (registry.sqlite + artifacts/), TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE and BENCH_BUNDLE (the workflow
 * bundle's code, built once by the parent). Prints "ready" once polling; SIGTERM shuts it down gracefully.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { LocalArtifactStore } from '../src/artifacts';
import { openStore } from '../src/store';
import { createRegistryWorker } from '../src/worker';

async function main(): Promise<void> {
  const env = (name: string) =>
    process.env[name] ??
    (() => {
      throw new Error(`${name} is not set`);
    })();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const home = env('BENCH_HOME');
  const store = await openStore({ sqlitePath: join(home, 'registry.sqlite') });
  const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
  const worker = await createRegistryWorker({
    connection,
    namespace: 'default',
    taskQueue: env('TEMPORAL_TASK_QUEUE'),
    deps: { store, artifacts: new LocalArtifactStore(join(home, 'artifacts')) },
    workflowBundle: { code: readFileSync(env('BENCH_BUNDLE'), 'utf8') },
  });
  const running = worker.run();
  console.log('ready');
  await running;
  await connection.close();
  await store.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
