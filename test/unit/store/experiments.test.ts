import { BACKENDS, artifactRef, openTestStore, seedVersions } from '../../helpers/store';
import { expectModelctlError } from '../../helpers/errors';
import { METRIC_CHUNK_ROWS } from '../../../src/store';
import type { AbTestResult } from '../../../src/domain/ab-test';
import type { MetricPointInput } from '../../../src/domain/experiment';

/** Logs `n` points of `key`, steps 0..n-1, with `value(step)`, all at one timestamp. */
async function logSeries(
  store: { logMetrics(id: string, points: MetricPointInput[]): Promise<number> },
  id: string,
  key: string,
  n: number,
  value: (step: number) => number,
): Promise<void> {
  await store.logMetrics(
    id,
    Array.from({ length: n }, (_, step) => ({ key, value: value(step), step, timestamp: '2025-01-01T00:00:00Z' })),
  );
}

describe.each(BACKENDS)('experiments and metrics on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('an experiment starts RUNNING; updates replace config and tags, merge external ids, append warnings; ending sets the duration', async () => {
    const { store, clock } = t;
    const started = clock.iso();
    const e = await store.createExperiment({
      name: 'baseline',
      type: 'TRAINING',
      config: { lr: 0.1 },
      tags: ['a'],
      externalIds: { wandb: 'run-1' },
    });
    expect(e).toEqual({
      id: expect.any(String),
      name: 'baseline',
      type: 'TRAINING',
      status: 'RUNNING',
      description: null,
      config: { lr: 0.1 },
      tags: ['a'],
      summary: {},
      startedAt: started,
      endedAt: null,
      durationSeconds: null,
      externalIds: { wandb: 'run-1' },
      linkedVersions: [],
      warnings: [],
    });
    await store.updateExperiment(e.id, {
      config: { lr: 0.05 },
      tags: ['b', 'c'],
      externalIds: { mlflow: 'x' },
      addWarnings: ['W&B offline'],
    });
    await store.updateExperiment(e.id, { addWarnings: ['slow disk'], summary: { best: 0.9 } });
    const ended = clock.advance(90_500);
    const done = await store.updateExperiment(e.id, { status: 'COMPLETED' });
    expect(done).toMatchObject({
      status: 'COMPLETED',
      config: { lr: 0.05 },
      tags: ['b', 'c'],
      externalIds: { wandb: 'run-1', mlflow: 'x' },
      warnings: ['W&B offline', 'slow disk'],
      summary: { best: 0.9 },
      endedAt: ended,
      durationSeconds: 90.5,
    });
    expect(await store.getExperiment(e.id)).toEqual(done);
    await expectModelctlError(
      store.updateExperiment(e.id, { status: 'RUNNING' }),
      'ILLEGAL_TRANSITION',
      `cannot move experiment ${e.id} from COMPLETED to RUNNING`,
    );
    await expectModelctlError(
      store.updateExperiment('missing', { tags: [] }),
      'NOT_FOUND',
      'experiment missing does not exist',
    );
  });

  test('bad experiment input is rejected naming the field and allowed values, and nothing is written', async () => {
    const { store } = t;
    await expectModelctlError(
      store.createExperiment({ name: 'x', type: 'FINETUNE' as never }),
      'INVALID_INPUT',
      'type: must be one of TRAINING, AB_TEST, VALIDATION, BENCHMARK, HYPERPARAMETER_SWEEP',
    );
    const e = await store.createExperiment({
      id: 'exp-1',
      name: 'x',
      type: 'BENCHMARK',
      startedAt: '2025-01-01T01:00:00+01:00',
    });
    expect(e.startedAt).toBe('2025-01-01T00:00:00.000Z');
    await expectModelctlError(
      store.createExperiment({ id: 'exp-1', name: 'y', type: 'BENCHMARK' }),
      'ALREADY_EXISTS',
      'experiment exp-1 already exists',
    );
    await expectModelctlError(
      store.updateExperiment('exp-1', { status: 'DONE' as never }),
      'INVALID_INPUT',
      'status: must be one of RUNNING, COMPLETED, FAILED, CANCELLED',
    );
    await expectModelctlError(
      store.updateExperiment('exp-1', { status: 'FAILED', endedAt: '2024-12-31T00:00:00Z' }),
      'INVALID_INPUT',
      'endedAt: 2024-12-31T00:00:00.000Z is before startedAt',
    );
    await expectModelctlError(
      store.updateExperiment('exp-1', { endedAt: '2025-02-01T00:00:00Z' }),
      'INVALID_INPUT',
      'endedAt: is set only together with a terminal status',
    );
    expect((await store.getExperiment('exp-1'))?.status).toBe('RUNNING');
    expect((await store.listExperiments()).map((x) => x.id)).toEqual(['exp-1']);
  });

  test('model versions link to experiments, at registration or later, once each', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'sweep', type: 'HYPERPARAMETER_SWEEP' });
    await store.createVersion({
      model: 'ranker',
      artifact: artifactRef('r'),
      config: {},
      metrics: {},
      git: null,
      gitReason: 'none',
      author: 'a',
      experimentId: e.id,
    });
    await store.createVersion({
      model: 'ranker',
      artifact: artifactRef('r2'),
      config: {},
      metrics: {},
      git: null,
      gitReason: 'none',
      author: 'a',
    });
    await store.linkVersion(e.id, { model: 'ranker', version: '1.0.1' });
    await store.linkVersion(e.id, { model: 'ranker', version: '1.0.1' });
    expect((await store.getExperiment(e.id))?.linkedVersions).toEqual([
      { model: 'ranker', version: '1.0.0' },
      { model: 'ranker', version: '1.0.1' },
    ]);
    await expectModelctlError(
      store.linkVersion(e.id, { model: 'ranker', version: '3.0.0' }),
      'NOT_FOUND',
      'ranker@3.0.0 does not exist',
    );
  });

  test('metrics are logged in batches larger than one insert and read back in (step, timestamp) pages', async () => {
    const { store, clock } = t;
    const e = await store.createExperiment({ name: 'long', type: 'TRAINING' });
    const n = METRIC_CHUNK_ROWS * 2 + 7;
    // Logged out of order: reading orders by step, then timestamp.
    const points = Array.from({ length: n }, (_, i) => ({
      key: 'loss',
      value: 1 / (n - i),
      step: n - 1 - i,
      timestamp: '2025-01-01T00:00:00Z',
    }));
    expect(await store.logMetrics(e.id, points)).toBe(n);
    await store.logMetrics(e.id, [
      { key: 'loss', value: 42, step: 3, timestamp: '2025-01-01T00:00:01Z' },
      { key: 'acc', value: 0.5, step: 0 },
    ]);
    const read: { step: number; value: number; timestamp: string }[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await store.metricHistory({
        experimentId: e.id,
        key: 'loss',
        limit: 500,
        ...(after !== undefined ? { after } : {}),
      });
      read.push(...page.points);
      after = page.nextCursor ?? undefined;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(Math.ceil((n + 1) / 500));
    expect(read.length).toBe(n + 1);
    expect(read.slice(0, 6).map((p) => [p.step, p.value])).toEqual([
      [0, 1],
      [1, 1 / 2],
      [2, 1 / 3],
      [3, 1 / 4],
      [3, 42],
      [4, 1 / 5],
    ]);
    expect(read[4]!.timestamp).toBe('2025-01-01T00:00:01.000Z');
    expect(read.every((p, i) => i === 0 || p.step >= read[i - 1]!.step)).toBe(true);
    expect(await store.metricKeys(e.id)).toEqual(['acc', 'loss']);
    const acc = await store.metricHistory({ experimentId: e.id, key: 'acc' });
    expect(acc).toEqual({ points: [{ key: 'acc', value: 0.5, step: 0, timestamp: clock.iso() }], nextCursor: null });
    // The summary is the last point of each series, by step.
    expect((await store.getExperiment(e.id))?.summary).toEqual({ acc: 0.5, loss: 1 / n });
    await expectModelctlError(
      store.metricHistory({ experimentId: e.id, key: 'loss', after: 'garbage' }),
      'INVALID_INPUT',
      'after: not a cursor',
    );
  });

  test('summary and keys: last point by step, then timestamp, then insertion; keys of other experiments stay out', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'summary', type: 'TRAINING' });
    const other = await store.createExperiment({ name: 'other', type: 'TRAINING' });
    await store.logMetrics(other.id, [
      { key: 'a', value: 100, step: 999 },
      { key: 'zz', value: 7, step: 0 },
    ]);
    // Logged out of order: the highest step wins, not the last insert.
    await store.logMetrics(e.id, [
      { key: 'reward', value: 3, step: 5 },
      { key: 'reward', value: 9, step: 2 },
    ]);
    // Same step: the later timestamp wins, then the later insert.
    await store.logMetrics(e.id, [
      { key: 'loss', value: 0.5, step: 1, timestamp: '2025-01-01T00:00:05.000Z' },
      { key: 'loss', value: 0.4, step: 1, timestamp: '2025-01-01T00:00:02.000Z' },
      { key: 'b', value: 1, step: 3, timestamp: '2025-01-01T00:00:01.000Z' },
      { key: 'b', value: 2, step: 3, timestamp: '2025-01-01T00:00:01.000Z' },
    ]);
    expect(await store.metricKeys(e.id)).toEqual(['b', 'loss', 'reward']);
    expect((await store.getExperiment(e.id))?.summary).toEqual({ b: 2, loss: 0.5, reward: 3 });
    expect((await store.getExperiment(other.id))?.summary).toEqual({ a: 100, zz: 7 });
    const empty = await store.createExperiment({ name: 'empty', type: 'TRAINING' });
    expect(await store.metricKeys(empty.id)).toEqual([]);
    expect((await store.getExperiment(empty.id))?.summary).toEqual({});
  });

  test('an ended experiment takes no more points; a replay of a batch stored before the end still answers', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'ended', type: 'TRAINING' });
    expect(await store.logMetrics(e.id, [{ key: 'loss', value: 0.1, step: 1 }], { idempotencyKey: 'batch-1' })).toBe(1);
    await store.updateExperiment(e.id, { status: 'COMPLETED' });
    await expectModelctlError(
      store.logMetrics(e.id, [{ key: 'loss', value: 9, step: 2 }]),
      'REFUSED',
      `experiment ${e.id} is COMPLETED; metrics are logged only while it runs`,
    );
    expect(await store.logMetrics(e.id, [{ key: 'loss', value: 0.1, step: 1 }], { idempotencyKey: 'batch-1' })).toBe(1);
    expect((await store.getExperiment(e.id))?.summary).toEqual({ loss: 0.1 });
    expect((await store.metricHistory({ experimentId: e.id, key: 'loss' })).points.map((p) => p.step)).toEqual([1]);
  });

  test('a non-finite value rejects the whole batch, naming the key and step; nothing is stored', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'nan', type: 'TRAINING' });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      await expectModelctlError(
        store.logMetrics(e.id, [
          { key: 'loss', value: 0.3, step: 11 },
          { key: 'loss', value: bad, step: 12 },
        ]),
        'INVALID_INPUT',
        `metric "loss" at step 12 is ${String(bad)}: non-finite values are rejected; nothing from this batch was stored`,
      );
    }
    await expectModelctlError(
      store.logMetrics(e.id, [{ key: 'loss', value: 1, step: -1 }]),
      'INVALID_INPUT',
      '0.step: must not be negative',
    );
    await expectModelctlError(
      store.logMetrics('nope', [{ key: 'loss', value: 1, step: 1 }]),
      'NOT_FOUND',
      'experiment nope does not exist',
    );
    expect((await store.metricHistory({ experimentId: e.id, key: 'loss' })).points).toEqual([]);
  });

  test('a retried metrics batch with the same idempotency key is stored once', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'retry', type: 'TRAINING' });
    const batch = [
      { key: 'loss', value: 0.3, step: 1 },
      { key: 'loss', value: 0.2, step: 2 },
    ];
    expect(await store.logMetrics(e.id, batch, { idempotencyKey: 'wf/7' })).toBe(2);
    expect(await store.logMetrics(e.id, batch, { idempotencyKey: 'wf/7' })).toBe(2);
    expect((await store.metricHistory({ experimentId: e.id, key: 'loss' })).points.length).toBe(2);
  });

  test('the downsampled view has at most N points, keeps the first and last, and is the same on every call', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'curve', type: 'TRAINING' });
    const n = 5_000;
    const points = Array.from({ length: n }, (_, step) => ({
      key: 'loss',
      value: Math.exp(-step / 800) + (step === 2_500 ? 3 : 0),
      step,
      timestamp: '2025-01-01T00:00:00Z',
    }));
    await store.logMetrics(e.id, points);
    const view = await store.downsampledMetrics({ experimentId: e.id, key: 'loss', maxPoints: 100 });
    expect(view.length).toBe(100);
    expect(view[0]).toMatchObject({ step: 0, value: 1 });
    expect(view[99]).toMatchObject({ step: n - 1 });
    // LTTB keeps the spike: the point with the largest triangle in its bucket.
    expect(view.some((p) => p.step === 2_500)).toBe(true);
    expect(view.every((p, i) => i === 0 || p.step > view[i - 1]!.step)).toBe(true);
    expect(await store.downsampledMetrics({ experimentId: e.id, key: 'loss', maxPoints: 100 })).toEqual(view);
    expect(
      (await store.downsampledMetrics({ experimentId: e.id, key: 'loss', maxPoints: 2 })).map((p) => p.step),
    ).toEqual([0, n - 1]);
    expect((await store.downsampledMetrics({ experimentId: e.id, key: 'loss', maxPoints: 10_000 })).length).toBe(n);
    await expectModelctlError(
      store.downsampledMetrics({ experimentId: e.id, key: 'loss', maxPoints: 1 }),
      'INVALID_INPUT',
      'maxPoints: must be at least 2',
    );
  });

  test('a series longer than 4 × maxPoints is preselected in the database (MinMaxLTTB): dips and spikes survive, order and ties are stable', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'long', type: 'TRAINING' });
    const n = 20_000;
    // A gentle wave with one spike and one dip, and a plateau of equal values at the end.
    const value = (step: number) =>
      step === 9_000 ? 50 : step === 14_000 ? -50 : step >= 19_000 ? 0.5 : Math.sin(step / 500);
    await logSeries(store, e.id, 'r', n, value);
    // Two points at the last step: the later timestamp comes last in series order.
    await store.logMetrics(e.id, [{ key: 'r', value: 0.5, step: n - 1, timestamp: '2025-01-01T00:00:09Z' }]);
    const view = await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 50 });
    expect(view.length).toBe(50);
    expect(view[0]).toMatchObject({ step: 0, value: 0 });
    expect(view[49]).toMatchObject({ step: n - 1, value: 0.5, timestamp: '2025-01-01T00:00:09.000Z' });
    expect(view.filter((p) => p.step === 9_000 || p.step === 14_000).map((p) => [p.step, p.value])).toEqual([
      [9_000, 50],
      [14_000, -50],
    ]);
    expect(view.every((p, i) => i === 0 || p.step >= view[i - 1]!.step)).toBe(true);
    expect(view.every((p) => p.value === value(p.step))).toBe(true);
    expect(await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 50 })).toEqual(view);
    // The same series through the whole-series path (maxPoints × 4 ≥ rows) keeps the same extremes.
    const whole = await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 5_001 });
    expect(whole.length).toBe(5_001);
    expect(whole.filter((p) => Math.abs(p.value) === 50).map((p) => p.step)).toEqual([9_000, 14_000]);
  });

  test('a step window downsamples only its points: a zoomed window comes back at full resolution, spike included', async () => {
    const { store } = t;
    const e = await store.createExperiment({ name: 'zoom', type: 'TRAINING' });
    const n = 20_000;
    const value = (step: number) => (step === 12_345 ? 9 : step / n);
    await logSeries(store, e.id, 'r', n, value);
    // Preselected path (window of 10,000 rows > 4 × 100): at most 100 points, all inside, ends and spike kept.
    const wide = await store.downsampledMetrics({
      experimentId: e.id,
      key: 'r',
      maxPoints: 100,
      stepFrom: 10_000,
      stepTo: 19_999,
    });
    expect(wide.length).toBe(100);
    expect([wide[0]!.step, wide.at(-1)!.step]).toEqual([10_000, 19_999]);
    expect(wide.find((p) => p.step === 12_345)?.value).toBe(9);
    // Whole-read path: a window of 201 rows with maxPoints 300 is every point of it.
    const narrow = await store.downsampledMetrics({
      experimentId: e.id,
      key: 'r',
      maxPoints: 300,
      stepFrom: 12_245,
      stepTo: 12_445,
    });
    expect(narrow.map((p) => p.step)).toEqual(Array.from({ length: 201 }, (_, i) => 12_245 + i));
    expect(narrow.every((p) => p.value === value(p.step))).toBe(true);
    // Open-ended and empty windows.
    expect(
      (await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 300, stepFrom: 19_990 })).map(
        (p) => p.step,
      ),
    ).toEqual(Array.from({ length: 10 }, (_, i) => 19_990 + i));
    expect(await store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 300, stepFrom: 30_000 })).toEqual(
      [],
    );
    await expectModelctlError(
      store.downsampledMetrics({ experimentId: e.id, key: 'r', maxPoints: 300, stepFrom: 5, stepTo: 4 }),
      'INVALID_INPUT',
      'stepFrom: must not be above stepTo',
    );
  });
});

