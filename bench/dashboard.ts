/**
 * The dashboard in a real browser: a model page over 10,000 versions and 50,000 audit events, and an experiment
 * chart of a 1,000,000-point series, served by `modelctl serve` (the compiled CLI, on the embedded defaults: SQLite
 * and its own Temporal dev server) and loaded by Debian's chromium through playwright-core. The registry is seeded
 * through the store (bench/lib/audit-plan.ts: registrations, promotions, rollbacks) before the server starts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { openStore, SQLITE_FILE } from '../src/store';
import { launchBrowser } from '../test/helpers/browser';
import { auditPlan, replay, versionName } from './lib/audit-plan';
import type { Benchmark, BenchContext } from './lib/context';
import { median, quantile, timed } from './lib/measure';
import { fmt, type Row } from './lib/report';

const ROOT = resolve(__dirname, '..');
const BIN = join(ROOT, 'bin', 'modelctl.js');
const MODEL = 'big';
const EXPERIMENT = 'run-1m';
/** The one outlier of the series, at 65.4321 % of its steps: the chart's overview must keep it (data-max shows it). */
const SPIKE = 50;
const spikeStep = (points: number) => Math.floor(points * 0.654321);
const lossAt = (step: number, spike: number) => (step === spike ? SPIKE : 1 + Math.sin(step / 25_000) / 2);

export interface Scale {
  versions: number;
  events: number;
  points: number;
  loads: number;
}

const SEED_START = '2024-01-01T00:00:00.000Z';
/** Time between two seeded operations: 60,000 operations span about a year. */
const SEED_STEP_MS = 600_000;

/**
 * Seeds the registry home. The schema comes from the store (openStore migrates); the model's history is the plan
 * replayed against the lifecycle table (bench/lib/audit-plan.ts) and written in one SQLite transaction, since
 * 60,000 store calls would take minutes here; the store then reads it back as the server will. The series goes
 * through RegistryStore.logMetrics, which writes its rollups.
 */
export async function seed(ctx: BenchContext, home: string, scale: Scale): Promise<void> {
  const store = await openStore({ home });
  try {
    const seeded = await timed(async () => writeHistory(join(home, SQLITE_FILE), scale));
    const events = await store.events(MODEL);
    const versions = await store.listVersions(MODEL);
    const production = await store.productionVersion(MODEL);
    if (events.length !== scale.events || versions.length !== scale.versions || production === null)
      throw new Error(
        `seeded ${versions.length} versions, ${events.length} events, production ${production?.version ?? 'none'}`,
      );
    ctx.log(
      `dashboard: seeded ${fmt(scale.versions)} versions, ${fmt(events.length)} events in ${fmt(seeded.ms)} ms (production ${production.version})`,
    );
    await store.createExperiment({ id: EXPERIMENT, name: 'long run', type: 'TRAINING' });
    const logged = await timed(async () => {
      for (let first = 0; first < scale.points; first += 100_000)
        await store.logMetrics(
          EXPERIMENT,
          Array.from({ length: Math.min(100_000, scale.points - first) }, (_, k) => ({
            key: 'loss',
            value: lossAt(first + k, spikeStep(scale.points)),
            step: first + k,
          })),
        );
    });
    ctx.log(`dashboard: logged ${fmt(scale.points)} points in ${fmt(logged.ms / 1000)} s`);
  } finally {
    await store.close();
  }
}

/** The model's rows: versions with their final status, and the replayed events, in one transaction. */
function writeHistory(file: string, scale: Scale): void {
  const { versions, events } = replay(auditPlan(scale.versions, scale.events), SEED_START, SEED_STEP_MS);
  const db = new Database(file);
  try {
    const model = db.prepare('insert into models (name, description, tags, created_at) values (?, null, ?, ?)');
    const version = db.prepare(
      `insert into model_versions (id, model, version, parent_version, status, artifact_uri, artifact_sha256,
         artifact_size_bytes, artifact_media_type, config, metrics, experiment_id, git, git_reason, author,
         description, created_at, updated_at, promoted_at, deprecated_at)
       values (?, ?, ?, ?, ?, 'file:///dev/null', ?, 0, 'application/octet-stream', '{"lr":0.01}', ?, null, null,
         'bench', 'trainer', null, ?, ?, ?, ?)`,
    );
    const event = db.prepare(
      `insert into lifecycle_events (model, version, from_status, to_status, via, actor, reason, workflow_id,
         approver, approval_comment, at) values (?, ?, ?, ?, ?, ?, ?, null, null, null, ?)`,
    );
    const registeredAt = new Map(events.filter((e) => e.fromStatus === null).map((e) => [e.version, e.at]));
    db.transaction(() => {
      model.run(MODEL, '[]', SEED_START);
      let i = 0;
      for (const [name, v] of versions) {
        const at = registeredAt.get(name)!;
        const metrics = { auc: 0.9 + (i % 97) / 1000, loss: 0.3 - (i % 89) / 1000, f1: 0.8 + (i % 83) / 1000 };
        version.run(
          randomUUID(),
          MODEL,
          name,
          i === 0 ? null : versionName(i - 1),
          v.status,
          '0'.repeat(64),
          JSON.stringify(metrics),
          at,
          v.deprecatedAt ?? v.promotedAt ?? at,
          v.promotedAt,
          v.deprecatedAt,
        );
        i++;
      }
      for (const e of events) event.run(MODEL, e.version, e.fromStatus, e.toStatus, e.via, e.actor, e.reason, e.at);
    })();
  } finally {
    db.close();
  }
}

