import { hashSecret } from '../../src/client/api-tokens';
import { BACKENDS } from '../helpers/store';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';

describe.each(BACKENDS)('POST /api/v1/observations on %s', (backend) => {
  let t: TestApiServer;
  const token = async (name: string, role: 'viewer' | 'editor', modelScope: string | null = null) => {
    const secret = `mct_${name}-secret-for-tests`;
    await t.store.createApiToken({ name, role, modelScope, secretSha256: hashSecret(secret), expiresAt: null });
    return secret;
  };
  const post = (secret: string, body: unknown) =>
    t.request('/api/v1/observations', {
      method: 'POST',
      token: secret,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    t = await startTestApiServer(backend, { rateLimitMax: 1000 });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  test('an editor records a batch of values and windows; a viewer, a bad observation and another model scope are refused', async () => {
    const editor = await token('serving', 'editor');
    const at = '2025-01-01T00:03:10.000Z';
    const res = await post(editor, {
      observations: [
        { model: 'fraud', version: '1.1.0', metric: 'error', value: 1, timestamp: at },
        {
          model: 'fraud',
          version: '1.1.0',
          metric: 'error',
          timestamp: at,
          window: { count: 9, sum: 0, sumSquares: 0, min: 0, max: 0 },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ recorded: 2, buckets: 1 });
    const agg = await t.store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'error' });
    expect([agg.count, agg.sum, agg.firstBucket]).toEqual([10, 1, '2025-01-01T00:03:00.000Z']);

    const bad = await post(editor, {
      observations: [{ model: 'fraud', version: '1.1.0', metric: 'error', value: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'INVALID_INPUT',
      detail: 'invalid observations: 0.value: expected a finite number',
    });

    const viewer = await post(await token('reader', 'viewer'), {
      observations: [{ model: 'fraud', version: '1.1.0', metric: 'error', value: 0 }],
    });
    expect(viewer.status).toBe(403);
    const scoped = await post(await token('ads-only', 'editor', 'ads'), {
      observations: [{ model: 'fraud', version: '1.1.0', metric: 'error', value: 0 }],
    });
    expect(scoped.status).toBe(403);
    expect(await scoped.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'token ads-only is limited to models matching ads, not fraud',
    });
    expect((await t.store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'error' })).count).toBe(10);
  });
});