describe.each(BACKENDS)('A/B tests and outcomes on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
    await seedVersions(t.store, 'ctr', ['a', 'b']);
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('a test is created SCHEDULED with its salt, updated, and listed', async () => {
    const { store, clock } = t;
    const created = await store.createAbTest({
      id: 'ab-1',
      name: 'new ranker',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      split: { control: 9000, treatment: 1000 },
    });
    expect(created).toEqual({
      id: 'ab-1',
      name: 'new ranker',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      split: { control: 9000, treatment: 1000 },
      salt: 'ab-1',
      definition: {},
      status: 'SCHEDULED',
      result: null,
      workflowId: null,
      createdAt: clock.iso(),
      startedAt: null,
      endedAt: null,
    });
    const result: AbTestResult = {
      id: 'ab-1',
      status: 'COMPLETED',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      decision: 'treatment',
      winner: '1.0.1',
      reason: 'treatment converts better',
      analysis: null,
      startedAt: '2025-01-02T00:00:00.000Z',
      endedAt: '2025-01-09T00:00:00.000Z',
      endedBy: null,
      promotion: null,
      promotionError: null,
      warnings: [],
    };
    const updated = await store.updateAbTest('ab-1', {
      status: 'COMPLETED',
      result,
      startedAt: '2025-01-02T00:00:00Z',
      endedAt: '2025-01-09T00:00:00Z',
      workflowId: 'abtest-ab-1',
    });
    expect(updated).toMatchObject({
      status: 'COMPLETED',
      result,
      startedAt: '2025-01-02T00:00:00.000Z',
      endedAt: '2025-01-09T00:00:00.000Z',
      workflowId: 'abtest-ab-1',
    });
    expect(await store.listAbTests('ctr')).toEqual([updated]);
    await expectModelctlError(
      store.createAbTest({
        id: 'ab-2',
        name: 'x',
        model: 'ctr',
        control: '1.0.0',
        treatment: '1.0.1',
        split: { control: 5000, treatment: 4000 },
      }),
      'INVALID_INPUT',
      'split: weights must sum to exactly 10000 basis points',
    );
    await expectModelctlError(
      store.createAbTest({
        id: 'ab-2',
        name: 'x',
        model: 'ctr',
        control: '1.0.0',
        treatment: '2.0.0',
        split: { control: 5000, treatment: 5000 },
      }),
      'NOT_FOUND',
      'ctr@2.0.0 does not exist',
    );
    await expectModelctlError(
      store.updateAbTest('ab-1', { status: 'PAUSED' as never }),
      'INVALID_INPUT',
      'status: must be one of SCHEDULED, RUNNING, COMPLETED, STOPPED, ABORTED',
    );
  });

  test('outcomes are one per unit: re-recording replaces; the aggregates are units, sum and sum of squares per arm', async () => {
    const { store } = t;
    await store.createAbTest({
      id: 'ab-1',
      name: 'x',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      split: { control: 5000, treatment: 5000 },
    });
    expect(await store.aggregateOutcomes('ab-1')).toEqual({
      control: { units: 0, sum: 0, sumSquares: 0 },
      treatment: { units: 0, sum: 0, sumSquares: 0 },
    });
    await store.recordOutcomes('ab-1', [
      { unitId: 'u1', arm: 'control', value: 1 },
      { unitId: 'u2', arm: 'control', value: 0 },
      { unitId: 'u3', arm: 'treatment', value: 2.5 },
      { unitId: 'u3', arm: 'treatment', value: 3 },
    ]);
    await store.recordOutcomes('ab-1', [
      { unitId: 'u2', arm: 'control', value: 4 },
      { unitId: 'u4', arm: 'treatment', value: 1 },
    ]);
    expect(await store.aggregateOutcomes('ab-1')).toEqual({
      control: { units: 2, sum: 5, sumSquares: 17 },
      treatment: { units: 2, sum: 4, sumSquares: 10 },
    });
    await expectModelctlError(
      store.recordOutcomes('ab-1', [{ unitId: 'u5', arm: 'control', value: Number.NaN }]),
      'INVALID_INPUT',
      '0.value',
    );
    await expectModelctlError(
      store.recordOutcomes('ab-1', [{ unitId: 'u5', arm: 'both' as never, value: 1 }]),
      'INVALID_INPUT',
      '0.arm: must be one of control, treatment',
    );
    await expectModelctlError(
      store.recordOutcomes('nope', [{ unitId: 'u5', arm: 'control', value: 1 }]),
      'NOT_FOUND',
      'A/B test nope does not exist',
    );
    expect((await store.aggregateOutcomes('ab-1')).control.units).toBe(2);
  });

  test('outcome batches: units, sum and sum of squares per recording time and arm, oldest first', async () => {
    const { store, clock } = t;
    await store.createAbTest({
      id: 'ab-t',
      name: 'x',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      split: { control: 5000, treatment: 5000 },
    });
    expect(await store.outcomeBatches('ab-t')).toEqual([]);
    await store.recordOutcomes('ab-t', [
      { unitId: 'u1', arm: 'control', value: 1 },
      { unitId: 'u2', arm: 'control', value: 2 },
      { unitId: 'u3', arm: 'treatment', value: 3 },
    ]);
    const first = clock.iso();
    const second = clock.advance(60_000);
    // u2 sent again: it counts at its latest recording.
    await store.recordOutcomes('ab-t', [
      { unitId: 'u2', arm: 'control', value: 4 },
      { unitId: 'u4', arm: 'treatment', value: 5 },
    ]);
    expect(await store.outcomeBatches('ab-t')).toEqual([
      { at: first, arm: 'control', units: 1, sum: 1, sumSquares: 1 },
      { at: first, arm: 'treatment', units: 1, sum: 3, sumSquares: 9 },
      { at: second, arm: 'control', units: 1, sum: 4, sumSquares: 16 },
      { at: second, arm: 'treatment', units: 1, sum: 5, sumSquares: 25 },
    ]);
    await expectModelctlError(store.outcomeBatches('nope'), 'NOT_FOUND', 'A/B test nope does not exist');
  });

  test('a large batch of outcomes is written in chunks and aggregated exactly', async () => {
    const { store } = t;
    await store.createAbTest({
      id: 'ab-big',
      name: 'x',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      split: { control: 5000, treatment: 5000 },
    });
    // More rows than one statement takes on either backend (1,000 on SQLite, 10,000 on PostgreSQL).
    const outcomes = Array.from({ length: 25_000 }, (_, i) => ({
      unitId: `u${i}`,
      arm: i % 2 === 0 ? ('control' as const) : ('treatment' as const),
      value: i % 5 === 0 ? 1 : 0,
    }));
    expect(await store.recordOutcomes('ab-big', outcomes)).toBe(25_000);
    expect(await store.aggregateOutcomes('ab-big')).toEqual({
      control: { units: 12_500, sum: 2_500, sumSquares: 2_500 },
      treatment: { units: 12_500, sum: 2_500, sumSquares: 2_500 },
    });
    // Re-recording units across chunks replaces their values; a unit twice in one batch keeps its last value.
    const again = [
      ...Array.from({ length: 12_000 }, (_, i) => ({ unitId: `u${i * 2}`, arm: 'control' as const, value: 0.5 })),
      { unitId: 'u0', arm: 'control' as const, value: 2 },
    ];
    expect(await store.recordOutcomes('ab-big', again)).toBe(12_000);
    expect(await store.aggregateOutcomes('ab-big')).toEqual({
      control: { units: 12_500, sum: 2 + 11_999 * 0.5 + 100, sumSquares: 4 + 11_999 * 0.25 + 100 },
      treatment: { units: 12_500, sum: 2_500, sumSquares: 2_500 },
    });
  });
});
