/**
 * `modelctl serve` over HTTP: outcome ingestion (batches of 1,000 from 4 clients), single-unit assignment under load
 * (autocannon: requests/s, p50/p99), metric logging (batches of 1,000) beside MLflow's REST `log-batch`, and artifact
 * upload (a streamed registration) beside MLflow's artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/…`).
 * The server runs in a process of its own (bench/server-process.ts) as `modelctl serve` does, with its request log.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import type { Benchmark, BenchContext } from './lib/context';
import { median, runConcurrently, timed } from './lib/measure';
import { mlflowServer } from './lib/mlflow';
import { freshDatabase } from './lib/postgres';
import { fmt, ratio, type Row } from './lib/report';

const SERVER = resolve(__dirname, 'server-process.ts');
const TEST = 'ab-bench';
const BATCH = 1_000;
const CLIENTS = 4;
const MB = 1e6;
export type Backend = 'sqlite' | 'postgres';

export interface Server {
  url: string;
  token: string;
  child: ChildProcess;
}

/** A fresh registry and `modelctl serve` in a process of its own (bench/server-process.ts), on `backend`. */
export async function startBenchServer(ctx: BenchContext, backend: Backend, run: number | string): Promise<Server> {
  const home = join(ctx.tmp, `server-${backend}-${run}`);
  mkdirSync(home, { recursive: true });
  const databaseUrl = backend === 'postgres' ? await freshDatabase(ctx.pgAdminUrl!, 'bench_server') : undefined;
  const child = fork(SERVER, [], {
    execArgv: ['--import', 'tsx'],
    // The request log goes where a service's stdout would; it is written (and costs) as in production.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, MODELCTL_HOME: home, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
  });
  const ready = await new Promise<{ url: string; token: string }>((done, fail) => {
    child.once('message', (m) => done(m as { url: string; token: string }));
    child.once('exit', (code) => fail(new Error(`server process exited with ${code} before it listened`)));
  });
  return { ...ready, child };
}

/** SIGTERM to the server process; resolves when it has exited. */
export async function stopBenchServer(server: Server): Promise<void> {
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGTERM');
  await exited;
}