function freePort(): number {
  const out = execFileSync(
    'python3',
    ['-c', 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

/** `modelctl serve --port 0` on the home; resolves with its URL once it listens. */
export function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((done, fail) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) done({ child, url: m[1]! });
    });
    child.once('exit', (code) => fail(new Error(`modelctl serve exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

async function stopServe(child: ChildProcess, env: NodeJS.ProcessEnv): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  // The embedded Temporal dev server that serve started in this home.
  execFileSync(process.execPath, [BIN, 'dev', '--stop'], { env, stdio: 'ignore' });
}

/** What one page load measured, in ms since the navigation started (the document's performance.now()). */
interface Load {
  readyMs: number;
  /** Duration of each API request the page made before it was ready, by path (resource timing). */
  requests: Record<string, number>;
  domNodes: number;
}

/**
 * Opens `path` in a new tab of the logged-in context and waits, polling every animation frame, until `ready` holds
 * in the page; returns the page's own clock at that frame.
 */
async function timeLoad(context: BrowserContext, url: string, ready: Record<string, string>): Promise<Load> {
  const page: Page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const all = Object.values(ready)
      .map((c) => `(${c})`)
      .join(' && ');
    const readyMs = (await (
      await page
        .waitForFunction(`${all} ? performance.now() : false`, undefined, { polling: 'raf', timeout: 120_000 })
        .catch(async (err: unknown) => {
          const missing: string[] = [];
          for (const [part, condition] of Object.entries(ready))
            if (!(await page.evaluate(`Boolean(${condition})`))) missing.push(part);
          throw new Error(`${url} not ready: ${missing.join(', ') || 'nothing missing'} (${String(err)})`);
        })
    ).jsonValue()) as number;
    // A string, evaluated in the page: this file is compiled without the DOM's types.
    const measured = (await page.evaluate(`(() => {
      const requests = {};
      for (const e of performance.getEntriesByType('resource')) {
        const u = new URL(e.name);
        if (u.pathname.startsWith('/api/') && e.responseEnd <= ${readyMs}) requests[u.pathname] = e.duration;
      }
      return { requests, domNodes: document.getElementsByTagName('*').length };
    })()`)) as Omit<Load, 'readyMs'>;
    return { readyMs, ...measured };
  } finally {
    await page.close();
  }
}

/** The model page is ready when every section shows its data: what each part waits for. */
const MODEL_READY: Record<string, string> = {
  versions: `document.querySelector('table[aria-label="versions"] tbody tr')`,
  production: `document.querySelector('[data-field="production"]')`,
  timeline: `document.querySelector('rect.lane-bar')`,
  'metric chart': `document.querySelector('svg g[data-version]')`,
  guards: `document.querySelector('section[aria-labelledby="guards-h"] p, table[aria-label="guards"]')`,
  'audit log': `document.querySelector('table[aria-label="audit log"] tbody tr')`,
};

/** The experiment page is ready when the loss chart holds the downsampled series and uPlot has drawn its canvas. */
const CHART_READY: Record<string, string> = {
  chart: `document.querySelector('.series-chart[data-metric="loss"][data-max="${SPIKE}"] canvas')`,
};

function summary(loads: Load[]): { p50: number; max: number; breakdown: string } {
  const paths = [...new Set(loads.flatMap((l) => Object.keys(l.requests)))].sort();
  const breakdown = paths
    .map((p) => `${p.replace('/api/v1', '')} ${fmt(median(loads.map((l) => l.requests[p] ?? Number.NaN)))} ms`)
    .join(', ');
  return {
    p50: median(loads.map((l) => l.readyMs)),
    max: quantile(
      loads.map((l) => l.readyMs),
      1,
    ),
    breakdown,
  };
}

async function measure(ctx: BenchContext, scale: Scale): Promise<Row[]> {
  const home = join(ctx.tmp, 'dashboard');
  mkdirSync(home, { recursive: true });
  await seed(ctx, home, scale);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MODELCTL_HOME: home,
    MODELCTL_TEMPORAL_PORT: String(freePort()),
    MODELCTL_TEMPORAL_UI_PORT: String(freePort()),
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const { child, url } = await serve(env);
  const browser = await launchBrowser();
  try {
    const token = readFileSync(join(home, 'admin-token'), 'utf8').trim();
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as unknown;
    };
    const { loginPath } = (await api('/ui/login-codes', { method: 'POST' })) as { loginPath: string };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const login = await context.newPage();
    await login.goto(`${url}${loginPath}`);
    await login.waitForSelector('table[aria-label="models"] tbody tr');
    await login.close();

    // One load of each page first: the server's statement cache and the browser's asset cache warm up as a user's
    // second visit would find them; the figures are the loads after it.
    await timeLoad(context, `${url}/models/${MODEL}`, MODEL_READY);
    const model: Load[] = [];
    for (let r = 0; r < scale.loads; r++) model.push(await timeLoad(context, `${url}/models/${MODEL}`, MODEL_READY));
    await timeLoad(context, `${url}/experiments/${EXPERIMENT}`, CHART_READY);
    const chart: Load[] = [];
    for (let r = 0; r < scale.loads; r++)
      chart.push(await timeLoad(context, `${url}/experiments/${EXPERIMENT}`, CHART_READY));
    const reads: number[] = [];
    let returned = 0;
    for (let r = 0; r < scale.loads; r++) {
      const read = await timed(() => api(`/experiments/${EXPERIMENT}?maxPoints=1000`));
      reads.push(read.ms);
      returned = (read.value as { series: { loss: unknown[] } }).series.loss.length;
    }
    await context.close();

    const m = summary(model);
    const c = summary(chart);
    const group = 'dashboard';
    const scaleNote = `${fmt(scale.versions)} versions, ${fmt(scale.events)} audit events`;
    return [
      {
        group,
        case: `model page (${scaleNote}): navigation → every section rendered, median / max of ${scale.loads}`,
        modelctl: `${fmt(m.p50)} / ${fmt(m.max)} ms`,
        note: `goal < 1,000 ms; ${fmt(median(model.map((l) => l.domNodes)))} DOM elements; API: ${m.breakdown}`,
      },
      {
        group,
        case: `experiment chart (${fmt(scale.points)} points): downsampled read over HTTP, maxPoints 1,000, median / max of ${scale.loads}`,
        modelctl: `${fmt(median(reads))} / ${fmt(quantile(reads, 1))} ms`,
        note: `${fmt(returned)} points returned, spike kept; Node fetch with a bearer token`,
      },
      {
        group,
        case: `experiment chart (${fmt(scale.points)} points): navigation → chart drawn, median / max of ${scale.loads}`,
        modelctl: `${fmt(c.p50)} / ${fmt(c.max)} ms`,
        note: `goal < 200 ms; API: ${c.breakdown}`,
      },
    ];
  } finally {
    await browser.close();
    await stopServe(child, env);
  }
}

export const dashboard: Benchmark = {
  name: 'dashboard',
  async run(ctx) {
    const scale: Scale = ctx.quick
      ? { versions: 1_000, events: 5_000, points: 100_000, loads: 3 }
      : { versions: 10_000, events: 50_000, points: 1_000_000, loads: 7 };
    // The benchmark measures the code in this tree: the CLI and the dashboard's bundle as `npm run build` makes them.
    // BENCH_BUILD=0 skips it for a tree just built.
    if (process.env.BENCH_BUILD !== '0') {
      ctx.log('dashboard: building the CLI and the dashboard (npm run build)');
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const rows = await measure(ctx, scale);
    return [
      {
        title: 'Dashboard in a browser',
        method: `\`modelctl serve\` (compiled CLI, embedded defaults: SQLite, its own Temporal dev server) over a registry seeded through the store: model \`${MODEL}\` with ${fmt(scale.versions)} versions and ${fmt(scale.events)} audit events (every version registered, all but the last promoted in turn, ${fmt((scale.events - 3 * scale.versions + 2) / 2)} rollbacks between them, the last failed: ${fmt(scale.versions - 1 + (scale.events - 3 * scale.versions + 2) / 2)} production stints), and an experiment with one ${fmt(scale.points)}-point series. Debian's chromium (headless, playwright-core, 1280×900, launched as the browser tests launch it: without the omnibox popup that headless Chromium 156 renders for each new tab), logged in through a one-time login URL; each load is a new tab after one warm-up load. Time: from the navigation's start to the first animation frame in which the page shows its data (the page's own \`performance.now()\`): on the model page the versions table, the production line, the timeline's bars, the metric-across-versions chart, the guards section and the audit log; on the experiment page the uPlot canvas of the downsampled series with the spike in it. API times are the browser's resource timings of the page's requests.`,
        rows,
      },
    ];
  },
};
