import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelctlAsync } from '../helpers/cli';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';
import { artifactRef } from '../helpers/store';

/** The cookies a response sets, by name: value and attributes as sent. */
function setCookies(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.getSetCookie().map((c) => [c.slice(0, c.indexOf('=')), c]));
}

function cookieValue(header: string): string {
  return header.slice(header.indexOf('=') + 1, header.indexOf(';'));
}

async function createToken(t: TestApiServer, name: string, role: string): Promise<string> {
  const res = await t.request('/api/v1/tokens', {
    method: 'POST',
    token: t.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, role }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/** Logs in as `token` the way the dashboard does: a login code, then the session exchange. */
async function login(t: TestApiServer, token: string): Promise<{ cookie: string; csrf: string; res: Response }> {
  const issued = await t.request('/api/v1/ui/login-codes', { method: 'POST', token });
  expect(issued.status).toBe(201);
  const { code, loginPath } = (await issued.json()) as { code: string; loginPath: string };
  expect(loginPath).toBe(`/login#code=${code}`);
  const res = await t.request('/api/v1/ui/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  expect(res.status).toBe(200);
  const cookies = setCookies(res);
  const session = cookieValue(cookies.modelctl_session!);
  const csrf = cookieValue(cookies.modelctl_csrf!);
  return { cookie: `modelctl_session=${session}; modelctl_csrf=${csrf}`, csrf, res };
}

describe('the dashboard on modelctl serve', () => {
  let t: TestApiServer;
  let dashboard: string;
  beforeAll(async () => {
    dashboard = mkdtempSync(join(tmpdir(), 'modelctl-dashboard-'));
    mkdirSync(join(dashboard, 'assets'));
    writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>modelctl</title>');
    writeFileSync(join(dashboard, 'assets', 'index-abc123.js'), 'console.log(1);');
    t = await startTestApiServer('sqlite', { dashboardDir: dashboard, rateLimitMax: 1000 });
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dashboard, { recursive: true, force: true });
  });

  test('serves index.html at / and at every client-side route, assets with a year of caching, and no page for API paths', async () => {
    for (const path of ['/', '/models/fraud', '/models/fraud/versions/1.0.0', '/login']) {
      const res = await t.request(path);
      expect([path, res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([
        path,
        200,
        'text/html; charset=utf-8',
        'no-cache',
      ]);
      expect(await res.text()).toBe('<!doctype html><title>modelctl</title>');
    }
    const asset = await t.request('/assets/index-abc123.js');
    expect([asset.status, asset.headers.get('cache-control'), await asset.text()]).toEqual([
      200,
      'public, max-age=31536000, immutable',
      'console.log(1);',
    ]);
    const missing = await t.request('/assets/nope.js');
    expect(missing.status).toBe(404);
    const api = await t.request('/api/v1/nope');
    expect([api.status, ((await api.json()) as { code: string; detail: string }).detail]).toEqual([
      404,
      'no route GET /api/v1/nope',
    ]);
    const escape = await t.request('/assets/..%2f..%2fpackage.json');
    expect(escape.status).not.toBe(200);
  });

  test('a login code opens an HttpOnly SameSite=Strict session acting as the token, once', async () => {
    const viewer = await createToken(t, 'viewer-ann', 'viewer');
    const { cookie, res } = await login(t, viewer);
    expect(await res.json()).toMatchObject({ name: 'viewer-ann', role: 'viewer', modelScope: null });
    const cookies = setCookies(res);
    expect(cookies.modelctl_session).toMatch(
      /^modelctl_session=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Strict; Max-Age=43200; HttpOnly$/,
    );
    expect(cookies.modelctl_csrf).toMatch(/^modelctl_csrf=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Strict; Max-Age=43200$/);
    const whoami = await t.request('/api/v1/whoami', { headers: { cookie } });
    expect(await whoami.json()).toMatchObject({ name: 'viewer-ann', role: 'viewer' });

    const issued = await t.request('/api/v1/ui/login-codes', { method: 'POST', token: viewer });
    const { code } = (await issued.json()) as { code: string };
    const exchange = () =>
      t.request('/api/v1/ui/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
    expect((await exchange()).status).toBe(200);
    const again = await exchange();
    expect([again.status, ((await again.json()) as { detail: string }).detail]).toEqual([
      401,
      'the login code is unknown, used or expired: run modelctl ui for a new one',
    ]);
    const bad = await t.request('/api/v1/ui/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '', extra: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/code/);
  });

  test('a session must echo its CSRF token to change anything; a viewer session is refused actions with 403', async () => {
    const editor = await createToken(t, 'editor-eve', 'editor');
    const { cookie, csrf } = await login(t, editor);
    const create = (headers: Record<string, string>, id: string) =>
      t.request('/api/v1/experiments', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ id, name: 'run', type: 'TRAINING' }),
      });
    const forged = await create({}, 'run-forged');
    expect([forged.status, ((await forged.json()) as { detail: string }).detail]).toEqual([
      403,
      "a dashboard request that changes something must send the session's CSRF token in x-csrf-token",
    ]);
    expect((await create({ 'x-csrf-token': `${csrf}x` }, 'run-forged')).status).toBe(403);
    expect(await t.store.getExperiment('run-forged')).toBeNull();
    const made = await create({ 'x-csrf-token': csrf }, 'run-ok');
    expect([made.status, (await t.store.getExperiment('run-ok'))?.name]).toEqual([201, 'run']);

    const viewer = await createToken(t, 'viewer-vic', 'viewer');
    const v = await login(t, viewer);
    const refused = await t.request('/api/v1/experiments', {
      method: 'POST',
      headers: { cookie: v.cookie, 'x-csrf-token': v.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'run-viewer', name: 'run', type: 'TRAINING' }),
    });
    expect([refused.status, ((await refused.json()) as { detail: string }).detail]).toEqual([
      403,
      'token viewer-vic has role viewer; this operation needs editor or above',
    ]);
    expect(await t.store.getExperiment('run-viewer')).toBeNull();
  });

  test('logout and a revoked token end the session', async () => {
    const token = await createToken(t, 'leaver', 'viewer');
    const first = await login(t, token);
    const out = await t.request('/api/v1/ui/session', {
      method: 'DELETE',
      headers: { cookie: first.cookie, 'x-csrf-token': first.csrf },
    });
    expect(out.status).toBe(204);
    expect(setCookies(out).modelctl_session).toBe('modelctl_session=; Path=/; SameSite=Strict; Max-Age=0; HttpOnly');
    const after = await t.request('/api/v1/whoami', { headers: { cookie: first.cookie } });
    expect([after.status, ((await after.json()) as { detail: string }).detail]).toEqual([
      401,
      'the dashboard session has ended or expired: log in again (modelctl ui)',
    ]);

    const second = await login(t, token);
    expect((await t.request('/api/v1/tokens/leaver', { method: 'DELETE', token: t.adminToken })).status).toBe(200);
    const revoked = await t.request('/api/v1/whoami', { headers: { cookie: second.cookie } });
    expect([revoked.status, ((await revoked.json()) as { detail: string }).detail]).toEqual([
      401,
      'the token has been revoked',
    ]);
  });

  test('the models overview and the timeline give production since when and by whom from the audit events', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      await t.store.createVersion({
        model: 'fraud',
        version,
        artifact: artifactRef(`fraud-${version}`),
        config: {},
        metrics: { auc: 0.9 },
        git: null,
        gitReason: 'test',
        author: 'test',
      });
    }
    await t.store.swapProduction({ model: 'fraud', version: '1.0.0', via: 'PROMOTION', actor: 'alice' });
    await t.store.swapProduction({
      model: 'fraud',
      version: '1.1.0',
      via: 'PROMOTION',
      actor: 'bob',
      reason: 'better auc',
    });
    const overview = await t.request('/api/v1/dashboard/models', { token: t.adminToken });
    const fraud = ((await overview.json()) as { items: Record<string, unknown>[] }).items.find(
      (m) => m.name === 'fraud',
    );
    expect(fraud).toMatchObject({
      production: { version: '1.1.0', actor: 'bob', reason: 'better auc', via: 'PROMOTION', to: null },
      lastChange: { version: '1.1.0', toStatus: 'PRODUCTION', actor: 'bob' },
      runningAbTests: [],
    });
    const timeline = await t.request('/api/v1/dashboard/models/fraud/timeline', { token: t.adminToken });
    const { stints } = (await timeline.json()) as { stints: { version: string; actor: string; to: string | null }[] };
    expect(stints.map((s) => [s.version, s.actor, s.to === null])).toEqual([
      ['1.0.0', 'alice', false],
      ['1.1.0', 'bob', true],
    ]);
    const none = await t.request('/api/v1/dashboard/models/nope/timeline', { token: t.adminToken });
    expect(none.status).toBe(404);
  });

  test('modelctl ui --print-url prints a one-time login URL for MODELCTL_TOKEN; refusals are one line', async () => {
    const env = { MODELCTL_TOKEN: t.adminToken, MODELCTL_HOME: t.home };
    const run = await modelctlAsync(['ui', '--url', t.url, '--print-url'], { env });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const url = run.stdout.trim();
    expect(url).toMatch(new RegExp(`^${t.url}/login#code=[A-Za-z0-9_-]{43}$`));
    const code = url.slice(url.indexOf('#code=') + 6);
    const exchanged = await t.request('/api/v1/ui/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(await exchanged.json()).toMatchObject({ name: 'admin', role: 'admin' });

    const wrong = await modelctlAsync(['ui', '--url', t.url, '--print-url'], {
      env: { ...env, MODELCTL_TOKEN: 'mct_wrong' },
    });
    expect([wrong.status, wrong.stderr]).toEqual([5, `modelctl: ${t.url}: the token is not valid\n`]);
    const empty = await modelctlAsync(['ui', '--print-url'], { env: { ...env, MODELCTL_TOKEN: '' } });
    expect([empty.status, empty.stderr]).toEqual([
      2,
      "modelctl: invalid MODELCTL_TOKEN: must be a token of 1–200 characters (unset it for the home's admin-token)\n",
    ]);
    const badUrl = await modelctlAsync(['ui', '--url', 'ftp://x', '--print-url'], { env });
    expect([badUrl.status, badUrl.stderr]).toEqual([
      2,
      'modelctl: invalid --url: must be an http:// or https:// URL of a modelctl server\n',
    ]);
    const down = await modelctlAsync(['ui', '--url', 'http://127.0.0.1:9', '--print-url'], { env });
    expect(down.status).toBe(7);
    expect(down.stderr).toMatch(/^modelctl: cannot reach the modelctl server at http:\/\/127\.0\.0\.1:9: .+\n$/);
  });
});