/** One JSON request (a string body is sent as it is); the parsed answer, or an error naming the status. */
export async function call(url: string, token: string | null, body: unknown, method = 'POST'): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** Streams `file` as the request body with its Content-Length; resolves with the answer's status. */
function upload(url: string, method: string, headers: Record<string, string>, file: string): Promise<number> {
  return new Promise((done, fail) => {
    const request = httpRequest(
      url,
      {
        method,
        headers: {
          ...headers,
          'content-type': 'application/octet-stream',
          'content-length': String(statSync(file).size),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 300)
            fail(new Error(`${method} ${url}: ${status} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
          else done(status);
        });
      },
    );
    request.on('error', fail);
    createReadStream(file).pipe(request);
  });
}

/** Outcomes/s recorded by {@link CLIENTS} concurrent clients in batches of {@link BATCH} (bodies built beforehand). */
async function ingestion(server: Server, outcomes: number, run: number): Promise<number> {
  const bodies: string[] = [];
  for (let first = 0; first < outcomes; first += BATCH) {
    const batch = [];
    for (let i = first; i < Math.min(first + BATCH, outcomes); i++)
      batch.push({ unitId: `r${run}-u${i}`, value: (i * 7919) % 1000 < 100 ? 1 : 0 });
    bodies.push(JSON.stringify({ outcomes: batch }));
  }
  const url = `${server.url}/api/v1/ab-tests/${TEST}/outcomes`;
  const { wallMs } = await runConcurrently(bodies.length, CLIENTS, (i) => call(url, server.token, bodies[i]!));
  return (outcomes * 1000) / wallMs;
}

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** autocannon against `GET /ab-tests/:id/assignments/:unit`, a different unit id on each request. */
async function assignmentLoad(server: Server, seconds: number, connections: number): Promise<Load> {
  let n = 0;
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${server.token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/api/v1/ab-tests/${TEST}/assignments/user-${n++ % 100_000}`,
        }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Points/s logged over HTTP in batches of {@link BATCH} by one client into a new experiment. */
async function modelctlMetrics(server: Server, points: number, run: number): Promise<number> {
  const { id } = (await call(`${server.url}/api/v1/experiments`, server.token, {
    name: `http-metrics-${run}`,
    type: 'TRAINING',
  })) as { id: string };
  const url = `${server.url}/api/v1/experiments/${id}/metrics`;
  const { ms } = await timed(async () => {
    for (let first = 0; first < points; first += BATCH) {
      const batch = [];
      for (let s = first; s < Math.min(first + BATCH, points); s++)
        batch.push({ key: 'loss', value: 1 / (1 + s), step: s });
      await call(url, server.token, { points: batch });
    }
  });
  return (points * 1000) / ms;
}

async function mlflowRun(uri: string, name: string): Promise<{ experimentId: string; runId: string }> {
  const { experiment_id: experimentId } = (await call(`${uri}/api/2.0/mlflow/experiments/create`, null, {
    name: `${name}-${randomBytes(4).toString('hex')}`,
  })) as { experiment_id: string };
  const created = (await call(`${uri}/api/2.0/mlflow/runs/create`, null, {
    experiment_id: experimentId,
    start_time: Date.now(),
  })) as { run: { info: { run_id: string } } };
  return { experimentId, runId: created.run.info.run_id };
}

/** Points/s through MLflow's REST `runs/log-batch` in batches of {@link BATCH} (its per-request maximum). */
async function mlflowMetrics(uri: string, points: number): Promise<number> {
  const { runId } = await mlflowRun(uri, 'http-metrics');
  const url = `${uri}/api/2.0/mlflow/runs/log-batch`;
  const { ms } = await timed(async () => {
    for (let first = 0; first < points; first += BATCH) {
      const metrics = [];
      const timestamp = Date.now();
      for (let s = first; s < Math.min(first + BATCH, points); s++)
        metrics.push({ key: 'loss', value: 1 / (1 + s), step: s, timestamp });
      await call(url, null, { run_id: runId, metrics });
    }
  });
  return (points * 1000) / ms;
}

/** MB/s of a registration with the artifact streamed as the body. */
async function modelctlUpload(server: Server, file: string, run: number): Promise<number> {
  const url = `${server.url}/api/v1/models/upload-bench/versions?version=1.0.${run}`;
  const { ms } = await timed(() => upload(url, 'POST', { authorization: `Bearer ${server.token}` }, file));
  return statSync(file).size / MB / (ms / 1000);
}

/** MB/s of a PUT through MLflow's artifact proxy into the run's artifact directory. */
async function mlflowUpload(uri: string, file: string): Promise<number> {
  const { experimentId, runId } = await mlflowRun(uri, 'upload');
  const url = `${uri}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model.bin`;
  const { ms } = await timed(() => upload(url, 'PUT', {}, file));
  return statSync(file).size / MB / (ms / 1000);
}

function randomFile(path: string, bytes: number): void {
  // Random bytes, a new file per run: nothing can compress them, and the content-addressed store sees a new object.
  const chunk = 16 * 2 ** 20;
  writeFileSync(path, '');
  for (let done = 0; done < bytes; done += chunk)
    writeFileSync(path, randomBytes(Math.min(chunk, bytes - done)), { flag: 'a' });
}

export const server: Benchmark = {
  name: 'server',
  async run(ctx) {
    const outcomes = ctx.quick ? 100_000 : 500_000;
    const seconds = ctx.quick ? 5 : 15;
    const connections = 16;
    const ourPoints = ctx.quick ? 20_000 : 200_000;
    const mlflowPoints = ctx.quick ? 5_000 : 20_000;
    const uploadMiB = ctx.quick ? 64 : 512;
    const backends: Backend[] = ctx.pgAdminUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
    const rows: Row[] = [];
    for (const backend of backends) {
      const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      const uri = await mlflowServer(ctx, backend);
      const figures = { ingest: [] as number[], load: [] as Load[], ours: [] as number[], theirs: [] as number[] };
      const uploads = { ours: [] as number[], theirs: [] as number[] };
      for (let r = 0; r < ctx.runs; r++) {
        ctx.log(`server: ${backend}, run ${r + 1}/${ctx.runs}`);
        const s = await startBenchServer(ctx, backend, r);
        try {
          figures.ingest.push(await ingestion(s, outcomes, r));
          figures.load.push(await assignmentLoad(s, seconds, connections));
          figures.ours.push(await modelctlMetrics(s, ourPoints, r));
          if (uri !== undefined) figures.theirs.push(await mlflowMetrics(uri, mlflowPoints));
          const file = join(ctx.tmp, `upload-${r}.bin`);
          randomFile(file, uploadMiB * 2 ** 20);
          uploads.ours.push(await modelctlUpload(s, file, r));
          if (uri !== undefined) uploads.theirs.push(await mlflowUpload(uri, file));
          rmSync(file, { force: true });
        } finally {
          await stopBenchServer(s);
        }
      }
      const rps = median(figures.load.map((l) => l.requestsPerSecond));
      const errors = figures.load.reduce((sum, l) => sum + l.errors, 0);
      const peer = (values: number[], unit: string, ours: number[]) =>
        values.length === 0
          ? {}
          : { peer: `${fmt(median(values))} ${unit}`, ratio: ratio(median(ours), median(values)) };
      rows.push(
        {
          group: 'server',
          case: `${label}: outcome ingestion, ${fmt(outcomes)} outcomes in batches of ${fmt(BATCH)}, ${CLIENTS} clients`,
          modelctl: `${fmt(median(figures.ingest))} outcomes/s`,
          note: 'goal ≥ 200,000/s on SQLite',
        },
        {
          group: 'server',
          case: `${label}: single-unit assignment, ${connections} connections, ${seconds} s`,
          modelctl: `${fmt(rps)} req/s`,
          note: `goal ≥ 10,000 req/s; ${errors} errors`,
        },
        {
          group: 'server',
          case: `${label}: single-unit assignment latency p50 / p99`,
          modelctl: `${fmt(median(figures.load.map((l) => l.p50)))} / ${fmt(median(figures.load.map((l) => l.p99)))} ms`,
          note: 'goal p99 < 10 ms',
        },
        {
          group: 'server',
          case: `${label}: metric logging over HTTP, batches of ${fmt(BATCH)} (modelctl ${fmt(ourPoints)} points, MLflow ${fmt(mlflowPoints)})`,
          modelctl: `${fmt(median(figures.ours))} points/s`,
          ...peer(figures.theirs, 'points/s', figures.ours),
          note: 'MLflow: REST runs/log-batch; goal ≥ 20×',
        },
        {
          group: 'server',
          case: `${label}: artifact upload, ${uploadMiB} MiB`,
          modelctl: `${fmt(median(uploads.ours))} MB/s`,
          ...peer(uploads.theirs, 'MB/s', uploads.ours),
          note: 'modelctl: streamed registration (sha256 on the way); MLflow: artifact proxy PUT',
        },
      );
    }
    return [
      {
        title: 'The team server over HTTP',
        peerName: 'MLflow',
        method: `\`modelctl serve\` in a process of its own (as started by the CLI: request log at info level, the default rate limit, an admin token on every request), on 127.0.0.1; the clients in the benchmark's process on the same 2 shared cores, so the server has about one core. Per backend and run a fresh registry and server; medians of ${ctx.runs} run${ctx.runs > 1 ? 's' : ''}. Ingestion: \`POST /api/v1/ab-tests/:id/outcomes\` with distinct units, bodies serialised before the clock starts. Assignment: autocannon, \`GET /api/v1/ab-tests/:id/assignments/:unit\` with a new unit id on each request. Metric logging: one client, \`POST /api/v1/experiments/:id/metrics\` against MLflow's \`POST /api/2.0/mlflow/runs/log-batch\` (1,000 metrics, its maximum per request) on the MLflow tracking server of the same backend. Upload: one random file per run, \`POST /api/v1/models/:model/versions\` (octet-stream, Content-Length) against \`mlflow server\`'s artifact proxy (\`PUT /api/2.0/mlflow-artifacts/artifacts/…\`, serving artifacts from a local directory). Ratios above 1 mean modelctl is faster.`,
        rows,
      },
    ];
  },
};
