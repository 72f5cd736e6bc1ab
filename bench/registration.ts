/**
 * Registration: model versions registered per second and p50/p99 latency with 1, 4 and 16 concurrent clients, on
 * SQLite and PostgreSQL, each version with its own 1 KiB artifact. modelctl: ModelRegistry.registerVersion
 * (artifact streamed into the local store, sha256, version bump, row + audit event in one transaction). MLflow:
 * log_artifact of the same file to a run, then create_model_version from it, through its tracking server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LocalArtifactStore } from '../src/artifacts';
import { ModelRegistry } from '../src/client/model-registry';
import { openStore } from '../src/store';
import type { Benchmark, BenchContext } from './lib/context';
import { median, quantile, runConcurrently } from './lib/measure';
import { mlflowDriver, mlflowServer } from './lib/mlflow';
import { freshDatabase } from './lib/postgres';
import { fmt, ratio, type Row, type Section } from './lib/report';

const CLIENTS = [1, 4, 16] as const;
type Backend = 'sqlite' | 'postgres';

interface Figures {
  /** Versions per second, one per run. */
  perSecond: number[];
  /** Every registration's latency (ms), all runs pooled. */
  latencies: number[];
}

function summarize(f: Figures): { rate: number; p50: number; p99: number } {
  return { rate: median(f.perSecond), p50: quantile(f.latencies, 0.5), p99: quantile(f.latencies, 0.99) };
}

function writeArtifacts(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = join(dir, `a-${i}.bin`);
    writeFileSync(file, randomBytes(1024));
    return file;
  });
}

async function modelctlRegistration(
  ctx: BenchContext,
  backend: Backend,
  clients: number,
  count: number,
  files: string[][],
): Promise<Figures> {
  const home = join(ctx.tmp, `reg-${backend}-${clients}`);
  const databaseUrl = backend === 'postgres' ? await freshDatabase(ctx.pgAdminUrl!, `bench_reg_${clients}`) : undefined;
  const store = await openStore({
    ...(databaseUrl ? { databaseUrl, poolSize: 16 } : { sqlitePath: join(home, 'registry.sqlite') }),
  });
  const registry = new ModelRegistry({
    store,
    artifacts: new LocalArtifactStore(join(home, 'artifacts')),
    // Git provenance is a separate concern (one `git` process per call); MLflow's create_model_version has none.
    captureGit: async () => ({ info: null, reason: 'not captured in the benchmark' }),
  });
  const figures: Figures = { perSecond: [], latencies: [] };
  try {
    for (let r = 0; r < ctx.runs; r++) {
      const model = `bench-${clients}-${r}`;
      const batch = files[r]!;
      const { wallMs, latencies } = await runConcurrently(count, clients, (i) =>
        registry.registerVersion({
          model,
          artifactPath: batch[i]!,
          author: 'bench',
          metrics: { accuracy: 0.9 },
          config: { lr: 0.01 },
        }),
      );
      const versions = await store.listVersions(model);
      if (versions.length !== count)
        throw new Error(`expected ${count} versions of ${model}, found ${versions.length}`);
      figures.perSecond.push((count * 1000) / wallMs);
      figures.latencies.push(...latencies);
    }
  } finally {
    await store.close();
  }
  return figures;
}

/** All client counts in one driver process: importing mlflow takes seconds. */
async function mlflowRegistration(
  ctx: BenchContext,
  uri: string,
  count: number,
  files: Record<number, string[][]>,
): Promise<Record<number, Figures>> {
  const byClients = await mlflowDriver<Record<string, { wallMs: number; latencies: number[] }[]>>(ctx, [
    'register',
    '--uri',
    uri,
    '--count',
    String(count),
    '--prefix',
    `bench-${Date.now()}`,
    '--files',
    JSON.stringify(files),
  ]);
  const out: Record<number, Figures> = {};
  for (const [clients, runs] of Object.entries(byClients)) {
    out[Number(clients)] = {
      perSecond: runs.map((r) => (count * 1000) / r.wallMs),
      latencies: runs.flatMap((r) => r.latencies),
    };
  }
  return out;
}

export const registration: Benchmark = {
  name: 'registration',
  async run(ctx) {
    const count = ctx.quick ? 20 : 150;
    const backends: Backend[] = ctx.pgAdminUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
    const rate: Row[] = [];
    const latency: Row[] = [];
    for (const backend of backends) {
      const files: Record<number, string[][]> = {};
      const ourFigures: Record<number, Figures> = {};
      for (const clients of CLIENTS) {
        files[clients] = Array.from({ length: ctx.runs }, (_, r) =>
          writeArtifacts(join(ctx.tmp, `art-${backend}-${clients}-${r}`), count),
        );
        ctx.log(`registration: modelctl, ${backend}, ${clients} clients, ${ctx.runs}×${count} versions`);
        ourFigures[clients] = await modelctlRegistration(ctx, backend, clients, count, files[clients]);
      }
      const mlflowUri = await mlflowServer(ctx, backend);
      if (mlflowUri !== undefined) ctx.log(`registration: MLflow, ${backend}, ${CLIENTS.join('/')} clients`);
      const theirFigures = mlflowUri === undefined ? undefined : await mlflowRegistration(ctx, mlflowUri, count, files);
      for (const clients of CLIENTS) {
        const ours = summarize(ourFigures[clients]!);
        const theirs = theirFigures?.[clients] === undefined ? undefined : summarize(theirFigures[clients]);
        const label = `${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${clients} client${clients > 1 ? 's' : ''}`;
        rate.push({
          group: 'registration',
          case: label,
          modelctl: `${fmt(ours.rate)}/s`,
          ...(theirs ? { peer: `${fmt(theirs.rate)}/s`, ratio: ratio(ours.rate, theirs.rate) } : {}),
        });
        latency.push({
          group: 'registration',
          case: label,
          modelctl: `${fmt(ours.p50)} / ${fmt(ours.p99)} ms`,
          // Latency: lower is better, so the ratio is theirs/ours to keep "above 1 = modelctl better".
          ...(theirs
            ? { peer: `${fmt(theirs.p50)} / ${fmt(theirs.p99)} ms`, ratio: `p50 ${ratio(theirs.p50, ours.p50)}` }
            : {}),
        });
      }
    }
    const method = `${ctx.runs} run${ctx.runs > 1 ? 's' : ''} of ${count} registrations per case, a new model per run (so every call bumps the patch version of a model other clients write too), each version with its own random 1 KiB artifact file. modelctl: \`ModelRegistry.registerVersion\` in one Node process, N async clients; MLflow: N Python threads each with an \`MlflowClient\`, \`log_artifact\` + \`create_model_version\` (the first call also \`create_registered_model\`). Rates are medians over runs; the ratio is modelctl/MLflow (above 1: modelctl faster).`;
    const sections: Section[] = [
      { title: 'Registration throughput (versions/s)', peerName: 'MLflow', method, rows: rate },
      {
        title: 'Registration latency p50 / p99',
        peerName: 'MLflow',
        method: 'All runs pooled. Ratio: MLflow p50 / modelctl p50 (above 1: modelctl faster).',
        rows: latency,
      },
    ];
    return sections;
  },
};
