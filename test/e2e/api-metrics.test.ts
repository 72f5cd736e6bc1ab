import { BACKENDS } from '../helpers/store';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';

const ok = { key: 'loss', value: 1, step: 1 };

/** Bodies the metrics route refuses, each with the one error line it answers (400 INVALID_INPUT). */
const REFUSED: [string, unknown, string][] = [
  ['no points', {}, 'invalid body: points: Invalid input: expected array, received undefined'],
  ['empty points', { points: [] }, 'invalid body: points: Too small: expected array to have >=1 items'],
  ['points not an array', { points: ok }, 'invalid body: points: Invalid input: expected array, received object'],
  ['an extra body field', { points: [ok], other: 1 }, 'invalid body: (root): Unrecognized key: "other"'],
  [
    'an empty idempotency key',
    { points: [ok], idempotencyKey: '' },
    'invalid body: idempotencyKey: Too small: expected string to have >=1 characters',
  ],
  [
    'a point that is not an object',
    { points: [ok, 3] },
    'invalid body: points.1: Invalid input: expected object, received number',
  ],
  [
    'an extra point field',
    { points: [ok, { ...ok, extra: true }] },
    'invalid body: points.1: Unrecognized key: "extra"',
  ],
  ['a key of spaces', { points: [ok, { ...ok, key: '   ' }] }, 'invalid body: points.1.key: must not be empty'],
  [
    'a key too long',
    { points: [{ ...ok, key: 'k'.repeat(201) }] },
    'invalid body: points.0.key: Too big: expected string to have <=200 characters',
  ],
  ['a value as text', { points: [{ ...ok, value: 'NaN' }] }, 'invalid body: points.0.value: expected a finite number'],
  ['a null value', { points: [{ ...ok, value: null }] }, 'invalid body: points.0.value: expected a finite number'],
  ['a negative step', { points: [ok, ok, { ...ok, step: -1 }] }, 'invalid body: points.2.step: must not be negative'],
  ['a fractional step', { points: [{ ...ok, step: 1.5 }] }, 'invalid body: points.0.step: must be an integer'],
  [
    'an unsafe step',
    { points: [{ ...ok, step: 2 ** 53 }] },
    'invalid body: points.0.step: must be an integer; points.0.step: Too big: expected number to be <=9007199254740991',
  ],
  [
    'a timestamp as a number',
    { points: [{ ...ok, timestamp: 1 }] },
    'invalid body: points.0.timestamp: Invalid input: expected string, received number',
  ],
  [
    'a timestamp without a zone',
    { points: [{ ...ok, timestamp: '2025-03-01T12:00:00' }] },
    'invalid metric points: 0.timestamp: must be an ISO 8601 timestamp with a time zone, e.g. 2025-03-01T12:00:00Z',
  ],
  [
    'a timestamp of no calendar',
    { points: [ok, { ...ok, timestamp: '2025-02-30T12:00:00.000Z' }] },
    'invalid metric points: 1.timestamp: must be an ISO 8601 timestamp with a time zone, e.g. 2025-03-01T12:00:00Z',
  ],
  [
    'too many points',
    { points: Array.from({ length: 10_001 }, () => ok) },
    'invalid body: points: Too big: expected array to have <=10000 items',
  ],
];

describe.each(BACKENDS)('POST /api/v1/experiments/:id/metrics on %s', (backend) => {
  let t: TestApiServer;
  const post = (body: unknown) =>
    t.request('/api/v1/experiments/run-1/metrics', {
      method: 'POST',
      token: t.adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    t = await startTestApiServer(backend);
    await t.store.createExperiment({ id: 'run-1', name: 'ppo', type: 'TRAINING' });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test.each(REFUSED)('%s: 400 with one line naming the field, nothing stored', async (_name, body, detail) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: 'INVALID_INPUT', detail });
    expect(await t.store.metricKeys('run-1')).toEqual([]);
  });

  test('a padded key is trimmed and an offset timestamp normalised, as the schemas make them', async () => {
    const answer = await post({
      points: [ok, { ...ok, key: ' padded ', timestamp: '2025-03-01T13:00:00+01:00' }],
    });
    expect(await answer.json()).toEqual({ stored: 2 });
    expect((await t.store.metricHistory({ experimentId: 'run-1', key: 'padded', limit: 10 })).points).toEqual([
      { key: 'padded', value: 1, step: 1, timestamp: '2025-03-01T12:00:00.000Z' },
    ]);
    expect(await t.store.metricKeys('run-1')).toEqual(['loss', 'padded']);
  });
});
