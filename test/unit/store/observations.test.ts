import { BACKENDS, openTestStore } from '../../helpers/store';
import { expectModelctlError } from '../../helpers/errors';

describe.each(BACKENDS)('production observations on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
  });
  afterEach(async () => {
    await t.dispose();
  });

  const at = (minute: number, second = 0) => new Date(Date.UTC(2025, 0, 1, 0, minute, second)).toISOString();

  test('values and windows add up per bucket: count, sums, min, max, mean and sample variance', async () => {
    const { store } = t;
    const values = [12, 15, 11, 40];
    expect(
      await store.recordObservations([
        ...values.map((value, i) => ({
          model: 'fraud',
          version: '1.1.0',
          metric: 'latency_ms',
          value,
          timestamp: at(3, i),
        })),
        {
          model: 'fraud',
          version: '1.1.0',
          metric: 'latency_ms',
          timestamp: at(3, 30),
          window: { count: 2, sum: 30, sumSquares: 500, min: 10, max: 20 },
        },
        { model: 'fraud', version: '1.1.0', metric: 'latency_ms', value: 99, timestamp: at(4) },
      ]),
    ).toEqual({ recorded: 6, buckets: 2 });
    const minute3 = await store.aggregateObservations({
      model: 'fraud',
      version: '1.1.0',
      metric: 'latency_ms',
      from: at(3),
      to: at(4),
    });
    // 12+15+11+40+30 = 108 over 6 values; Σx² = 144+225+121+1600+500 = 2590.
    expect(minute3).toEqual({
      model: 'fraud',
      version: '1.1.0',
      metric: 'latency_ms',
      count: 6,
      sum: 108,
      sumSquares: 2590,
      min: 10,
      max: 40,
      mean: 18,
      variance: (2590 - 6 * 18 * 18) / 5,
      sketchCount: 4,
      quantiles: {},
      firstBucket: at(3),
      lastBucket: at(3),
    });
    const all = await store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'latency_ms' });
    expect([all.count, all.sum, all.max, all.firstBucket, all.lastBucket]).toEqual([7, 207, 99, at(3), at(4)]);
  });

  test('a later batch into the same bucket merges with it, and the sketch gives percentiles within 1 %', async () => {
    const { store } = t;
    const batch = (from: number) =>
      Array.from({ length: 500 }, (_, i) => ({
        model: 'fraud',
        version: '1.1.0',
        metric: 'latency_ms',
        value: from + i,
        timestamp: at(7, 15),
      }));
    await store.recordObservations(batch(1));
    await store.recordObservations(batch(501));
    const agg = await store.aggregateObservations({
      model: 'fraud',
      version: '1.1.0',
      metric: 'latency_ms',
      quantiles: [0.5, 0.99],
    });
    expect([agg.count, agg.sum, agg.min, agg.max, agg.sketchCount]).toEqual([1000, 500500, 1, 1000, 1000]);
    expect(Math.abs(agg.quantiles['0.5']! - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(Math.abs(agg.quantiles['0.99']! - 990) / 990).toBeLessThanOrEqual(0.01);
  });

  test('versions and metrics are summed apart, and a window with no observations is empty', async () => {
    const { store } = t;
    await store.recordObservations([
      { model: 'fraud', version: '1.0.0', metric: 'error', value: 1, timestamp: at(1) },
      { model: 'fraud', version: '1.1.0', metric: 'error', value: 0, timestamp: at(1) },
      { model: 'fraud', version: '1.1.0', metric: 'latency_ms', value: 5, timestamp: at(1) },
    ]);
    const errors = await store.aggregateObservations({ model: 'fraud', version: '1.0.0', metric: 'error' });
    expect([errors.count, errors.sum]).toEqual([1, 1]);
    expect(
      await store.aggregateObservations({
        model: 'fraud',
        version: '1.1.0',
        metric: 'error',
        from: at(2),
        quantiles: [0.9],
      }),
    ).toEqual({
      model: 'fraud',
      version: '1.1.0',
      metric: 'error',
      count: 0,
      sum: 0,
      sumSquares: 0,
      min: null,
      max: null,
      mean: null,
      variance: null,
      sketchCount: 0,
      quantiles: { '0.9': null },
      firstBucket: null,
      lastBucket: null,
    });
  });

  test('an observation without a timestamp falls in the bucket of the store clock', async () => {
    const { store, clock } = t;
    clock.advance(5 * 60_000 + 42_000);
    await store.recordObservations([{ model: 'fraud', version: '1.1.0', metric: 'error', value: 1 }]);
    const agg = await store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'error' });
    expect([agg.count, agg.firstBucket]).toEqual([1, at(5)]);
  });

  test('a bad observation refuses the whole batch, naming its index and field, and nothing is stored', async () => {
    const { store } = t;
    const good = { model: 'fraud', version: '1.1.0', metric: 'error', value: 1, timestamp: at(1) };
    await expectModelctlError(
      store.recordObservations([good, { ...good, value: Number.NaN }]),
      'INVALID_INPUT',
      'invalid observations: 1.value: expected a finite number',
    );
    await expectModelctlError(
      store.recordObservations([{ model: 'fraud', version: '1.1.0', metric: 'error', timestamp: at(1) }]),
      'INVALID_INPUT',
      'invalid observations: 0.value: give exactly one of value (one observation) or window ({count, sum, sumSquares, min, max})',
    );
    await expectModelctlError(
      store.recordObservations([
        { ...good, value: undefined, window: { count: 2, sum: 50, sumSquares: 1250, min: 0, max: 10 } },
      ]),
      'INVALID_INPUT',
      'invalid observations: 0.window.sum: must lie between count × min and count × max',
    );
    await expectModelctlError(
      store.recordObservations([]),
      'INVALID_INPUT',
      'invalid observations: (root): must hold at least one observation',
    );
    await expectModelctlError(
      store.recordObservations([{ ...good, version: 'v1' }]),
      'INVALID_INPUT',
      /^invalid observations: 0\.version: /,
    );
    await expectModelctlError(
      store.recordObservations([good, { ...good, timestamp: '2025-13-01T00:00:00.000Z' }, { ...good, model: 'Fraud' }]),
      'INVALID_INPUT',
      /^invalid observations: 1\.timestamp: must be an ISO 8601 timestamp with a time zone.*; 2\.model: must match /,
    );
    const agg = await store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'error' });
    expect(agg.count).toBe(0);
  });

  test('an interleaved batch (versions, metrics, minutes, names and zones the parser normalises) sums per bucket, and the rows given are left as they were', async () => {
    const { store } = t;
    const batch = Array.from({ length: 600 }, (_, i) => ({
      model: 'fraud',
      version: i % 3 === 0 ? '1.0.0' : '1.1.0',
      // Every seventh latency key carries spaces (trimmed) and every fifth timestamp an offset (moved to UTC).
      metric: i % 2 === 0 ? 'error' : i % 7 === 0 ? ' latency_ms ' : 'latency_ms',
      value: i % 2 === 0 ? (i % 10 === 0 ? 1 : 0) : i,
      timestamp:
        i % 5 === 0
          ? `2025-01-01T01:${String(Math.floor(i / 200) + 10).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}+01:00`
          : at(Math.floor(i / 200) + 10, i % 60),
    }));
    const given = JSON.stringify(batch);
    expect(await store.recordObservations(batch)).toEqual({ recorded: 600, buckets: 12 });
    expect(JSON.stringify(batch)).toBe(given);
    for (const version of ['1.0.0', '1.1.0'])
      for (const metric of ['error', 'latency_ms'])
        for (const minute of [10, 11, 12]) {
          const rows = batch.filter(
            (o, i) => o.version === version && o.metric.trim() === metric && Math.floor(i / 200) + 10 === minute,
          );
          const agg = await store.aggregateObservations({
            model: 'fraud',
            version,
            metric,
            from: at(minute),
            to: at(minute + 1),
          });
          const values = rows.map((o) => o.value);
          expect([agg.count, agg.sum, agg.min, agg.max, agg.sketchCount]).toEqual([
            rows.length,
            values.reduce((a, b) => a + b, 0),
            Math.min(...values),
            Math.max(...values),
            rows.length,
          ]);
        }
  });

  test('concurrent batches into the same buckets lose none of each other, sketches included', async () => {
    const { store } = t;
    const batch = (k: number) =>
      Array.from({ length: 200 }, (_, i) => ({
        model: 'fraud',
        version: '1.1.0',
        metric: 'latency_ms',
        value: k * 1000 + i,
        timestamp: at(20 + (i % 2), 5),
      }));
    await Promise.all(Array.from({ length: 8 }, (_, k) => store.recordObservations(batch(k))));
    const agg = await store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'latency_ms' });
    const values = Array.from({ length: 8 }, (_, k) => batch(k).map((o) => o.value)).flat();
    expect([agg.count, agg.sum, agg.min, agg.max, agg.sketchCount]).toEqual([
      1600,
      values.reduce((a, b) => a + b, 0),
      0,
      7199,
      1600,
    ]);
  });

  test('a timestamp with an offset lands in its UTC bucket', async () => {
    const { store } = t;
    await store.recordObservations([
      { model: 'fraud', version: '1.1.0', metric: 'error', value: 1, timestamp: '2025-01-01T01:09:59+01:00' },
    ]);
    const agg = await store.aggregateObservations({ model: 'fraud', version: '1.1.0', metric: 'error' });
    expect(agg.firstBucket).toBe(at(9));
  });
});
