import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { BACKENDS, openTestStore, type TestRegistryLocation } from '../../helpers/store';
import { openStore } from '../../../src/store';
import fc from 'fast-check';
import { ROLLUP_LEVELS, aggregate } from '../../../src/store/metric-rollups';
import type { Database as Schema } from '../../../src/store/schema';
import type { MetricPointInput } from '../../../src/domain/experiment';

/** A second connection to the test's database, to read the tables the store keeps. */
function rawDb(location: TestRegistryLocation): Kysely<Schema> {
  if (location.backend === 'sqlite')
    return new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(location.config.sqlitePath!) }) });
  return new Kysely<Schema>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location.config.databaseUrl, max: 2 }) }),
  });
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Raw {
  id: number;
  key: string;
  step: number;
  value: number;
  timestamp: string;
}

/** The rollups as a scan of the raw points computes them: sort each bucket in series order, then read it off. */
function expectedRollups(points: Raw[]): string[] {
  const out: string[] = [];
  for (const level of ROLLUP_LEVELS) {
    const groups = new Map<string, Raw[]>();
    for (const p of points) {
      const id = `${p.key}|${Math.floor(p.step / 2 ** level)}`;
      groups.set(id, [...(groups.get(id) ?? []), p]);
    }
    for (const [id, group] of groups) {
      const ordered = [...group].sort(
        (a, b) =>
          a.step - b.step || (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0) || a.id - b.id,
      );
      const byValue = [...group].sort((a, b) => a.value - b.value || a.step - b.step || a.id - b.id);
      const byValueDesc = [...group].sort((a, b) => b.value - a.value || a.step - b.step || a.id - b.id);
      const [key, bucket] = id.split('|');
      const first = ordered[0]!;
      const last = ordered.at(-1)!;
      out.push(
        JSON.stringify([
          key,
          level,
          Number(bucket),
          group.length,
          [first.step, first.timestamp, first.id, first.value],
          [last.step, last.timestamp, last.id, last.value],
          [byValue[0]!.value, byValue[0]!.step, byValue[0]!.id],
          [byValueDesc[0]!.value, byValueDesc[0]!.step, byValueDesc[0]!.id],
        ]),
      );
    }
  }
  return out.sort();
}

async function storedRollups(db: Kysely<Schema>, experimentId: string): Promise<string[]> {
  const rows = await db.selectFrom('metric_rollups').selectAll().where('experiment_id', '=', experimentId).execute();
  return rows
    .map((r) =>
      JSON.stringify([
        r.key,
        r.level,
        Number(r.bucket),
        Number(r.count),
        [Number(r.first_step), new Date(r.first_ts).toISOString(), Number(r.first_id), r.first_value],
        [Number(r.last_step), new Date(r.last_ts).toISOString(), Number(r.last_id), r.last_value],
        [r.min_value, Number(r.min_step), Number(r.min_id)],
        [r.max_value, Number(r.max_step), Number(r.max_id)],
      ]),
    )
    .sort();
}

async function rawPoints(db: Kysely<Schema>, experimentId: string): Promise<Raw[]> {
  const rows = await db
    .selectFrom('metric_points')
    .select(['id', 'key', 'step', 'value', 'timestamp'])
    .where('experiment_id', '=', experimentId)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    key: r.key,
    step: Number(r.step),
    value: r.value,
    timestamp: new Date(r.timestamp).toISOString(),
  }));
}

