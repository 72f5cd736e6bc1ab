import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ModelRegistry } from '../../src/client/model-registry';
import { loadConfig } from '../../src/config/environment';
import { BIN, ROOT, buildCli, freePort, spawnUntil, stop } from '../helpers/cli';
import { launchBrowser, screenshot, seriousViolations } from '../helpers/browser';
import { startDevServer } from '../helpers/temporal';
import { sequentialClickTest } from '../helpers/ab-tests';

/** The 1,000,000-point series of the seeded experiment, with one spike the overview must keep. */
const SERIES_POINTS = 1_000_000;
const SPIKE_STEP = 654_321;
const SPIKE = 50;
const lossAt = (step: number) => (step === SPIKE_STEP ? SPIKE : 1 + Math.sin(step / 25_000) / 2);

/** The Temporal Web UI `serve --temporal-ui-url` names (with a trailing slash the server drops). */
const TEMPORAL_UI = 'http://temporal-ui.test:8233';

interface Seeded {
  url: string;
  admin: string;
  viewer: string;
}

async function api<T>(s: Seeded, path: string, token: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${s.url}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Logs a fresh browser context in as `token` through the one-time login URL, as `modelctl ui` would open it. */
async function loginAs(browser: Browser, s: Seeded, token: string): Promise<{ context: BrowserContext; page: Page }> {
  const { loginPath } = await api<{ loginPath: string }>(s, '/ui/login-codes', token, { method: 'POST' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${s.url}${loginPath}`);
  await page.waitForSelector('table[aria-label="models"] tbody tr');
  return { context, page };
}

/** Runs `npm run build`'s dashboard step unless dist/web is there (scripts/test builds it before jest). */
function ensureDashboardBuilt(): void {
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) execFileSync('bash', ['scripts/build-web'], { cwd: ROOT });
}

describe('the dashboard in a real browser against modelctl serve', () => {
  let home: string;
  let temporal: TestWorkflowEnvironment;
  let server: ChildProcess;
  let worker: ChildProcess;
  let browser: Browser;
  let s: Seeded;
  let admin: { context: BrowserContext; page: Page };

  beforeAll(async () => {
    buildCli();
    ensureDashboardBuilt();
    home = mkdtempSync(join(tmpdir(), 'modelctl-dashboard-e2e-'));
    // Real artifacts: a rollback verifies the target's bytes before it swaps.
    const registry = await ModelRegistry.open({ config: loadConfig({}, { MODELCTL_HOME: home }) });
    const store = registry.store;
    try {
      const versions: [string, string | null, Record<string, number>][] = [
        ['1.0.0', null, { auc: 0.912, loss: 0.31 }],
        ['1.1.0', '1.0.0', { auc: 0.931, loss: 0.27 }],
        ['1.2.0', '1.1.0', { auc: 0.925, loss: 0.29 }],
      ];
      const register = async (
        model: string,
        version: string,
        parentVersion: string | null,
        metrics: Record<string, number>,
      ) => {
        const artifactPath = join(home, `${model}-${version}.bin`);
        writeFileSync(artifactPath, `weights of ${model}@${version}`);
        await registry.registerVersion({
          model,
          version,
          ...(parentVersion !== null ? { parentVersion } : {}),
          artifactPath,
          config: { lr: 0.01 },
          metrics,
          author: 'trainer',
        });
      };
      for (const [version, parentVersion, metrics] of versions)
        await register('fraud', version, parentVersion, metrics);
      await register('churn', '1.0.0', null, { auc: 0.8 });
      // Per-unit auc samples on two of the three versions: the chart draws their means' intervals, 1.2.0 has none.
      for (const [version, base] of [
        ['1.0.0', 0.9],
        ['1.1.0', 0.92],
      ] as const)
        await registry.attachEvaluation({
          model: 'fraud',
          version,
          samples: Array.from({ length: 40 }, (_, i) => ({
            unit: `case-${i}`,
            metric: 'auc',
            value: base + (i % 7) / 100,
          })),
        });
      await store.swapProduction({ model: 'fraud', version: '1.0.0', via: 'PROMOTION', actor: 'alice' });
      await store.swapProduction({
        model: 'fraud',
        version: '1.1.0',
        via: 'PROMOTION',
        actor: 'bob',
        reason: 'higher auc',
      });
      await store.createExperiment({ id: 'run-big', name: 'long run', type: 'TRAINING', tags: ['long'] });
      await store.logMetrics(
        'run-big',
        Array.from({ length: SERIES_POINTS }, (_, step) => ({
          key: 'loss',
          value: lossAt(step),
          step,
          timestamp: '2026-01-01T00:00:00.000Z',
        })),
      );
    } finally {
      await registry.close();
    }
    temporal = await startDevServer();
    const env = { MODELCTL_HOME: home, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'dashboard-e2e' };
    worker = await spawnUntil(process.execPath, [BIN, 'worker'], env, /polling task queue/);
    const port = await freePort();
    server = await spawnUntil(
      process.execPath,
      [BIN, 'serve', '--port', String(port), '--temporal-ui-url', `${TEMPORAL_UI}/`],
      env,
      /listening on http:\/\/127\.0\.0\.1:\d+/,
    );
    const url = `http://127.0.0.1:${port}`;
    const adminToken = readFileSync(join(home, 'admin-token'), 'utf8').trim();
    const created = await api<{ token: string }>({ url, admin: adminToken, viewer: '' }, '/tokens', adminToken, {
      method: 'POST',
      body: JSON.stringify({ name: 'viewer-vera', role: 'viewer' }),
    });
    s = { url, admin: adminToken, viewer: created.token };
    browser = await launchBrowser();
    admin = await loginAs(browser, s, s.admin);
    // Seeding the 1M-point series (with its rollups) and starting three processes outlast the default on a busy CI box.
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await stop(server)).toBe(0);
    if (worker !== undefined) expect(await stop(worker)).toBe(0);
    await temporal?.teardown();
    rmSync(home, { recursive: true, force: true });
  });

  test('the models page shows the production version, since when and by whom, as the API gives them', async () => {
    const { page } = admin;
    const overview = await api<{ items: { name: string; production: { version: string; actor: string } | null }[] }>(
      s,
      '/dashboard/models',
      s.admin,
    );
    for (const m of overview.items) {
      const row = page.locator(`tr[data-model="${m.name}"]`);
      expect(await row.locator('[data-field="production"]').textContent()).toBe(m.production?.version ?? '—');
      expect(await row.locator('[data-field="production-actor"]').textContent()).toBe(m.production?.actor ?? '—');
    }
    expect(overview.items.find((m) => m.name === 'fraud')?.production).toMatchObject({
      version: '1.1.0',
      actor: 'bob',
    });
    await page.fill('input[type="search"]', 'chu');
    expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')))).toEqual(
      ['churn'],
    );
    await page.fill('input[type="search"]', '');
    await screenshot(page, 'models');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('the model page: versions, metric columns, timeline, metric chart and audit log equal the API', async () => {
    const { page } = admin;
    await page.click('a[href="/models/fraud"]');
    await page.waitForSelector('table[aria-label="versions"] tbody tr');
    const versions = await api<{ items: { version: string; status: string; metrics: Record<string, number> }[] }>(
      s,
      '/models/fraud/versions',
      s.admin,
    );
    for (const v of versions.items) {
      const row = page.locator(`table[aria-label="versions"] tr[data-version="${v.version}"]`);
      expect(await row.locator('[data-field="status"]').textContent()).toBe(v.status);
      for (const [k, value] of Object.entries(v.metrics))
        expect(Number(await row.locator(`[data-metric="${k}"]`).textContent())).toBe(value);
    }
    expect(await page.locator('[data-field="production"]').first().textContent()).toBe('1.1.0');
    const { stints } = await api<{ stints: { version: string }[] }>(s, '/dashboard/models/fraud/timeline', s.admin);
    expect(
      await page.locator('rect.lane-bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-version'))),
    ).toEqual(stints.map((t) => t.version));
    expect(await page.locator('rect.lane-bar').first().getAttribute('aria-label')).toMatch(/promotion by alice$/);
    const chart = await page
      .locator('svg g[data-version]')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-version'), Number(g.getAttribute('data-value'))]));
    expect(chart).toEqual(versions.items.map((v) => [v.version, v.metrics.auc]));
    // Error bars: each version with evaluation samples shows its mean and t interval exactly as the trend gives them.
    const trend = await api<{
      points: {
        version: string;
        evaluation: { mean: number; interval: { low: number; high: number; level: number } | null } | null;
      }[];
    }>(s, '/models/fraud/trend?metric=auc', s.admin);
    await page.waitForSelector('svg g[data-version] g.ci');
    const bars = await page.locator('svg g[data-version]:has(g.ci)').evaluateAll((gs) =>
      gs.map((g) => {
        const ci = g.querySelector('g.ci')!;
        return [
          g.getAttribute('data-version'),
          ...['data-mean', 'data-low', 'data-high'].map((a) => Number(ci.getAttribute(a))),
        ];
      }),
    );
    const withInterval = trend.points.filter((p) => p.evaluation?.interval != null);
    expect(bars).toEqual(
      withInterval.map((p) => [
        p.version,
        p.evaluation!.mean,
        p.evaluation!.interval!.low,
        p.evaluation!.interval!.high,
      ]),
    );
    expect(withInterval.map((p) => [p.version, p.evaluation!.interval!.level])).toEqual([
      ['1.0.0', 0.95],
      ['1.1.0', 0.95],
    ]);
    expect(withInterval[0]!.evaluation!.interval!.low).toBeLessThan(withInterval[0]!.evaluation!.mean);
    const events = await api<{ items: { id: number; actor: string }[] }>(s, '/models/fraud/events', s.admin);
    expect(
      await page
        .locator('table[aria-label="audit log"] [data-field="actor"]')
        .evaluateAll((cells) => cells.map((c) => c.textContent)),
    ).toEqual(events.items.map((e) => e.actor));
    expect(await page.locator('[data-lineage="1.2.0"]').count()).toBe(1);
    await screenshot(page, 'model');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('the version page shows the artifact sha256 and size the API gives', async () => {
    const { page } = admin;
    await page.click('a[href="/models/fraud/versions/1.0.0"]');
    await page.waitForSelector('[data-field="sha256"]');
    const v = await api<{ artifact: { sha256: string; sizeBytes: number } }>(
      s,
      '/models/fraud/versions/1.0.0',
      s.admin,
    );
    expect(await page.locator('[data-field="sha256"]').textContent()).toBe(v.artifact.sha256);
    expect(Number((await page.locator('[data-field="size"]').textContent())?.replace(/,/g, ''))).toBe(
      v.artifact.sizeBytes,
    );
    await screenshot(page, 'version');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('a 1M-point chart: the overview keeps the spike, and a zoom re-fetches the window at full resolution', async () => {
    const { page } = admin;
    const overview = page.waitForResponse((r) => r.url().includes('/api/v1/experiments/run-big?'));
    await page.goto(`${s.url}/experiments/run-big`);
    const first = (await (await overview).json()) as { series: { loss: { step: number; value: number }[] } };
    const chart = page.locator('.series-chart[data-metric="loss"]');
    await chart.waitFor();
    const shown = Number(await chart.getAttribute('data-points'));
    expect(shown).toBe(first.series.loss.length);
    expect(shown).toBeLessThanOrEqual(4000);
    expect(Number(await chart.getAttribute('data-max'))).toBe(SPIKE);

    // Drag across a narrow band around the spike: the page asks the server for that step window, which is still
    // wider than the chart (downsampled, spike kept); a second drag inside it is narrower than the pixels it spans,
    // so every point of it comes back.
    const dragAround = async (step: number, window: { from: number; to: number }) => {
      const box = (await page.locator('.series-chart .u-over').boundingBox())!;
      const x = box.x + ((step - window.from) / (window.to - window.from)) * box.width;
      const answer = page.waitForResponse((r) => r.url().includes('stepFrom='));
      await page.mouse.move(x - 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(x + 2, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      const res = await answer;
      const query = new URL(res.url()).searchParams;
      const zoomed = { from: Number(query.get('stepFrom')), to: Number(query.get('stepTo')) };
      const points = ((await res.json()) as { series: { loss: { step: number; value: number }[] } }).series.loss;
      await page.waitForSelector(`.series-chart[data-step-from="${zoomed.from}"][data-step-to="${zoomed.to}"]`);
      expect(zoomed.from).toBeLessThan(SPIKE_STEP);
      expect(zoomed.to).toBeGreaterThan(SPIKE_STEP);
      expect(Number(await chart.getAttribute('data-points'))).toBe(points.length);
      expect(points.every((p) => p.step >= zoomed.from && p.step <= zoomed.to)).toBe(true);
      expect(points.find((p) => p.step === SPIKE_STEP)?.value).toBe(SPIKE);
      expect(Number(await chart.getAttribute('data-max'))).toBe(SPIKE);
      return { ...zoomed, points };
    };
    const wide = await dragAround(SPIKE_STEP, { from: 0, to: SERIES_POINTS - 1 });
    expect(wide.points.length).toBe(shown);
    const narrow = await dragAround(SPIKE_STEP, wide);
    expect(narrow.points.map((p) => p.step)).toEqual(
      Array.from({ length: narrow.to - narrow.from + 1 }, (_, i) => narrow.from + i),
    );
    expect(narrow.points.every((p) => p.value === lossAt(p.step))).toBe(true);
    await screenshot(page, 'experiment');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('a viewer sees no actions, and a forged POST with the viewer session is refused with 403', async () => {
    const viewer = await loginAs(browser, s, s.viewer);
    try {
      await viewer.page.goto(`${s.url}/models/fraud`);
      await viewer.page.waitForSelector('table[aria-label="versions"] tbody tr');
      expect(await viewer.page.locator('[data-field="principal"]').textContent()).toBe('viewer-vera');
      expect(await viewer.page.locator('[data-action]').count()).toBe(0);
      const forged = await viewer.page.evaluate(async () => {
        const { cookie } = (globalThis as unknown as { document: { cookie: string } }).document;
        const csrf = /modelctl_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
        const res = await fetch('/api/v1/experiments', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ id: 'forged', name: 'forged', type: 'TRAINING' }),
        });
        return { status: res.status, body: (await res.json()) as { code: string; detail: string } };
      });
      expect(forged).toEqual({
        status: 403,
        body: expect.objectContaining({
          code: 'FORBIDDEN',
          detail: 'token viewer-vera has role viewer; this operation needs editor or above',
        }),
      });
      const missing = await fetch(`${s.url}/api/v1/experiments/forged`, {
        headers: { authorization: `Bearer ${s.admin}` },
      });
      expect(missing.status).toBe(404);
    } finally {
      await viewer.context.close();
    }
  });

  test('a rollback clicked through the dashboard changes production; the audit event names the token', async () => {
    const { page } = admin;
    await page.goto(`${s.url}/models/fraud`);
    await page.click('[data-action="rollback"]');
    const dialog = page.locator('dialog[open]');
    expect(await dialog.locator('[data-field="change"]').textContent()).toBe(
      'Production of fraud moves from 1.1.0 to 1.0.0; 1.1.0 becomes DEPRECATED.',
    );
    const confirm = dialog.locator('[data-confirm="rollback"]');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.locator('input[name="reason"]').fill('latency regression');
    await screenshot(page, 'rollback-confirmation');
    expect(await seriousViolations(page)).toEqual([]);
    await confirm.click();
    await page.waitForSelector('[data-field="outcome"]');
    expect(await page.locator('[data-field="outcome"]').textContent()).toBe('rollback completed: production is 1.0.0');
    const production = await api<{ version: string }>(s, '/models/fraud/production', s.admin);
    expect(production.version).toBe('1.0.0');
    const events = await api<{
      items: {
        id: number;
        version: string;
        toStatus: string;
        via: string;
        actor: string;
        reason: string;
        workflowId: string | null;
      }[];
    }>(s, '/models/fraud/events', s.admin);
    const rolledBack = events.items.filter((e) => e.toStatus === 'PRODUCTION').at(-1)!;
    expect(rolledBack).toMatchObject({
      version: '1.0.0',
      via: 'ROLLBACK',
      actor: 'admin',
      reason: 'rollback: latency regression',
      workflowId: 'rollback-fraud',
    });
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(q: string): { textContent: string } | null } }
        ).document.querySelector('[data-field="production"]')?.textContent === '1.0.0',
    );

    // The audit event's workflow links to the Temporal Web UI the server was given, in the namespace it runs in.
    expect(await api(s, '/dashboard/settings', s.viewer)).toEqual({
      temporalUi: { url: TEMPORAL_UI, namespace: 'default' },
    });
    const link = page.locator(`table[aria-label="audit log"] tr[data-event="${rolledBack.id}"] a[data-workflow-link]`);
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${TEMPORAL_UI}/namespaces/default/workflows/rollback-fraud`);
    expect(await link.textContent()).toBe('rollback-fraud');
    // Seeded events carry no workflow: no link.
    expect(await page.locator('table[aria-label="audit log"] a[data-workflow-link]').count()).toBe(
      events.items.filter((e) => e.workflowId !== null).length,
    );
  });

  test('the A/B test page shows arms, split, units and decision as the API gives them; an abort from the page ends it', async () => {
    const { page } = admin;
    const post = (path: string, body: unknown) =>
      api<Record<string, unknown>>(s, path, s.admin, { method: 'POST', body: JSON.stringify(body) });
    await post('/ab-tests', sequentialClickTest('fraud-ab', 'fraud', '1.0.0', '1.2.0'));
    const units = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const { items } = (await post('/ab-tests/fraud-ab/assignments', { units })) as {
      items: { unitId: string; arm: string }[];
    };
    // Two batches, so the charts over time have two points.
    const outcomes = items.map((a, i) => ({ unitId: a.unitId, value: a.arm === 'treatment' ? 1 : i % 2 }));
    await post('/ab-tests/fraud-ab/outcomes', { outcomes: outcomes.slice(0, 20) });
    await new Promise((r) => setTimeout(r, 5));
    await post('/ab-tests/fraud-ab/outcomes', { outcomes: outcomes.slice(20) });
    const status = await api<{ interim: { units: { control: number; treatment: number }; decision: string } }>(
      s,
      '/ab-tests/fraud-ab',
      s.admin,
    );
    await page.goto(`${s.url}/abtests/fraud-ab`);
    await page.waitForSelector('[data-units="control"]');
    expect(await page.locator('[data-field="control"]').textContent()).toBe('1.0.0');
    expect(await page.locator('[data-field="treatment"]').textContent()).toBe('1.2.0');
    expect(await page.locator('[data-field="status"]').textContent()).toBe('RUNNING');
    expect(Number(await page.locator('[data-units="control"]').textContent())).toBe(status.interim.units.control);
    expect(Number(await page.locator('[data-units="treatment"]').textContent())).toBe(status.interim.units.treatment);
    expect(await page.locator('[data-field="decision"]').textContent()).toBe(status.interim.decision);

    // Over time: the charts plot every point of the timeline, whose last point is the interim's units and the
    // effect x̄_t − x̄_c ± z_{0.975}·√(s_t²/n_t + s_c²/n_c) of the outcomes sent.
    const timeline = await api<{
      points: {
        at: string;
        units: { control: number; treatment: number };
        effect: { estimate: number; ciLow: number; ciHigh: number } | null;
      }[];
    }>(s, '/dashboard/ab-tests/fraud-ab/timeline', s.viewer);
    expect(timeline.points).toHaveLength(2);
    const last = timeline.points[1]!;
    expect(last.units).toEqual(status.interim.units);
    const control = outcomes.filter((_, i) => items[i]!.arm === 'control').map((o) => o.value);
    const mean = control.reduce((a, b) => a + b, 0) / control.length;
    const variance = control.reduce((a, b) => a + (b - mean) ** 2, 0) / (control.length - 1);
    expect(last.effect!.estimate).toBeCloseTo(1 - mean, 12);
    expect(last.effect!.ciHigh - last.effect!.estimate).toBeCloseTo(
      1.959963984540054 * Math.sqrt(variance / control.length),
      12,
    );
    expect(timeline.points[0]!.units.control + timeline.points[0]!.units.treatment).toBe(20);
    for (const chart of ['units', 'effect'])
      expect(Number(await page.locator(`[data-chart="${chart}"]`).getAttribute('data-points'))).toBe(2);
    const note = page.locator('[data-field="timeline-last"]');
    expect(
      await note.evaluate((n) =>
        ['data-control', 'data-treatment', 'data-estimate', 'data-ci-low', 'data-ci-high'].map((a) =>
          Number(n.getAttribute(a)),
        ),
      ),
    ).toEqual([
      last.units.control,
      last.units.treatment,
      last.effect!.estimate,
      last.effect!.ciLow,
      last.effect!.ciHigh,
    ]);
    await screenshot(page, 'ab-test');
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('input[name="reason"]', 'wrong metric');
    await page.click('[data-action="abort"]');
    expect(await page.locator('dialog[open] [data-field="change"]').textContent()).toBe(
      'The test ends now without a winner; status becomes ABORTED and production of fraud does not change.',
    );
    await page.click('dialog[open] [data-confirm="abort"]');
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(q: string): { textContent: string } | null } }
        ).document.querySelector('[data-field="status"]')?.textContent === 'ABORTED',
      undefined,
      { timeout: 60_000, polling: 500 },
    );
    const ended = await api<{ status: string; result: { status: string; endedBy: string } | null }>(
      s,
      '/ab-tests/fraud-ab?wait=true&timeoutSeconds=30',
      s.admin,
    );
    expect(ended.result).toMatchObject({ status: 'ABORTED', endedBy: 'admin' });
    expect((await api<{ version: string }>(s, '/models/fraud/production', s.admin)).version).toBe('1.0.0');
  });

  test('logging out ends the session: the next page asks to log in', async () => {
    const { page } = admin;
    await page.goto(`${s.url}/`);
    await page.click('text=Log out');
    await page.waitForURL(`${s.url}/login`);
    await page.goto(`${s.url}/models/fraud`);
    await page.waitForSelector('text=Log in to modelctl');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
