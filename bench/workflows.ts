/**
 * Workflows on a real Temporal dev server: promotion latency start→completed (p50/p99, one at a time), promotions per
 * minute with 1 and 4 workers (many models promoted at once), and many concurrent A/B tests waiting on their
 * durable timers (worker memory while they wait; whether all complete).
 */
import { join, resolve } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LocalArtifactStore } from '../src/artifacts';
import { LifecycleClient } from '../src/client/lifecycle-client';
import { openStore, type SqlRegistryStore } from '../src/store';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../src/worker';
import { startDevServer } from '../test/helpers/temporal';
import type { Benchmark, BenchContext } from './lib/context';
import { median, quantile, runConcurrently, timed } from './lib/measure';
import { fmt, type Row } from './lib/report';

interface Setup {
  env: TestWorkflowEnvironment;
  /** Registry home shared with the worker processes. */
  home: string;
  store: SqlRegistryStore;
  artifacts: LocalArtifactStore;
  /** The workflow bundle's code, built once for every worker process. */
  bundleFile: string;
}

const WORKER = resolve(__dirname, 'worker-process.ts');

async function registerModels(
  s: Setup,
  ctx: BenchContext,
  prefix: string,
  count: number,
  versions: string[],
): Promise<string[]> {
  const file = join(ctx.tmp, 'wf-artifact.bin');
  writeFileSync(file, 'weights');
  const artifact = await s.artifacts.put(file);
  const models = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const model of models) {
    for (const version of versions) {
      await s.store.createVersion({
        model,
        version,
        artifact,
        config: {},
        metrics: { accuracy: 0.9 },
        git: null,
        gitReason: 'bench',
        author: 'bench',
      });
    }
  }
  return models;
}

function startWorker(s: Setup, taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      BENCH_HOME: s.home,
      BENCH_BUNDLE: s.bundleFile,
      TEMPORAL_ADDRESS: s.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

/** Resident and peak resident memory of a process (MiB), from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Runs `fn` with `count` worker processes polling one task queue. */
async function withWorkers<T>(
  s: Setup,
  taskQueue: string,
  count: number,
  fn: (workers: ChildProcess[]) => Promise<T>,
): Promise<T> {
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(s, taskQueue)));
  try {
    return await fn(workers);
  } finally {
    for (const w of workers) {
      const exited = new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)));
      w.kill('SIGTERM');
      await exited;
    }
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
    const home = join(ctx.tmp, 'wf');
    const store = await openStore({ sqlitePath: join(home, 'registry.sqlite') });
    const bundleFile = join(ctx.tmp, 'workflow-bundle.js');
    writeFileSync(
      bundleFile,
      (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })).code,
    );
    const s: Setup = { env, home, store, artifacts: new LocalArtifactStore(join(home, 'artifacts')), bundleFile };
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
        for (const model of latencyModels.slice(1))
          out.push((await timed(() => client.promote({ model, version: '1.0.0', actor: 'bench' }))).ms);
        return out;
      });
      rows.push({
        group: 'workflows',
        case: 'promotion start→completed, p50 / p99',
        modelctl: `${fmt(quantile(latencies, 0.5))} / ${fmt(quantile(latencies, 0.99))} ms`,
        note: `${latencies.length} promotions, one at a time, 1 worker`,
      });

      for (const workers of [1, 4]) {
        const rates: number[] = [];
        for (let r = 0; r < ctx.runs; r++) {
          const warm = workers * 4;
          const models = await registerModels(s, ctx, `tp${workers}-${r}`, parallel + warm, ['1.0.0']);
          ctx.log(`workflows: ${parallel} promotions at once, ${workers} worker(s), run ${r + 1}/${ctx.runs}`);
          const queue = `bench-tp-${workers}-${r}`;
          const promote = (model: string) => lifecycle(queue).promote({ model, version: '1.0.0', actor: 'bench' });
          const { wallMs } = await withWorkers(s, queue, workers, async () => {
            // Warm-up: each worker's first workflow task loads the bundle into a fresh isolate.
            await runConcurrently(warm, warm, (i) => promote(models[parallel + i]!));
            return runConcurrently(parallel, parallel, (i) => promote(models[i]!));
          });
          rates.push((parallel * 60_000) / wallMs);
        }
        rows.push({
          group: 'workflows',
          case: `promotions per minute, ${workers} worker${workers > 1 ? 's' : ''}`,
          modelctl: `${fmt(median(rates))}/min`,
          note: `${parallel} models promoted at once, median of ${ctx.runs}`,
        });
      }

      ctx.log(`workflows: ${abTests} A/B tests waiting on ${abDuration / 1000} s timers`);
      // One model per test: a model runs one test of a given pair at a time.
      const abModels = await registerModels(s, ctx, 'abm', abTests, ['1.0.0', '1.1.0']);
      const ab = await withWorkers(s, 'bench-ab', 1, async ([worker]) => {
        const pid = worker!.pid!;
        const before = memoryOf(pid).rss;
        const client = lifecycle('bench-ab');
        const started = await timed(() =>
          runConcurrently(abTests, 32, (i) =>
            client.startAbTest({
              id: `ab-${i}`,
              model: abModels[i]!,
              control: '1.0.0',
              treatment: '1.1.0',
              duration: abDuration,
            }),
          ),
        );
        const waiting = memoryOf(pid).rss;
        const results = await Promise.all(Array.from({ length: abTests }, (_, i) => client.abTestResult(`ab-${i}`)));
        return {
          startMs: started.ms,
          before,
          waiting,
          peak: memoryOf(pid).peak,
          completed: results.filter((x) => x.status === 'COMPLETED').length,
        };
      });
      rows.push({
        group: 'workflows',
        case: `${fmt(abTests)} concurrent A/B tests on ${abDuration / 1000} s timers`,
        modelctl: `${ab.completed}/${abTests} completed`,
        note: `started in ${fmt(ab.startMs / 1000)} s`,
      });
      rows.push({
        group: 'workflows',
        case: 'worker process memory',
        modelctl: `RSS ${fmt(ab.waiting)} MiB with all waiting, peak ${fmt(ab.peak)} MiB`,
        note: `${fmt(ab.before)} MiB idle before the tests`,
      });
    } finally {
      await store.close();
      await env.teardown();
    }
    return [
      {
        title: 'Workflows on the Temporal dev server',
        method:
          'A real `temporal server start-dev` (in memory); each worker is a Node process running `createRegistryWorker` (bundle built once), over one SQLite registry and a local artifact store shared with the benchmark. Promotion: verify artifact → gates → atomic swap, no approval. A/B tests without outcomes end inconclusive after their timer. No peer: MLflow has no workflow engine.',
        rows,
      },
    ];
  },
};