/** Out-of-order steps, re-logged steps (earlier, equal and later timestamps), ties of value, two keys. */
function messyBatches(): MetricPointInput[][] {
  const rand = rng(7);
  const value = () => Math.round(rand() * 20) / 2; // many equal values: the tie-breaks matter
  const ts = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
  const shuffled = Array.from({ length: 3_000 }, (_, i) => i).sort(() => rand() - 0.5);
  return [
    shuffled.map((step) => ({ key: 'loss', step, value: value(), timestamp: ts(10) })),
    // Re-logged steps, some with an earlier timestamp than the first logging, some with the same, some later.
    Array.from({ length: 1_500 }, () => ({
      key: 'loss',
      step: Math.floor(rand() * 5_000),
      value: value(),
      timestamp: ts([5, 10, 20][Math.floor(rand() * 3)]!),
    })),
    // Descending steps far out, no timestamp (the logging time), and a second key.
    Array.from({ length: 2_000 }, (_, i) => ({
      key: i % 2 === 0 ? 'loss' : 'acc',
      step: 70_000 - i * 3,
      value: value(),
    })),
    // The same step three times in one batch at one timestamp: insertion order settles first and last.
    [7, 7, 7, 300_000, 1_048_575, 1_048_576].map((step, i) => ({ key: 'loss', step, value: i % 2, timestamp: ts(10) })),
  ];
}

describe.each(BACKENDS)('metric rollups on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let db: Kysely<Schema>;
  beforeEach(async () => {
    t = await openTestStore(backend);
    db = rawDb(t.location);
  });
  afterEach(async () => {
    await db.destroy();
    await t.dispose();
  });

  test('after out-of-order, re-logged and duplicate-step batches, every bucket equals a scan of the raw points', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'messy', type: 'TRAINING' });
    const other = await store.createExperiment({ name: 'other', type: 'TRAINING' });
    await store.logMetrics(other.id, [{ key: 'loss', step: 3, value: 100 }]);
    for (const batch of messyBatches()) await store.logMetrics(e.id, batch);
    const raw = await rawPoints(db, e.id);
    expect(raw.length).toBe(3_000 + 1_500 + 2_000 + 6);
    const stored = await storedRollups(db, e.id);
    expect(stored).toEqual(expectedRollups(raw));
    // Level 6 of the three points at step 7 (bucket 0 holds steps 0…63).
    const bucket0 = stored
      .map((s) => JSON.parse(s) as unknown[])
      .find((r) => r[0] === 'loss' && r[1] === 6 && r[2] === 0)!;
    expect(bucket0[3]).toBe(raw.filter((p) => p.key === 'loss' && p.step < 64).length);
    // The other experiment's point is in its own rollups only.
    expect((await storedRollups(db, other.id)).length).toBe(ROLLUP_LEVELS.length);
  });

  test('concurrent batches into the same buckets all count', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'concurrent', type: 'TRAINING' });
    await Promise.all(
      [0, 1, 2, 3].map((w) =>
        store.logMetrics(
          e.id,
          Array.from({ length: 500 }, (_, i) => ({ key: 'loss', step: i * 4 + w, value: (i * 7 + w) % 13 })),
        ),
      ),
    );
    const raw = await rawPoints(db, e.id);
    expect(raw.length).toBe(2_000);
    expect(await storedRollups(db, e.id)).toEqual(expectedRollups(raw));
  });

  test('the migration back-fills the rollups of points stored before it', async () => {
    const { store, location } = t;
    const e = await store.createExperiment({ name: 'before', type: 'TRAINING' });
    for (const batch of messyBatches()) await store.logMetrics(e.id, batch);
    const expected = await storedRollups(db, e.id);
    await store.close();
    // The database as it was before 0006: no rollups table, the migration not recorded.
    await location.rawExec(`drop table metric_rollups`);
    await location.rawExec(`delete from kysely_migration where name = '0006_metric_rollups'`);
    const reopened = await openStore(location.config);
    try {
      expect(await storedRollups(db, e.id)).toEqual(expected);
      expect(expected).toEqual(expectedRollups(await rawPoints(db, e.id)));
    } finally {
      await reopened.close();
      // afterEach closes the store again; a second close is harmless.
    }
  });

  test('a wide window reads the rollups: ends, spike and dip kept, edges cut by the bounds read from the points', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'wide', type: 'TRAINING' });
    const n = 50_000;
    const value = (step: number) =>
      step === 1_005 ? 40 : step === 39_990 ? -40 : step === 25_000 ? 30 : Math.sin(step / 700);
    for (let start = 0; start < n; start += 10_000)
      await store.logMetrics(
        e.id,
        Array.from({ length: 10_000 }, (_, i) => ({ key: 'r', step: start + i, value: value(start + i) })),
      );
    const whole = await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 100 });
    expect(whole.length).toBe(100);
    expect([whole[0]!.step, whole.at(-1)!.step]).toEqual([0, n - 1]);
    expect(whole.filter((p) => Math.abs(p.value) >= 30).map((p) => [p.step, p.value])).toEqual([
      [1_005, 40],
      [25_000, 30],
      [39_990, -40],
    ]);
    expect(whole.every((p, i) => p.value === value(p.step) && (i === 0 || p.step > whole[i - 1]!.step))).toBe(true);
    // Bounds that cut buckets: 1,000 and 40,000 are not multiples of any bucket width; the spike at 1,005 and the dip
    // at 39,990 sit in those cut buckets.
    const window = await store.downsampledMetrics({
      experimentId: e.id,
      key: 'r',
      maxPoints: 100,
      stepFrom: 1_000,
      stepTo: 40_000,
    });
    expect(window.length).toBe(100);
    expect([window[0]!.step, window.at(-1)!.step]).toEqual([1_000, 40_000]);
    expect(window.filter((p) => Math.abs(p.value) >= 30).map((p) => p.step)).toEqual([1_005, 25_000, 39_990]);
    expect(window.every((p) => p.step >= 1_000 && p.step <= 40_000 && p.value === value(p.step))).toBe(true);
    expect(
      await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 100, stepFrom: 1_000, stepTo: 40_000 }),
    ).toEqual(window);
  });

  test('a sparse series with few points comes back whole, whatever its step range', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'sparse', type: 'TRAINING' });
    const points = Array.from({ length: 100 }, (_, i) => ({ key: 'r', step: i * 1_000, value: i % 7 }));
    await store.logMetrics(e.id, points);
    const all = await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 100 });
    expect(all.map((p) => [p.step, p.value])).toEqual(points.map((p) => [p.step, p.value]));
    const fewer = await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 50 });
    expect(fewer.length).toBe(50);
    expect([fewer[0]!.step, fewer.at(-1)!.step]).toEqual([0, 99_000]);
    const rows = await db
      .selectFrom('metric_rollups')
      .select(sql<number>`count(*)`.as('n'))
      .where('experiment_id', '=', e.id)
      .executeTakeFirstOrThrow();
    // One bucket per point at 64 and 256 steps (each narrower than 1,000); coarser levels share buckets.
    const buckets = ROLLUP_LEVELS.map((k) => new Set(points.map((p) => Math.floor(p.step / 2 ** k))).size);
    expect(buckets.slice(0, 3)).toEqual([100, 100, 97]);
    expect(Number(rows.n)).toBe(buckets.reduce((a, b) => a + b, 0));
  });
});

