/**
 * Metric logging: points per second logged in batches of 1,000, then the series read back in full (paged, 10,000 a
 * page) and downsampled to 1,000 points. modelctl: RegistryStore.logMetrics / metricHistory / downsampledMetrics.
 * MLflow: log_batch / get_metric_history / the UI's get-history-bulk-interval endpoint, through its tracking server.
 */
import { join } from 'node:path';
import { openStore } from '../src/store';
import type { MetricPointInput } from '../src/domain/experiment';
import type { Benchmark, BenchContext } from './lib/context';
import { median, timed } from './lib/measure';
import { mlflowDriver, mlflowServer } from './lib/mlflow';
import { freshDatabase } from './lib/postgres';
import { fmt, ratio, type Row } from './lib/report';

const BATCH = 1_000;
const SAMPLE = 1_000;
type Backend = 'sqlite' | 'postgres';

interface RunFigures {
  logMs: number;
  fullMs: number;
  sampledMs: number;
}

async function modelctlMetrics(ctx: BenchContext, backend: Backend, points: number): Promise<RunFigures[]> {
  const databaseUrl = backend === 'postgres' ? await freshDatabase(ctx.pgAdminUrl!, 'bench_metrics') : undefined;
  const store = await openStore(databaseUrl ? { databaseUrl } : { sqlitePath: join(ctx.tmp, 'metrics', 'registry.sqlite') });
  const out: RunFigures[] = [];
  try {
    for (let r = 0; r < ctx.runs; r++) {
      const { id } = await store.createExperiment({ name: `metrics-${r}`, type: 'TRAINING' });
      const logged = await timed(async () => {
        for (let first = 0; first < points; first += BATCH) {
          const batch: MetricPointInput[] = [];
          for (let s = first; s < Math.min(first + BATCH, points); s++) batch.push({ key: 'loss', value: 1 / (1 + s), step: s });
          await store.logMetrics(id, batch);
        }
      });
      const full = await timed(async () => {
        let count = 0;
        let after: string | undefined;
        do {
          const page = await store.metricHistory({ experimentId: id, key: 'loss', limit: 10_000, ...(after ? { after } : {}) });
          count += page.points.length;
          after = page.nextCursor ?? undefined;
        } while (after !== undefined);
        return count;
      });
      if (full.value !== points) throw new Error(`read ${full.value} points, expected ${points}`);
      const sampled = await timed(() => store.downsampledMetrics({ experimentId: id, key: 'loss', maxPoints: SAMPLE }));
      if (sampled.value.length !== Math.min(SAMPLE, points)) throw new Error(`downsampled to ${sampled.value.length} points`);
      out.push({ logMs: logged.ms, fullMs: full.ms, sampledMs: sampled.ms });
    }
  } finally {
    await store.close();
  }
  return out;
}

async function mlflowMetrics(ctx: BenchContext, uri: string, points: number): Promise<RunFigures[]> {
  return mlflowDriver<RunFigures[]>(ctx, ['metrics', '--uri', uri, '--points', String(points), '--batch', String(BATCH), '--runs', String(ctx.runs), '--sample', String(SAMPLE)]);
}

export const metrics: Benchmark = {
  name: 'metrics',
  async run(ctx) {
    const points = ctx.quick ? 100_000 : 1_000_000;
    const backends: Backend[] = ctx.pgAdminUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
    const rows: Row[] = [];
    for (const backend of backends) {
      const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      ctx.log(`metrics: ${backend}, ${ctx.runs}×${points} points`);
      const ours = await modelctlMetrics(ctx, backend, points);
      const uri = await mlflowServer(ctx, backend);
      const theirs = uri === undefined ? undefined : await mlflowMetrics(ctx, uri, points);
      const rate = (runs: RunFigures[]) => median(runs.map((r) => (points * 1000) / r.logMs));
      const med = (runs: RunFigures[], k: keyof RunFigures) => median(runs.map((r) => r[k]));
      rows.push({ group: 'metrics', case: `${label}: log, batches of ${BATCH}`, modelctl: `${fmt(rate(ours))} points/s`, ...(theirs ? { peer: `${fmt(rate(theirs))} points/s`, ratio: ratio(rate(ours), rate(theirs)) } : {}) });
      rows.push({ group: 'metrics', case: `${label}: read ${fmt(points)} in full`, modelctl: `${fmt(med(ours, 'fullMs'))} ms`, ...(theirs ? { peer: `${fmt(med(theirs, 'fullMs'))} ms`, ratio: ratio(med(theirs, 'fullMs'), med(ours, 'fullMs')) } : {}) });
      rows.push({ group: 'metrics', case: `${label}: read downsampled to ${SAMPLE}`, modelctl: `${fmt(med(ours, 'sampledMs'))} ms`, ...(theirs ? { peer: `${fmt(med(theirs, 'sampledMs'))} ms`, ratio: ratio(med(theirs, 'sampledMs'), med(ours, 'sampledMs')) } : {}) });
    }
    return [
      {
        title: 'Metric logging and reading',
        peerName: 'MLflow',
        method: `${ctx.runs} runs of ${fmt(points)} points of one key (steps 0…${fmt(points - 1)}) per backend, logged in batches of ${BATCH} by one client, a new experiment/run each time. Full read: modelctl pages of 10,000 (\`metricHistory\`), MLflow \`get_metric_history\`. Downsampled: modelctl \`downsampledMetrics\` (LTTB, ${SAMPLE} points), MLflow \`get-history-bulk-interval\` (max_results=${SAMPLE}, what its UI charts). Medians; the ratio is above 1 when modelctl is faster.`,
        rows,
      },
    ];
  },
};
