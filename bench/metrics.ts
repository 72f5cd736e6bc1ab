/**
 * Metric logging: points per second logged in batches of 1,000, then the series read back in full (paged, 10,000 a
 * page) and downsampled to 1,000 points. modelctl: RegistryStore.logMetrics / metricHistory / downsampledMetrics (which
 * reads the stored rollups, src/store/metric-rollups.ts).
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
  const store = await openStore(
    databaseUrl ? { databaseUrl } : { sqlitePath: join(ctx.tmp, 'metrics', 'registry.sqlite') },
  );
  const out: RunFigures[] = [];
  try {
    for (let r = 0; r < ctx.runs; r++) {
      const { id } = await store.createExperiment({ name: `metrics-${r}`, type: 'TRAINING' });
      const logged = await timed(async () => {
        for (let first = 0; first < points; first += BATCH) {
          const batch: MetricPointInput[] = [];
          for (let s = first; s < Math.min(first + BATCH, points); s++)
            batch.push({ key: 'loss', value: 1 / (1 + s), step: s });
          await store.logMetrics(id, batch);
        }
      });
      const full = await timed(async () => {
        let count = 0;
        let after: string | undefined;
        do {
          const page = await store.metricHistory({
            experimentId: id,
            key: 'loss',
            limit: 10_000,
            ...(after ? { after } : {}),
          });
          count += page.points.length;
          after = page.nextCursor ?? undefined;
        } while (after !== undefined);
        return count;
      });
      if (full.value !== points) throw new Error(`read ${full.value} points, expected ${points}`);
      const sampled = await timed(() => store.downsampledMetrics({ experimentId: id, key: 'loss', maxPoints: SAMPLE }));
      if (sampled.value.length !== Math.min(SAMPLE, points))
        throw new Error(`downsampled to ${sampled.value.length} points`);
      out.push({ logMs: logged.ms, fullMs: full.ms, sampledMs: sampled.ms });
    }
  } finally {
    await store.close();
  }
  return out;
}

async function mlflowMetrics(ctx: BenchContext, uri: string, points: number, runs: number): Promise<RunFigures[]> {
  return mlflowDriver<RunFigures[]>(ctx, [
    'metrics',
    '--uri',
    uri,
    '--points',
    String(points),
    '--batch',
    String(BATCH),
    '--runs',
    String(runs),
    '--sample',
    String(SAMPLE),
  ]);
}

function rows(label: string, points: number, ours: RunFigures[], theirs: RunFigures[] | undefined): Row[] {
  const rate = (runs: RunFigures[]) => median(runs.map((r) => (points * 1000) / r.logMs));
  const med = (runs: RunFigures[], k: keyof RunFigures) => median(runs.map((r) => r[k]));
  const peer = (text: (runs: RunFigures[]) => string, r: (o: RunFigures[], t: RunFigures[]) => string) =>
    theirs ? { peer: text(theirs), ratio: r(ours, theirs) } : {};
  return [
    {
      group: 'metrics',
      case: `${label}, ${fmt(points)} points: log`,
      modelctl: `${fmt(rate(ours))} points/s`,
      ...peer(
        (t) => `${fmt(rate(t))} points/s`,
        (o, t) => ratio(rate(o), rate(t)),
      ),
    },
    {
      group: 'metrics',
      case: `${label}, ${fmt(points)} points: read in full`,
      modelctl: `${fmt(med(ours, 'fullMs'))} ms`,
      ...peer(
        (t) => `${fmt(med(t, 'fullMs'))} ms`,
        (o, t) => ratio(med(t, 'fullMs'), med(o, 'fullMs')),
      ),
    },
    {
      group: 'metrics',
      case: `${label}, ${fmt(points)} points: read downsampled to ${SAMPLE}`,
      modelctl: `${fmt(med(ours, 'sampledMs'))} ms`,
      ...peer(
        (t) => `${fmt(med(t, 'sampledMs'))} ms`,
        (o, t) => ratio(med(t, 'sampledMs'), med(o, 'sampledMs')),
      ),
    },
  ];
}

export const metrics: Benchmark = {
  name: 'metrics',
  async run(ctx) {
    // MLflow logs a few thousand points a second here: at a million points it runs once per backend (minutes each),
    // modelctl as many times as every other case.
    const sizes = ctx.quick
      ? [{ points: 20_000, mlflowRuns: ctx.runs }]
      : [
          { points: 100_000, mlflowRuns: ctx.runs },
          { points: 1_000_000, mlflowRuns: 1 },
        ];
    const backends: Backend[] = ctx.pgAdminUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
    const out: Row[] = [];
    for (const backend of backends) {
      const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      for (const { points, mlflowRuns } of sizes) {
        ctx.log(`metrics: modelctl, ${backend}, ${ctx.runs}×${fmt(points)} points`);
        const ours = await modelctlMetrics(ctx, backend, points);
        const uri = await mlflowServer(ctx, backend);
        if (uri !== undefined) ctx.log(`metrics: MLflow, ${backend}, ${mlflowRuns}×${fmt(points)} points`);
        const theirs = uri === undefined ? undefined : await mlflowMetrics(ctx, uri, points, mlflowRuns);
        out.push(...rows(label, points, ours, theirs));
      }
    }
    return [
      {
        title: 'Metric logging and reading',
        peerName: 'MLflow',
        method: `One key, steps 0…N−1, logged in batches of ${BATCH} by one client into a new experiment/run; ${sizes.map((z) => `${fmt(z.points)} points: modelctl ${ctx.runs} run${ctx.runs > 1 ? 's' : ''}, MLflow ${z.mlflowRuns}`).join('; ')} (MLflow's rate here makes a million points take minutes per run). Full read: modelctl pages of 10,000 (\`metricHistory\`), MLflow \`get_metric_history\`. Downsampled: modelctl \`downsampledMetrics\` (${SAMPLE} points: the stored rollups of the coarsest level with at least ${SAMPLE / 2} buckets give each bucket's first, last, lowest and highest point, M4, and LTTB picks ${SAMPLE} among them; the series itself is not scanned), MLflow \`get-history-bulk-interval\` (max_results=${SAMPLE}, what its UI charts). Medians; ratios above 1 mean modelctl is faster.`,
        rows: out,
      },
    ];
  },
};
