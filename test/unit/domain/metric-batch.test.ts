import { MetricsBody, plainMetricsBody } from '../../../src/api/routes/experiments';
import { checkedRoutePoints, checkedStorePoints } from '../../../src/domain/metric-batch';
import { MetricBatch } from '../../../src/store/metrics';

/** Points that each probe one rule of MetricPointInput and IsoTimestamp, valid ones and invalid ones. */
const probes: unknown[] = [
  { key: 'loss', value: 0.5, step: 0 },
  { key: 'val/accuracy', value: -3, step: 12 },
  { key: 'a', value: 0, step: Number.MAX_SAFE_INTEGER },
  { key: 'x'.repeat(200), value: 1, step: 1 },
  { key: 'x'.repeat(201), value: 1, step: 1 },
  { key: ' loss', value: 1, step: 1 },
  { key: 'loss ', value: 1, step: 1 },
  { key: 'loss\n', value: 1, step: 1 },
  { key: '\u00a0loss', value: 1, step: 1 },
  { key: 'loss\ufeff', value: 1, step: 1 },
  { key: '  ', value: 1, step: 1 },
  { key: '', value: 1, step: 1 },
  { key: 'éclat', value: 1, step: 1 },
  { key: 7, value: 1, step: 1 },
  { key: 'loss', value: '1', step: 1 },
  { key: 'loss', value: Number.NaN, step: 1 },
  { key: 'loss', value: Number.POSITIVE_INFINITY, step: 1 },
  { key: 'loss', value: Number.MAX_VALUE, step: 1 },
  { key: 'loss', value: 1, step: -0 },
  { key: 'loss', value: 1, step: -1 },
  { key: 'loss', value: 1, step: 1.5 },
  { key: 'loss', value: 1, step: Number.MAX_SAFE_INTEGER + 1 },
  { key: 'loss', value: 1, step: '3' },
  { key: 'loss', value: 1 },
  { value: 1, step: 1 },
  { key: 'loss', value: 1, step: 1, extra: true },
  JSON.parse('{"key":"loss","value":1,"step":1,"__proto__":{"x":1}}'),
  Object.assign(Object.create(null), { key: 'loss', value: 1, step: 1 }),
  new (class Point {
    key = 'loss';
    value = 1;
    step = 1;
  })(),
  [],
  null,
  'loss',
  { key: 'loss', value: 1, step: 1, timestamp: undefined },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T12:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2024-02-29T23:59:59.999Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-02-29T00:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-04-31T00:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T24:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T12:60:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-13-01T12:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '0000-01-01T00:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T12:00:00Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T12:00:00.5Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T12:00:00.123456Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T13:00:00.000+01:00' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01 12:00:00.000Z' },
  { key: 'loss', value: 1, step: 1, timestamp: '2025-03-01T12:00:00.000' },
  { key: 'loss', value: 1, step: 1, timestamp: 'yesterday' },
  { key: 'loss', value: 1, step: 1, timestamp: 1_740_830_400_000 },
];

function zodResult(schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, value: unknown) {
  const r = schema.safeParse(value);
  return r.success ? { ok: r.data } : 'rejected';
}

describe('the fast checks of metric batches', () => {
  test.each(probes.map((p, i) => [i, p]))(
    'probe %d: what a fast check accepts, the schema returns unchanged',
    (_i, probe) => {
      const store = checkedStorePoints([probe], 1_000_000);
      if (store !== undefined) expect(zodResult(MetricBatch, [probe])).toEqual({ ok: store });
      const route = checkedRoutePoints([probe], 1, 10_000);
      const body = { points: [probe] };
      if (route !== undefined) expect(zodResult(MetricsBody, body)).toEqual({ ok: body });
      expect(plainMetricsBody(body)).toBe(route !== undefined);
    },
  );

  test('they accept the everyday forms, and the store copies what it accepts', () => {
    const batch = [
      { key: 'loss', value: 0.25, step: 3 },
      { key: 'loss', value: 0.5, step: 4, timestamp: '2025-03-01T12:00:00.000Z' },
      { key: 'loss', value: 0.75, step: 5, timestamp: '2025-03-01T12:00:00.000Z' },
    ];
    const copy = checkedStorePoints(batch, 1_000_000)!;
    expect(copy).toEqual(MetricBatch.parse(batch));
    expect(copy).not.toBe(batch);
    expect(copy[0]).not.toBe(batch[0]);
    expect(checkedRoutePoints(batch, 1, 10_000)).toBe(batch);
    expect(plainMetricsBody({ points: batch, idempotencyKey: 'k' })).toBe(true);
  });

  test('they leave bounds and the body around the points to the schema', () => {
    const point = { key: 'loss', value: 1, step: 1 };
    expect(checkedStorePoints([point, point], 1)).toBeUndefined();
    expect(checkedStorePoints('points', 10)).toBeUndefined();
    expect(checkedRoutePoints([], 1, 10)).toBeUndefined();
    expect(checkedRoutePoints([point, point], 1, 1)).toBeUndefined();
    expect(plainMetricsBody({ points: [] })).toBe(false);
    expect(plainMetricsBody({ points: [point], idempotencyKey: '' })).toBe(false);
    expect(plainMetricsBody({ points: [point], idempotencyKey: 'k'.repeat(201) })).toBe(false);
    expect(plainMetricsBody({ points: [point], idempotencyKey: 3 })).toBe(false);
    expect(plainMetricsBody({ points: [point], other: 1 })).toBe(false);
    expect(plainMetricsBody({ point })).toBe(false);
    expect(plainMetricsBody([point])).toBe(false);
    expect(plainMetricsBody(null)).toBe(false);
  });
});
