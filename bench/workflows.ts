/**
 * Workflows on a real Temporal dev server: promotion latency start→completed (p50/p99, one at a time), promotions per
 * minute with 1 and 4 workers (many models promoted at once), and many concurrent A/B tests waiting on their
 * durable timers (worker memory while they wait; whether all complete).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import { LocalArtifactStore } from '../src/artifacts';
import { LifecycleClient } from '../src/client/lifecycle-client';
import { openStore, type SqlRegistryStore } from '../src/store';
import { bundleWorkflows, createRegistryWorker } from '../src/worker';
import { startDevServer } from '../test/helpers/temporal';
import type { Benchmark, BenchContext } from './lib/context';
import { median, quantile, rssMiB, runConcurrently, timed } from './lib/measure';
import { fmt, type Row } from './lib/report';

interface Setup {
  env: TestWorkflowEnvironment;
  store: SqlRegistryStore;
  artifacts: LocalArtifactStore;
  bundle: WorkflowBundle;
}

async function registerModels(s: Setup, ctx: BenchContext, prefix: string, count: number, versions: string[]): Promise<string[]> {
  const file = join(ctx.tmp, 'wf-artifact.bin');
  writeFileSync(file, 'weights');
  const artifact = await s.artifacts.put(file);
  const models = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const model of models) {
    for (const version of versions) {
      await s.store.createVersion({ model, version, artifact, config: {}, metrics: { accuracy: 0.9 }, git: null, gitReason: 'bench', author: 'bench' });
    }
  }
  return models;
}

/** Runs `fn` with `count` workers polling one task queue, all in this process and sharing one bundle. */
async function withWorkers<T>(s: Setup, taskQueue: string, count: number, fn: (workers: Worker[]) => Promise<T>): Promise<T> {
  const workers = await Promise.all(
    Array.from({ length: count }, () =>
      createRegistryWorker({ connection: s.env.nativeConnection, namespace: 'default', taskQueue, deps: { store: s.store, artifacts: s.artifacts }, workflowBundle: s.bundle }),
    ),
  );
  const running = workers.map((w) => w.run());
  try {
    return await fn(workers);
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
  }
}

export const workflows: Benchmark = {
  name: 'workflows',
  async run(ctx) {
    const sequential = ctx.quick ? 6 : 50;
    const parallel = ctx.quick ? 10 : 100;
    const abTests = ctx.quick ? 50 : 1000;
    const abDuration = ctx.quick ? 5_000 : 30_000;
    ctx.log('workflows: starting the dev server and bundling the workflows');
    const env = await startDevServer();
    const store = await openStore({ sqlitePath: join(ctx.tmp, 'wf', 'registry.sqlite') });
    const s: Setup = { env, store, artifacts: new LocalArtifactStore(join(ctx.tmp, 'wf', 'artifacts')), bundle: await bundleWorkflows() };
    const rows: Row[] = [];
    try {
      const lifecycle = (queue: string) => new LifecycleClient(env.client, queue);
      // Latency: one promotion at a time, one worker.
      const latencyModels = await registerModels(s, ctx, 'lat', sequential, ['1.0.0']);
      ctx.log(`workflows: ${sequential} promotions one at a time`);
      const latencies = await withWorkers(s, 'bench-latency', 1, async () => {
        const client = lifecycle('bench-latency');
        await client.promote({ model: latencyModels[0]!, version: '1.0.0', actor: 'bench' }); // warm-up: first workflow task loads the bundle
        const out: number[] = [];
        for (const model of latencyModels.slice(1)) out.push((await timed(() => client.promote({ model, version: '1.0.0', actor: 'bench' }))).ms);
        return out;
      });
      rows.push({ group: 'workflows', case: 'promotion start→completed, p50 / p99', modelctl: `${fmt(quantile(latencies, 0.5))} / ${fmt(quantile(latencies, 0.99))} ms`, note: `${latencies.length} promotions, one at a time, 1 worker` });

      for (const workers of [1, 4]) {
        const rates: number[] = [];
        for (let r = 0; r < ctx.runs; r++) {
          const models = await registerModels(s, ctx, `tp${workers}-${r}`, parallel, ['1.0.0']);
          ctx.log(`workflows: ${parallel} promotions at once, ${workers} worker(s), run ${r + 1}/${ctx.runs}`);
          const queue = `bench-tp-${workers}-${r}`;
          const { wallMs } = await withWorkers(s, queue, workers, () =>
            runConcurrently(parallel, parallel, (i) => lifecycle(queue).promote({ model: models[i]!, version: '1.0.0', actor: 'bench' })),
          );
          rates.push((parallel * 60_000) / wallMs);
        }
        rows.push({ group: 'workflows', case: `promotions per minute, ${workers} worker${workers > 1 ? 's' : ''}`, modelctl: `${fmt(median(rates))}/min`, note: `${parallel} models promoted at once, median of ${ctx.runs}` });
      }

      ctx.log(`workflows: ${abTests} A/B tests waiting on ${abDuration / 1000} s timers`);
      const [abModel] = await registerModels(s, ctx, 'abm', 1, ['1.0.0', '1.1.0']);
      const before = rssMiB();
      const ab = await withWorkers(s, 'bench-ab', 1, async () => {
        const client = lifecycle('bench-ab');
        const started = await timed(() =>
          runConcurrently(abTests, 32, (i) => client.startAbTest({ id: `ab-${i}`, model: abModel!, control: '1.0.0', treatment: '1.1.0', duration: abDuration })),
        );
        let peak = rssMiB();
        const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 250);
        try {
          const results = await Promise.all(Array.from({ length: abTests }, (_, i) => client.abTestResult(`ab-${i}`)));
          return { startMs: started.ms, peak, completed: results.filter((x) => x.status === 'COMPLETED').length };
        } finally {
          clearInterval(sampler);
        }
      });
      rows.push({ group: 'workflows', case: `${fmt(abTests)} concurrent A/B tests on ${abDuration / 1000} s timers`, modelctl: `${ab.completed}/${abTests} completed`, note: `started in ${fmt(ab.startMs / 1000)} s` });
      rows.push({ group: 'workflows', case: 'worker process RSS while they wait', modelctl: `${fmt(ab.peak)} MiB peak`, note: `${fmt(before)} MiB before the tests (server client, store and worker in one process)` });
    } finally {
      await store.close();
      await env.teardown();
    }
    return [
      {
        title: 'Workflows on the Temporal dev server',
        method: 'A real `temporal server start-dev` (in memory); workers are `createRegistryWorker` instances in the benchmark process sharing one bundle, over a SQLite registry and a local artifact store. Promotion: verify artifact → gates → atomic swap, no approval. A/B tests without outcomes end inconclusive after their timer. No peer: MLflow has no workflow engine.',
        rows,
      },
    ];
  },
};