describe('aggregate (the rollups of one batch, folded level by level)', () => {
  test('equals a scan of the points at every level, for any batch: keys, order, ties, re-logged steps', () => {
    const point = fc.record({
      key: fc.constantFrom('loss', 'acc', 'reward'),
      // Mostly near each other (the buckets of one batch), some far out (coarse levels only meet there).
      step: fc.oneof(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 0, max: 3_000_000 })),
      value: fc.integer({ min: -3, max: 3 }), // few values: the tie-breaks decide lowest and highest
      timestamp: fc.constantFrom('2025-01-01T00:00:05.000Z', '2025-01-01T00:00:10.000Z', '2025-01-01T00:00:20.000Z'),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 400 }), (drawn) => {
        const points = drawn.map((p, i) => ({ ...p, id: i + 1 }));
        const folded = aggregate(points)
          .map((b) =>
            JSON.stringify([
              b.key,
              b.level,
              b.bucket,
              b.count,
              [b.first.step, b.first.timestamp, b.first.id, b.first.value],
              [b.last.step, b.last.timestamp, b.last.id, b.last.value],
              [b.min.value, b.min.step, b.min.id],
              [b.max.value, b.max.step, b.max.id],
            ]),
          )
          .sort();
        expect(folded).toEqual(expectedRollups(points));
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
