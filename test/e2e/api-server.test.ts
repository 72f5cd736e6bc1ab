import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { LocalArtifactStore } from '../../src/artifacts';
import { hashSecret } from '../../src/client/api-tokens';
import { AbTestInput } from '../../src/domain/ab-test';
import { assign } from '../../src/stats/assignment';
import { BACKENDS, artifactRef } from '../helpers/store';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';

interface Operation {
  method: string;
  path: string;
  role: string | null;
}

/** Every operation of the served OpenAPI document with the role its description declares (null: public). */
async function operations(t: TestApiServer): Promise<Operation[]> {
  const doc = (await (await t.request('/api/openapi.json')).json()) as {
    paths: Record<string, Record<string, { description?: string }>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const role = /^Role: (viewer|editor|admin) or above\./.exec(op.description ?? '')?.[1] ?? null;
      if (role === null && !(op.description ?? '').startsWith('Public: no token.'))
        throw new Error(`${method} ${path} declares no role`);
      ops.push({ method: method.toUpperCase(), path, role });
    }
  }
  return ops;
}

/** A concrete URL for an OpenAPI path template. */
function concrete(path: string): string {
  return path
    .replace('{model}', 'fraud')
    .replace('{version}', '1.0.0')
    .replace('{name}', 'someone')
    .replace('{id}', 'some-test')
    .replace('{unit}', 'user-1')
    .replace('{evalSet}', 'heldout')
    .replace('{scheduleId}', 'some-schedule');
}

async function problem(res: Response): Promise<{ status: number; code: string; detail: string; type: string }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as { status: number; code: string; detail: string; type: string };
}

