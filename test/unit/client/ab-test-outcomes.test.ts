import { assignUnits, interimAnalysis, recordOutcomes } from '../../../src/client/ab-test-traffic';
import { assign } from '../../../src/stats/assignment';
import { AbTestInput } from '../../../src/domain/ab-test';
import { claimAbTestStart, plannedWindowOutcomes } from '../../../src/store/ab-test-runs';
import { requireAbTest } from '../../../src/store/lookups';
import { expectModelctlError } from '../../helpers/errors';
import { BACKENDS, openTestStore, seedVersions } from '../../helpers/store';

describe.each(BACKENDS)('recording outcomes on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
    await seedVersions(t.store, 'ctr', ['a', 'b']);
    const definition = AbTestInput.parse({
      id: 'ab-1',
      model: 'ctr',
      control: '1.0.0',
      treatment: '1.0.1',
      duration: '7d',
    });
    await claimAbTestStart(t.store, { id: 'ab-1', definition, workflowId: 'abtest-ab-1', startedAt: t.clock.iso() });
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('a batch naming the same unit twice is refused and records nothing', async () => {
    await expectModelctlError(
      recordOutcomes(t.store, 'ab-1', [
        { unitId: 'u1', value: 1 },
        { unitId: 'u2', value: 0 },
        { unitId: 'u1', value: 0 },
      ]),
      'INVALID_INPUT',
      'invalid outcomes: 2.unitId: unit "u1" is also outcome 0; a batch names each unit once',
    );
    const aggregate = await t.store.aggregateOutcomes('ab-1');
    expect(aggregate.control.units + aggregate.treatment.units).toBe(0);
  });

  test('recording a unit again in a later batch replaces its value and counts it once', async () => {
    await recordOutcomes(t.store, 'ab-1', [{ unitId: 'u1', value: 1 }]);
    await recordOutcomes(t.store, 'ab-1', [{ unitId: 'u1', value: 0 }]);
    const aggregate = await t.store.aggregateOutcomes('ab-1');
    expect([
      aggregate.control.units + aggregate.treatment.units,
      aggregate.control.sum + aggregate.treatment.sum,
    ]).toEqual([1, 0]);
  });

  test('a batch of several statements (2,500 outcomes) and a later one re-recording 1,200 of them store each unit once with its last value', async () => {
    const arms = (ids: string[]) => ids.map((unitId) => assign('ab-1', unitId, { control: 5000, treatment: 5000 }).arm);
    const units = Array.from({ length: 2_500 }, (_, i) => `unit-${i}`);
    const first = await recordOutcomes(
      t.store,
      'ab-1',
      units.map((unitId, i) => ({ unitId, value: i % 2 })),
    );
    const controls = arms(units).filter((a) => a === 'control').length;
    expect(first).toEqual({ recorded: 2_500, control: controls, treatment: 2_500 - controls });
    // Units 1,000…2,199 cross the statements' boundaries; their values flip.
    await recordOutcomes(
      t.store,
      'ab-1',
      units.slice(1_000, 2_200).map((unitId, i) => ({ unitId, value: 1 - ((1_000 + i) % 2) })),
    );
    const expected = { control: { units: 0, sum: 0, sumSquares: 0 }, treatment: { units: 0, sum: 0, sumSquares: 0 } };
    arms(units).forEach((arm, i) => {
      const value = i >= 1_000 && i < 2_200 ? 1 - (i % 2) : i % 2;
      expected[arm].units += 1;
      expected[arm].sum += value;
      expected[arm].sumSquares += value * value;
    });
    expect(await t.store.aggregateOutcomes('ab-1')).toEqual(expected);
  });

  test('the analysis reads the planned window only: outcomes recorded after start + duration are kept but not counted', async () => {
    const week = 7 * 24 * 3600 * 1000;
    await recordOutcomes(t.store, 'ab-1', [
      { unitId: 'u1', value: 1 },
      { unitId: 'u2', value: 0 },
    ]);
    t.clock.advance(week); // exactly the planned end: still inside
    await recordOutcomes(t.store, 'ab-1', [{ unitId: 'u3', value: 1 }]);
    t.clock.advance(1);
    // The test is still RUNNING (its workflow has not got to the analysis), so these are taken, and not analysed.
    await recordOutcomes(t.store, 'ab-1', [
      { unitId: 'u4', value: 1 },
      { unitId: 'u5', value: 1 },
    ]);
    const { test: record, definition } = await requireAbTest(t.store, 'ab-1');
    const windowed = await plannedWindowOutcomes(t.store, record, definition);
    const all = await t.store.aggregateOutcomes('ab-1');
    const total = (a: typeof all) => [a.control.units + a.treatment.units, a.control.sum + a.treatment.sum];
    expect([total(windowed), total(all)]).toEqual([
      [3, 2],
      [5, 4],
    ]);
    const { verdict } = await interimAnalysis(t.store, 'ab-1');
    expect(verdict.units.control + verdict.units.treatment).toBe(3);
  });

  const hashed = (unitId: string) => {
    const { arm, bucket } = assign('ab-1', unitId, { control: 5000, treatment: 5000 });
    return { unitId, arm, bucket };
  };

  test('assignment and recording keep the fixed part of a test, never its status', async () => {
    const first = await assignUnits(t.store, 'ab-1', ['u1', 'u2']);
    expect(first).toEqual(
      ['u1', 'u2'].map((unitId) => {
        const h = hashed(unitId);
        return { ...h, version: h.arm === 'control' ? '1.0.0' : '1.0.1', testStatus: 'RUNNING', ended: false };
      }),
    );
    expect(await recordOutcomes(t.store, 'ab-1', [{ unitId: 'u1', value: 1 }])).toMatchObject({ recorded: 1 });
    await t.store.updateAbTest('ab-1', { status: 'STOPPED', endedAt: t.clock.iso() });
    await expectModelctlError(
      recordOutcomes(t.store, 'ab-1', [{ unitId: 'u2', value: 1 }]),
      'REFUSED',
      'A/B test ab-1 is STOPPED; outcomes are recorded only while it runs',
    );
    // Ended, and the model has no production version: every unit gets the control.
    expect(await assignUnits(t.store, 'ab-1', ['u1', 'u2'])).toEqual(
      ['u1', 'u2'].map((unitId) => ({ ...hashed(unitId), version: '1.0.0', testStatus: 'STOPPED', ended: true })),
    );
    await expectModelctlError(assignUnits(t.store, 'nosuch', ['u1']), 'NOT_FOUND', 'A/B test nosuch does not exist');
  });

  const units = Array.from({ length: 40 }, (_, i) => `user-${i}`);
  // Seeded versions are in VALIDATION already.
  const promote = async (version: string) => {
    await t.store.swapProduction({ model: 'ctr', version, via: 'PROMOTION', actor: 'ci' });
  };

  test('after an abort every unit, treatment units too, gets the control that serves now', async () => {
    await promote('1.0.0');
    const during = await assignUnits(t.store, 'ab-1', units);
    expect(new Set(during.map((a) => a.version))).toEqual(new Set(['1.0.0', '1.0.1']));
    await t.store.updateAbTest('ab-1', { status: 'ABORTED', endedAt: t.clock.iso() });
    expect(await assignUnits(t.store, 'ab-1', units)).toEqual(
      units.map((unitId) => ({ ...hashed(unitId), version: '1.0.0', testStatus: 'ABORTED', ended: true })),
    );
  });

  test('after the treatment won and was promoted every unit, control units too, gets the winner', async () => {
    await promote('1.0.0');
    await t.store.updateAbTest('ab-1', { status: 'COMPLETED', endedAt: t.clock.iso() });
    await promote('1.0.1');
    expect(await assignUnits(t.store, 'ab-1', units)).toEqual(
      units.map((unitId) => ({ ...hashed(unitId), version: '1.0.1', testStatus: 'COMPLETED', ended: true })),
    );
  });
});
