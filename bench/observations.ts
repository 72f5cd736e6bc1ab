/**
 * Production observation ingestion (what guards read): observations per second recorded through the library
 * (`ModelRegistry.recordObservations`) and over HTTP (`POST /api/v1/observations` to `modelctl serve`, 4 clients),
 * on SQLite and PostgreSQL. Each request of serving traffic yields two observations, `error` (0/1) and `latency_ms`,
 * with its own millisecond timestamp, for the candidate and a 10 % holdout.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from '../src/client/model-registry';
import { loadConfig } from '../src/config/environment';
import type { ObservationInput } from '../src/domain/observation';
import type { Benchmark, BenchContext } from './lib/context';
import { median, runConcurrently, timed } from './lib/measure';
import { freshDatabase } from './lib/postgres';
import { fmt, type Row } from './lib/report';
import { call, startBenchServer, stopBenchServer, type Backend } from './server';

const CLIENTS = 4;
const BATCHES = [1_000, 10_000];
const GOALS: Record<'library' | 'http', string> = {
  library: 'goal ≥ 200,000/s on SQLite',
  http: 'goal ≥ 100,000/s on SQLite',
};

/**
 * `count` observations of serving traffic ending now: request i at a millisecond of its own over the last minutes,
 * served by 1.1.0 or (every tenth) the 1.0.0 holdout, as an `error` and a `latency_ms` observation.
 */
function traffic(count: number, run: number): ObservationInput[] {
  const end = Date.now();
  const out: ObservationInput[] = new Array(count);
  for (let i = 0; i < count; i += 2) {
    const request = i / 2;
    const timestamp = new Date(end - (count - i) * 0.5).toISOString();
    const version = request % 10 === 0 ? '1.0.0' : '1.1.0';
    const model = `observe-${run}`;
    out[i] = { model, version, metric: 'error', value: (request * 7919) % 100 === 0 ? 1 : 0, timestamp };
    if (i + 1 < count)
      out[i + 1] = { model, version, metric: 'latency_ms', value: 20 + ((request * 7919) % 180), timestamp };
  }
  return out;
}

const batchesOf = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, b) => items.slice(b * size, (b + 1) * size));

/** Observations/s through the library, one caller, batch after batch, into a fresh registry of `backend`. */
async function library(ctx: BenchContext, backend: Backend, count: number, batch: number, run: number) {
  const home = join(ctx.tmp, `observations-${backend}-${batch}-${run}`);
  const databaseUrl = backend === 'postgres' ? await freshDatabase(ctx.pgAdminUrl!, 'bench_observations') : null;
  const env: NodeJS.ProcessEnv = {
    MODELCTL_HOME: home,
    ...(databaseUrl !== null ? { DATABASE_URL: databaseUrl } : {}),
  };
  const registry = await ModelRegistry.open({ config: loadConfig(env) });
  try {
    const batches = batchesOf(traffic(count, run), batch);
    const { ms } = await timed(async () => {
      for (const b of batches) await registry.recordObservations(b);
    });
    return (count * 1000) / ms;
  } finally {
    await registry.store.close();
  }
}

/** Observations/s over HTTP from {@link CLIENTS} concurrent clients, bodies serialised before the clock starts. */
async function http(ctx: BenchContext, backend: Backend, count: number, batch: number, run: number) {
  const server = await startBenchServer(ctx, backend, `observations-${batch}-${run}`);
  try {
    const bodies = batchesOf(traffic(count, run), batch).map((b) => JSON.stringify({ observations: b }));
    const url = `${server.url}/api/v1/observations`;
    const { wallMs } = await runConcurrently(bodies.length, CLIENTS, (i) => call(url, server.token, bodies[i]!));
    return (count * 1000) / wallMs;
  } finally {
    await stopBenchServer(server);
  }
}

export const observations: Benchmark = {
  name: 'observations',
  async run(ctx) {
    const count = ctx.quick ? 200_000 : 1_000_000;
    const backends: Backend[] = ctx.pgAdminUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
    const rows: Row[] = [];
    for (const backend of backends) {
      const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      for (const [path, measure] of [
        ['library', library],
        ['http', http],
      ] as const)
        for (const batch of BATCHES) {
          const rates: number[] = [];
          // The machine is shared: the load beside the figure tells how much of the 2 cores the runs had.
          const loadBefore = loadavg()[0]!;
          for (let r = 0; r < ctx.runs; r++) {
            ctx.log(`observations: ${backend}, ${path}, batches of ${fmt(batch)}, run ${r + 1}/${ctx.runs}`);
            rates.push(await measure(ctx, backend, count, batch, r));
          }
          rows.push({
            group: 'observations',
            case: `${label}: ${path === 'library' ? 'through the library' : `over HTTP, ${CLIENTS} clients`}, ${fmt(count)} observations in batches of ${fmt(batch)}`,
            modelctl: `${fmt(median(rates))} observations/s`,
            note: `${GOALS[path]}; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
          });
        }
    }
    return [
      {
        title: 'Production observations: ingestion',
        method: `Serving traffic as a serving system reports it: per request an \`error\` (0/1) and a \`latency_ms\` observation with the request's own millisecond timestamp (one request a millisecond, so ${fmt(count)} observations span ${fmt(count / 2 / 60_000, 1)} minutes of buckets), 90 % from the candidate 1.1.0 and 10 % from the holdout 1.0.0, in the order they were served. Library: \`ModelRegistry.recordObservations\`, one caller, batch after batch, a fresh registry per run (SQLite in a temporary MODELCTL_HOME, or a fresh PostgreSQL database). HTTP: \`POST /api/v1/observations\` to \`modelctl serve\` in a process of its own (as in "The team server over HTTP"), ${CLIENTS} concurrent clients, bodies serialised before the clock starts. Every observation is validated, summed into its (version, metric, minute) bucket and added to the bucket's DDSketch. Medians of ${ctx.runs} run${ctx.runs > 1 ? 's' : ''}.`,
        rows,
      },
    ];
  },
};