async function createToken(t: TestApiServer, body: Record<string, unknown>): Promise<string> {
  const res = await t.request('/api/v1/tokens', {
    method: 'POST',
    token: t.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

describe.each(BACKENDS)('modelctl serve on %s', (backend) => {
  let t: TestApiServer;
  beforeAll(async () => {
    t = await startTestApiServer(backend, { rateLimitMax: 1000 });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test('the first start writes an admin token readable by its owner only', async () => {
    expect(statSync(t.server.adminTokenFile!).mode & 0o777).toBe(0o600);
    expect(t.adminToken).toMatch(/^mct_[A-Za-z0-9_-]{43}$/);
    const res = await t.request('/api/v1/whoami', { token: t.adminToken });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'admin', role: 'admin', modelScope: null, expiresAt: null });
  });

  test('only the hash of a secret is stored', async () => {
    const rows = await t.store.listApiTokens();
    expect(rows.map((r) => r.name)).toContain('admin');
    const found = await t.store.findApiToken(hashSecret(t.adminToken));
    expect(found?.record.name).toBe('admin');
    expect(found?.secretSha256).toBe(hashSecret(t.adminToken));
  });

  test('healthz and readyz answer without a token', async () => {
    const alive = await t.request('/healthz');
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: 'ok' });
    const ready = await t.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: { ok: true } } });
  });

  test('every operation of the OpenAPI document refuses a missing, wrong, expired or revoked token and a too-small role', async () => {
    const expiredSecret = 'mct_expired-token-for-the-walk';
    await t.store.createApiToken({
      name: 'expired-walk',
      role: 'admin',
      modelScope: null,
      secretSha256: hashSecret(expiredSecret),
      expiresAt: '2020-01-01T00:00:00.000Z',
    });
    const revoked = await createToken(t, { name: 'revoked-walk', role: 'admin' });
    expect((await t.request('/api/v1/tokens/revoked-walk', { method: 'DELETE', token: t.adminToken })).status).toBe(
      200,
    );
    const viewer = await createToken(t, { name: 'viewer-walk', role: 'viewer' });
    const editor = await createToken(t, { name: 'editor-walk', role: 'editor' });

    const ops = await operations(t);
    const guarded = ops.filter((o) => o.role !== null);
    expect(guarded.length).toBeGreaterThanOrEqual(8);
    for (const op of guarded) {
      const url = concrete(op.path);
      const cases: [string | undefined, string][] = [
        [undefined, 'this operation needs a token: send Authorization: Bearer <token>'],
        ['mct_wrong', 'the token is not valid'],
        [expiredSecret, 'the token has expired'],
        [revoked, 'the token has been revoked'],
      ];
      for (const [token, detail] of cases) {
        const res = await t.request(url, { method: op.method, ...(token !== undefined ? { token } : {}) });
        expect([op.method, op.path, res.status]).toEqual([op.method, op.path, 401]);
        expect(await problem(res)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', detail });
      }
      const tooSmall = op.role === 'admin' ? [viewer, editor] : op.role === 'editor' ? [viewer] : [];
      for (const token of tooSmall) {
        const res = await t.request(url, { method: op.method, token });
        expect([op.method, op.path, res.status]).toEqual([op.method, op.path, 403]);
        expect((await problem(res)).code).toBe('FORBIDDEN');
      }
    }
    expect(
      ops
        .filter((o) => o.role === null)
        .map((o) => `${o.method} ${o.path}`)
        .sort(),
    ).toEqual(['GET /healthz', 'GET /readyz', 'POST /api/v1/ui/session']);
  });

  test('models and versions are listed with cursor pagination, and a model scope narrows what a token sees', async () => {
    for (const [model, version] of [
      ['fraud', '1.0.0'],
      ['fraud', '1.1.0'],
      ['fraud', '2.0.0'],
      ['churn', '1.0.0'],
    ] as const) {
      await t.store.createVersion({
        model,
        version,
        artifact: artifactRef(`${model}-${version}`),
        config: {},
        metrics: { accuracy: 0.9 },
        git: null,
        gitReason: 'test',
        author: 'test',
      });
    }
    const first = await t.request('/api/v1/models/fraud/versions?limit=2', { token: t.adminToken });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { items: { version: string }[]; nextCursor: string | null };
    expect(page1.items.map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
    const second = await t.request(`/api/v1/models/fraud/versions?limit=2&cursor=${page1.nextCursor}`, {
      token: t.adminToken,
    });
    const page2 = (await second.json()) as { items: { version: string }[]; nextCursor: string | null };
    expect(page2).toMatchObject({ nextCursor: null });
    expect(page2.items.map((v) => v.version)).toEqual(['2.0.0']);

    const scoped = await createToken(t, { name: 'fraud-reader', role: 'viewer', modelScope: 'fraud*' });
    const models = (await (await t.request('/api/v1/models', { token: scoped })).json()) as {
      items: { name: string }[];
    };
    expect(models.items.map((m) => m.name)).toEqual(['fraud']);
    const refused = await t.request('/api/v1/models/churn/versions', { token: scoped });
    expect(refused.status).toBe(403);
    expect(await problem(refused)).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'token fraud-reader is limited to models matching fraud*, not churn',
    });

    // A comparison with another model's version needs a scope that covers that model too.
    const across = await t.request('/api/v1/models/fraud/compare?a=1.0.0&b=1.0.0&bModel=churn', { token: scoped });
    expect([across.status, await problem(across)]).toEqual([
      403,
      expect.objectContaining({ detail: 'token fraud-reader is limited to models matching fraud*, not churn' }),
    ]);
    const compared = await t.request('/api/v1/models/fraud/compare?a=1.0.0&b=1.0.0&bModel=churn', {
      token: t.adminToken,
    });
    expect([compared.status, ((await compared.json()) as { a: unknown; b: unknown }).b]).toEqual([
      200,
      { model: 'churn', version: '1.0.0', status: 'VALIDATION' },
    ]);

    const one = await t.request('/api/v1/models/fraud/versions/1.1.0', { token: scoped });
    expect(await one.json()).toMatchObject({ model: 'fraud', version: '1.1.0', status: 'VALIDATION' });
    const production = await t.request('/api/v1/models/fraud/production', { token: scoped });
    expect(await production.json()).toEqual({
      model: 'fraud',
      at: null,
      version: null,
      modelVersion: null,
      since: null,
    });
  });

  test('experiments take metric batches and link versions; compare, events and report read the registry', async () => {
    const editor = await createToken(t, { name: 'trainer', role: 'editor' });
    const json = (method: string, body: unknown) => ({
      method,
      token: editor,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const created = await t.request(
      '/api/v1/experiments',
      json('POST', { id: 'run-1', name: 'ppo', type: 'TRAINING' }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'run-1', name: 'ppo', type: 'TRAINING', status: 'RUNNING' });

    const points = [0, 1, 2].map((step) => ({ key: 'loss', value: 1 / (step + 1), step }));
    const logged = await t.request('/api/v1/experiments/run-1/metrics', json('POST', { points }));
    expect(await logged.json()).toEqual({ stored: 3 });
    const nan = await t.request(
      '/api/v1/experiments/run-1/metrics',
      json('POST', { points: [{ key: 'loss', value: 'NaN', step: 3 }] }),
    );
    expect(nan.status).toBe(400);
    // A batch resent under its idempotency key (its first answer was lost) is stored once; another run's key is its own.
    const batch = { points: [{ key: 'lr', value: 0.01, step: 0 }], idempotencyKey: 'journal-1:1' };
    expect(await (await t.request('/api/v1/experiments/run-1/metrics', json('POST', batch))).json()).toEqual({
      stored: 1,
    });
    expect(await (await t.request('/api/v1/experiments/run-1/metrics', json('POST', batch))).json()).toEqual({
      stored: 1,
    });
    expect((await t.store.metricHistory({ experimentId: 'run-1', key: 'lr', limit: 10 })).points).toHaveLength(1);
    const series = await t.request('/api/v1/experiments/run-1/metrics/loss?limit=2', { token: editor });
    const page = (await series.json()) as { points: { step: number; value: number }[]; nextCursor: string | null };
    expect(page.points.map((p) => [p.step, p.value])).toEqual([
      [0, 1],
      [1, 0.5],
    ]);
    expect(page.nextCursor).not.toBeNull();

    const linked = await t.request(
      '/api/v1/experiments/run-1/versions',
      json('POST', { model: 'fraud', version: '1.0.0' }),
    );
    expect(((await linked.json()) as { linkedVersions: unknown[] }).linkedVersions).toEqual([
      { model: 'fraud', version: '1.0.0' },
    ]);
    const ended = await t.request('/api/v1/experiments/run-1', json('PATCH', { status: 'COMPLETED' }));
    expect(await ended.json()).toMatchObject({ status: 'COMPLETED' });
    const results = await t.request('/api/v1/experiments/run-1?maxPoints=2', { token: editor });
    const r = (await results.json()) as { series: Record<string, { step: number }[]> };
    expect(r.series.loss!.map((p) => p.step)).toEqual([0, 2]);
    expect(
      (
        (await (await t.request('/api/v1/experiments', { token: editor })).json()) as { items: { id: string }[] }
      ).items.map((e) => e.id),
    ).toEqual(['run-1']);

    const compared = await t.request('/api/v1/models/fraud/compare?a=1.0.0&b=1.1.0&metric=accuracy', { token: editor });
    expect(await compared.json()).toMatchObject({
      a: { model: 'fraud', version: '1.0.0' },
      b: { model: 'fraud', version: '1.1.0' },
    });
    const events = await t.request('/api/v1/models/fraud/events?limit=2', { token: editor });
    const ev = (await events.json()) as { items: { version: string; toStatus: string }[]; nextCursor: string | null };
    expect(ev.items.map((e) => [e.version, e.toStatus])).toEqual([
      ['1.0.0', 'VALIDATION'],
      ['1.1.0', 'VALIDATION'],
    ]);
    const rest = await t.request(`/api/v1/models/fraud/events?cursor=${ev.nextCursor}`, { token: editor });
    expect(((await rest.json()) as { items: { version: string }[] }).items.map((e) => e.version)).toEqual(['2.0.0']);
    const report = await t.request('/api/v1/report', { token: editor });
    expect(report.status).toBe(200);
    const body = (await report.json()) as { models: { name?: string; model?: string }[] };
    expect(body.models.length).toBe(2);
  });

  test('evaluation samples attach per set (replacing it whole), summaries read back, compare pairs them', async () => {
    const editor = await createToken(t, { name: 'evaluator', role: 'editor' });
    const viewer = await createToken(t, { name: 'eval-reader', role: 'viewer' });
    const put = (version: string, set: string, samples: unknown) =>
      t.request(`/api/v1/models/fraud/versions/${version}/evaluations/${set}`, {
        method: 'PUT',
        token: editor,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ samples }),
      });
    const episodes = (offset: number) =>
      Array.from({ length: 20 }, (_, i) => ({
        unit: String(i),
        metric: 'return',
        value: 100 + i + offset * (i % 2 ? 1 : 2),
      }));
    const first = await put('1.0.0', 'seeds', episodes(0));
    expect([first.status, await first.json()]).toEqual([
      200,
      { model: 'fraud', version: '1.0.0', evalSet: 'seeds', samples: 20, metrics: ['return'] },
    ]);
    expect((await put('1.1.0', 'seeds', episodes(10))).status).toBe(200);
    const summaries = await t.request('/api/v1/models/fraud/versions/1.0.0/evaluations', { token: viewer });
    expect(await summaries.json()).toEqual({
      items: [{ evalSet: 'seeds', metric: 'return', units: 20, mean: 109.5, sd: Math.sqrt(35) }],
    });
    const compared = (await (
      await t.request('/api/v1/models/fraud/compare?a=1.0.0&b=1.1.0', { token: viewer })
    ).json()) as { significance: Record<string, unknown>[]; significanceNote: string | null };
    expect(compared.significanceNote).toBeNull();
    expect(compared.significance).toHaveLength(1);
    expect(compared.significance[0]).toMatchObject({
      evalSet: 'seeds',
      metric: 'return',
      paired: true,
      test: 'paired-t',
      units: { a: 20, b: 20 },
      a: { mean: 109.5 },
      b: { mean: 109.5 + 15 },
      difference: { estimate: 15 },
      verdict: 'better',
    });

    // Refused whole, naming the field, and nothing replaced.
    const refusals: [Response, number, string, RegExp][] = [
      [
        await put('1.0.0', 'seeds', [{ unit: 'a', metric: 'return', value: 'NaN' }]),
        400,
        'INVALID_INPUT',
        /samples\.0\.value/,
      ],
      [
        await put('1.0.0', 'seeds', [
          { unit: 'a', metric: 'return', value: 1 },
          { unit: 'a', metric: 'return', value: 2 },
        ]),
        400,
        'INVALID_INPUT',
        /samples\.1\.unit: unit "a" already has a value of "return" at index 0/,
      ],
      [await put('1.0.0', 'seeds', []), 400, 'INVALID_INPUT', /samples/],
      [
        await put(
          '1.0.0',
          'seeds',
          Array.from({ length: 100_001 }, (_, i) => ({ unit: `${i}`, metric: 'm', value: 0 })),
        ),
        400,
        'INVALID_INPUT',
        /samples/,
      ],
      [await put('1.0.0', 'no%20spaces', episodes(0)), 400, 'INVALID_INPUT', /evalSet/],
      [await put('9.9.9', 'seeds', episodes(0)), 404, 'NOT_FOUND', /fraud@9\.9\.9 does not exist/],
    ];
    for (const [res, status, code, detail] of refusals) {
      const p = await problem(res);
      expect([p.status, p.code]).toEqual([status, code]);
      expect(p.detail).toMatch(detail);
    }
    expect((await t.store.evaluationSummaries('fraud', '1.0.0')).map((e) => [e.evalSet, e.units])).toEqual([
      ['seeds', 20],
    ]);
    // Attaching again replaces the set.
    expect((await put('1.0.0', 'seeds', episodes(0).slice(0, 5))).status).toBe(200);
    expect((await t.store.evaluationSummaries('fraud', '1.0.0')).map((e) => [e.evalSet, e.units])).toEqual([
      ['seeds', 5],
    ]);
    const unknown = await t.request('/api/v1/models/fraud/versions/9.9.9/evaluations', { token: viewer });
    expect((await problem(unknown)).code).toBe('NOT_FOUND');
  });

  test('an artifact downloads whole or by Range, with its sha256 as ETag', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const file = join(t.home, 'weights.bin');
    writeFileSync(file, bytes);
    const artifact = await new LocalArtifactStore(join(t.home, 'artifacts')).put(file);
    await t.store.createVersion({
      model: 'weights',
      version: '1.0.0',
      artifact,
      config: {},
      metrics: {},
      git: null,
      gitReason: 'test',
      author: 'test',
    });
    const url = '/api/v1/models/weights/versions/1.0.0/artifact';
    const whole = await t.request(url, { token: t.adminToken });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('etag')).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const cases: [string, number, number][] = [
      ['bytes=100000-100009', 100_000, 100_009],
      ['bytes=299990-', 299_990, 299_999],
      ['bytes=-5', 299_995, 299_999],
      ['bytes=0-0', 0, 0],
    ];
    for (const [range, start, end] of cases) {
      const part = await t.request(url, { token: t.adminToken, headers: { range } });
      expect([range, part.status, part.headers.get('content-range')]).toEqual([
        range,
        206,
        `bytes ${start}-${end}/300000`,
      ]);
      expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    const outside = await t.request(url, { token: t.adminToken, headers: { range: 'bytes=300000-' } });
    expect([outside.status, outside.headers.get('content-range')]).toEqual([416, 'bytes */300000']);
    expect(await problem(outside)).toMatchObject({
      status: 416,
      title: 'Range Not Satisfiable',
      code: 'INVALID_INPUT',
      detail: 'Range bytes=300000- is outside the artifact (300000 bytes)',
    });
    const malformed = await t.request(url, { token: t.adminToken, headers: { range: 'lines=1-2' } });
    expect([malformed.status, (await problem(malformed)).detail]).toEqual([
      400,
      'invalid Range "lines=1-2": use bytes=start-end',
    ]);
    const missing = await t.request('/api/v1/models/weights/versions/9.9.9/artifact', { token: t.adminToken });
    expect(missing.status).toBe(404);
  });

  test('a streamed upload registers a version authored by the token; a wrong sha256 or a cut-off body leaves nothing', async () => {
    const uploader = await createToken(t, { name: 'uploader', role: 'editor' });
    const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const upload = (query: string, body: Buffer) =>
      t.request(`/api/v1/models/uploaded/versions?${query}`, {
        method: 'POST',
        token: uploader,
        headers: { 'content-type': 'application/octet-stream' },
        body,
      });
    const objects = () =>
      readdirSync(join(t.home, 'artifacts'), { recursive: true }).filter((f) => String(f).length > 60);

    const wrong = await upload(`version=1.0.0&expectedSha256=${'0'.repeat(64)}`, bytes);
    expect(wrong.status).toBe(422);
    expect((await problem(wrong)).code).toBe('CHECKSUM_MISMATCH');
    const before = objects();

    // A client that dies half-way: Content-Length promises 2 MiB, 1 MiB arrives, then the socket is destroyed.
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${t.url}/api/v1/models/uploaded/versions?version=1.0.0`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${uploader}`,
          'content-type': 'application/octet-stream',
          'content-length': String(bytes.length),
        },
      });
      req.on('error', () => resolve());
      req.write(bytes.subarray(0, 1024 * 1024), () => setTimeout(() => req.destroy(), 50));
    });
    // The server notices the cut on its side; give the store a moment to clean up before looking.
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.store.listVersions('uploaded')).toEqual([]);
    expect(objects()).toEqual(before);

    const ok = await upload(
      `version=1.0.0&expectedSha256=${sha256}&metrics=${encodeURIComponent('{"auc":0.9}')}`,
      bytes,
    );
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({
      model: 'uploaded',
      version: '1.0.0',
      author: 'uploader',
      metrics: { auc: 0.9 },
      artifact: { sha256, sizeBytes: bytes.length },
    });
    const taken = await upload('version=1.0.0', bytes);
    expect(taken.status).toBe(409);
  });

  test('errors are problem+json with the error code and leave the registry unchanged', async () => {
    const before = await t.store.listApiTokens();
    const missing = await t.request('/api/v1/models/nosuch/versions', { token: t.adminToken });
    expect(missing.status).toBe(404);
    expect(await problem(missing)).toEqual({
      type: 'urn:modelctl:problem:NOT_FOUND',
      title: 'Not Found',
      status: 404,
      detail: 'model nosuch has no versions',
      code: 'NOT_FOUND',
      instance: '/api/v1/models/nosuch/versions',
    });
    const post = (body: string, contentType = 'application/json') =>
      t.request('/api/v1/tokens', {
        method: 'POST',
        token: t.adminToken,
        headers: { 'content-type': contentType },
        body,
      });
    const malformed = await post('{"name": "x",');
    expect(malformed.status).toBe(400);
    expect((await problem(malformed)).detail).toMatch(/^invalid body: malformed JSON/);
    const badRole = await post(JSON.stringify({ name: 'x', role: 'root' }));
    expect(badRole.status).toBe(400);
    expect(await problem(badRole)).toMatchObject({
      code: 'INVALID_INPUT',
      detail: 'invalid body: role: must be one of viewer, editor, admin',
    });
    const deep = await post(`${'['.repeat(40)}${']'.repeat(40)}`);
    expect(deep.status).toBe(400);
    expect((await problem(deep)).detail).toBe('invalid body: nested deeper than 32 levels');
    const wrongType = await post('name=x', 'text/plain');
    expect(wrongType.status).toBe(415);
    expect((await problem(wrongType)).code).toBe('INVALID_INPUT');
    const oversize = await post(JSON.stringify({ name: 'x', role: 'viewer', pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(oversize.status).toBe(413);
    const taken = await post(JSON.stringify({ name: 'admin', role: 'viewer' }));
    expect(taken.status).toBe(409);
    expect(await problem(taken)).toMatchObject({
      code: 'ALREADY_EXISTS',
      detail: 'a token named admin already exists',
    });
    expect(await t.store.listApiTokens()).toEqual(before);
  });

  test('assignments come from the stored salt and split; outcome batches are idempotent per unit, a repeated unit refuses the batch', async () => {
    const split = { control: 3000, treatment: 7000 };
    const definition = AbTestInput.parse({
      id: 'serving-ab',
      model: 'fraud',
      control: '1.0.0',
      treatment: '1.1.0',
      split,
      duration: '1d',
      metric: { name: 'click', kind: 'binary' },
    });
    await t.store.createAbTest({
      id: 'serving-ab',
      name: 'serving-ab',
      model: 'fraud',
      control: '1.0.0',
      treatment: '1.1.0',
      split,
      salt: 'salt-7',
      definition: JSON.parse(JSON.stringify(definition)) as Record<string, never>,
    });
    const viewer = await createToken(t, { name: 'server-reader', role: 'viewer' });
    const editor = await createToken(t, { name: 'server-writer', role: 'editor' });
    const post = (path: string, token: string, body: unknown) =>
      t.request(`/api/v1/ab-tests/serving-ab/${path}`, {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const units = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const expected = units.map((unitId) => {
      const { arm, bucket } = assign('salt-7', unitId, split);
      return {
        unitId,
        arm,
        bucket,
        version: arm === 'control' ? '1.0.0' : '1.1.0',
        testStatus: 'SCHEDULED',
        ended: false,
      };
    });
    const assigned = await post('assignments', viewer, { units });
    expect(assigned.status).toBe(200);
    expect(await assigned.json()).toEqual({ items: expected });
    const one = await t.request('/api/v1/ab-tests/serving-ab/assignments/user-7', { token: viewer });
    expect(await one.json()).toEqual(expected[7]);
    const tooMany = await post('assignments', viewer, { units: Array.from({ length: 10_001 }, (_, i) => `u${i}`) });
    expect(tooMany.status).toBe(400);
    expect((await problem(tooMany)).detail).toMatch(/^invalid body: units: /);
    const unknown = await t.request('/api/v1/ab-tests/nosuch/assignments/user-1', { token: viewer });
    expect([unknown.status, (await problem(unknown)).detail]).toEqual([404, 'A/B test nosuch does not exist']);

    // Outcomes are taken only while the test runs.
    const early = await post('outcomes', editor, { outcomes: [{ unitId: 'user-1', value: 1 }] });
    expect([early.status, (await problem(early)).detail]).toEqual([
      422,
      'A/B test serving-ab is SCHEDULED; outcomes are recorded only while it runs',
    ]);
    await t.store.updateAbTest('serving-ab', { status: 'RUNNING', startedAt: new Date().toISOString() });
    expect((await post('outcomes', viewer, { outcomes: [{ unitId: 'user-1', value: 1 }] })).status).toBe(403);

    const repeated = await post('outcomes', editor, {
      outcomes: [
        { unitId: 'user-1', value: 1 },
        { unitId: 'user-2', value: 0 },
        { unitId: 'user-1', value: 0 },
      ],
    });
    expect(repeated.status).toBe(400);
    expect((await problem(repeated)).detail).toBe(
      'invalid outcomes: 2.unitId: unit "user-1" is also outcome 0; a batch names each unit once',
    );
    const empty = { units: 0, sum: 0, sumSquares: 0 };
    expect(await t.store.aggregateOutcomes('serving-ab')).toEqual({ control: empty, treatment: empty });

    const controls = expected.filter((e) => e.arm === 'control').length;
    const first = await post('outcomes', editor, { outcomes: units.map((unitId) => ({ unitId, value: 1 })) });
    expect(await first.json()).toEqual({ recorded: 200, control: controls, treatment: 200 - controls });
    // Recording the same units again replaces their values: each unit still counts once.
    const again = await post('outcomes', editor, {
      outcomes: units.slice(0, 50).map((unitId) => ({ unitId, value: 0 })),
    });
    expect(((await again.json()) as { recorded: number }).recorded).toBe(50);
    const firstControls = expected.slice(0, 50).filter((e) => e.arm === 'control').length;
    expect(await t.store.aggregateOutcomes('serving-ab')).toEqual({
      control: { units: controls, sum: controls - firstControls, sumSquares: controls - firstControls },
      treatment: {
        units: 200 - controls,
        sum: 150 - controls + firstControls,
        sumSquares: 150 - controls + firstControls,
      },
    });
    const notBinary = await post('outcomes', editor, { outcomes: [{ unitId: 'user-1', value: 0.5 }] });
    expect((await problem(notBinary)).detail).toBe(
      'invalid outcomes: 0.value: the metric click is binary, so values must be 0 or 1 (got 0.5)',
    );

    // A token scoped to other models sees neither the assignments nor the outcomes of this test.
    const other = await createToken(t, { name: 'churn-writer', role: 'editor', modelScope: 'churn*' });
    const scoped = await post('outcomes', other, { outcomes: [{ unitId: 'user-1', value: 1 }] });
    expect([scoped.status, (await problem(scoped)).detail]).toEqual([
      403,
      'token churn-writer is limited to models matching churn*, not fraud',
    ]);
    const listed = await t.request('/api/v1/ab-tests', { token: other });
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([]);
    const all = await t.request('/api/v1/ab-tests?model=fraud', { token: viewer });
    expect(((await all.json()) as { items: { id: string; salt: string }[] }).items).toEqual([
      expect.objectContaining({ id: 'serving-ab', salt: 'salt-7', status: 'RUNNING' }),
    ]);

    // Once the test has ended both routes hand every unit the version that serves now, and say that it ended.
    const servedNow = async (version: string, testStatus: string) => {
      const batch = await post('assignments', viewer, { units });
      expect(await batch.json()).toEqual({
        items: expected.map((e) => ({ ...e, version, testStatus, ended: true })),
      });
      const single = await t.request('/api/v1/ab-tests/serving-ab/assignments/user-7', { token: viewer });
      expect(await single.json()).toEqual({ ...expected[7], version, testStatus, ended: true });
    };
    // Aborted, and the model has no production version: the control.
    await t.store.updateAbTest('serving-ab', { status: 'ABORTED', endedAt: new Date().toISOString() });
    await servedNow('1.0.0', 'ABORTED');
    // The treatment won and was promoted: the winner, control units too.
    await t.store.updateAbTest('serving-ab', { status: 'COMPLETED' });
    await t.store.swapProduction({ model: 'fraud', version: '1.1.0', via: 'PROMOTION', actor: 'abtest' });
    await servedNow('1.1.0', 'COMPLETED');
  });

  test('a server started without Temporal answers the workflow routes 503 and still serves traffic', async () => {
    const res = await t.request('/api/v1/models/fraud/promotion', { token: t.adminToken });
    expect(res.status).toBe(503);
    expect(await problem(res)).toMatchObject({
      code: 'UNAVAILABLE',
      detail: 'this server runs without Temporal: workflow routes are off',
    });
  });

  test('a token past its rate limit gets 429 with Retry-After', async () => {
    const limited = await startTestApiServer(backend, { rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    try {
      for (let i = 0; i < 3; i++)
        expect((await limited.request('/api/v1/whoami', { token: limited.adminToken })).status).toBe(200);
      const res = await limited.request('/api/v1/whoami', { token: limited.adminToken });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await problem(res)).code).toBe('RATE_LIMITED');
      // The probes are outside the limit.
      expect((await limited.request('/healthz')).status).toBe(200);
    } finally {
      await limited.dispose();
    }
  });
});
