import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { AbTestInput } from '../../../src/domain/ab-test';
import { PROMOTE_OVER_CONTROL_PATCH } from '../../../src/workflows/ab-test';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../../../src/worker/registry-worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simulateBinaryOutcomes } from '../../helpers/outcomes';
import type { LifecycleClient } from '../../../src/client/lifecycle-client';
import type { TestRegistry } from '../../helpers/registry-fixture';
import { rejection, useWorkflowSuite } from '../../helpers/workflow-suite';
import { createActivities } from '../../../src/activities/create-activities';
import { abTestWorkflowId } from '../../../src/workflows/ab-test.contract';
import type { AbTestResult } from '../../../src/domain/ab-test';
import type { GuardPolicy } from '../../../src/domain/guard-policy';
import { OBSERVATION_BUCKET_MS } from '../../../src/domain/observation';

const EventType = temporal.api.enums.v1.EventType;
const HISTORIES = join(__dirname, '../../fixtures/histories');

describe('abTest on the time-skipping server', () => {
  const suite = useWorkflowSuite();
  let reg: TestRegistry;
  let lifecycle: LifecycleClient;
  beforeAll(() => ({ reg, lifecycle } = suite));
  const split = { control: 5000, treatment: 5000 };

  beforeAll(async () => {
    for (const model of ['ads', 'ranker']) {
      await reg.register(model, '1.0.0');
      await reg.register(model, '2.0.0');
      await lifecycle.promote({ model, version: '1.0.0', actor: 'ci' });
    }
  });

  /** Starts a test, waits until it is RUNNING, records simulated outcomes, and returns the handle. */
  async function runWithTraffic(
    input: AbTestInput & { id: string },
    rates: { control: number; treatment: number },
    units = 6000,
  ) {
    const handle = await lifecycle.startAbTest(input);
    for (let i = 0; i < 100 && (await lifecycle.abTestState(input.id)).status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const traffic = simulateBinaryOutcomes(input.id, input.split ?? split, units, rates, input.id);
    await reg.store.recordOutcomes(input.id, traffic.outcomes);
    return { handle, traffic };
  }

  const base = {
    model: 'ads',
    control: '1.0.0',
    treatment: '2.0.0',
    split,
    duration: '24h',
    metric: { name: 'click', kind: 'binary' as const },
  };

  test('a 24-hour test where the treatment is truly better completes at once with the treatment as winner', async () => {
    const { handle, traffic } = await runWithTraffic({ ...base, id: 'ads-better' }, { control: 0.1, treatment: 0.14 });
    const result = await handle.result();
    expect(result.status).toBe('COMPLETED');
    expect(result.decision).toBe('treatment');
    expect(result.winner).toBe('2.0.0');
    expect(result.analysis!.units.control + result.analysis!.units.treatment).toBe(6000);
    const stored = await reg.store.getAbTest('ads-better');
    expect(stored?.status).toBe('COMPLETED');
    expect((stored?.result as { decision: string }).decision).toBe('treatment');
    const analysis = result.analysis!.analysis as { test: string; pValue: number; srm: { mismatch: boolean } };
    expect(analysis.test).toBe('two-proportion-z');
    expect(analysis.pValue).toBeLessThan(0.05);
    expect(analysis.srm.mismatch).toBe(false);
    expect(traffic.conversions.treatment).toBeGreaterThan(traffic.conversions.control);
    // Nothing was promoted without autoPromote.
    expect((await reg.store.productionVersion('ads'))?.version).toBe('1.0.0');
    // The test is tracked as an experiment, ended with it, its summary holding the analysis figures.
    const experiment = (await reg.store.getExperiment('abtest-ads-better'))!;
    expect(experiment).toMatchObject({
      name: 'A/B test ads-better',
      type: 'AB_TEST',
      status: 'COMPLETED',
      tags: ['abtest', 'ads'],
      config: { model: 'ads', control: '1.0.0', treatment: '2.0.0', split },
      linkedVersions: [
        { model: 'ads', version: '1.0.0' },
        { model: 'ads', version: '2.0.0' },
      ],
      startedAt: stored!.startedAt,
      endedAt: result.endedAt,
    });
    expect(experiment.durationSeconds).toBeGreaterThanOrEqual(24 * 3600);
    expect(experiment.durationSeconds).toBeLessThan(24 * 3600 + 60);
    expect(experiment.summary).toEqual({
      'control/units': result.analysis!.units.control,
      'control/mean': traffic.conversions.control / result.analysis!.units.control,
      'treatment/units': result.analysis!.units.treatment,
      'treatment/mean': traffic.conversions.treatment / result.analysis!.units.treatment,
      'effect/absolute': (analysis as unknown as { absolute: { estimate: number } }).absolute.estimate,
      'effect/relative': (analysis as unknown as { relative: { estimate: number } }).relative.estimate,
      p_value: analysis.pValue,
      srm_p_value: (analysis as unknown as { srm: { pValue: number } }).srm.pValue,
    });
  });

  test("an ended test's id is not reused: a new run under the same workflow id fails at its start and changes nothing", async () => {
    const before = await reg.store.getAbTest('ads-better');
    expect(before?.status).toBe('COMPLETED');
    const err = await rejection(
      lifecycle.startAbTestRunning({ ...base, id: 'ads-better', duration: '1h', autoPromote: true }),
    );
    expect(err.code).toBe('ALREADY_EXISTS');
    expect(err.message).toContain(
      'A/B test ads-better already exists (COMPLETED); A/B test ids are not reused: choose another id',
    );
    expect(await reg.store.getAbTest('ads-better')).toEqual(before);
    expect((await reg.store.productionVersion('ads'))?.version).toBe('1.0.0');
  });

  test('a test where the treatment is truly worse decides for the control', async () => {
    const { handle } = await runWithTraffic({ ...base, id: 'ads-worse' }, { control: 0.14, treatment: 0.1 });
    const result = await handle.result();
    expect([result.status, result.decision, result.winner]).toEqual(['COMPLETED', 'control', '1.0.0']);
  });

  test('a test with equal arms is honestly inconclusive', async () => {
    const { handle } = await runWithTraffic({ ...base, id: 'ads-equal' }, { control: 0.12, treatment: 0.12 });
    const result = await handle.result();
    expect([result.status, result.decision, result.winner]).toEqual(['COMPLETED', 'inconclusive', null]);
    expect(result.reason).toMatch(/^no significant difference on click \(p = .* ≥ 0\.05\)$/);
  });

  test('below the minimum sample size there is no winner whatever the p-value', async () => {
    const { handle } = await runWithTraffic(
      { ...base, id: 'ads-small', minimumSampleSize: 10_000 },
      { control: 0.1, treatment: 0.2 },
      4000,
    );
    const result = await handle.result();
    expect(result.decision).toBe('inconclusive');
    expect(result.reason).toMatch(/^only 4000 units recorded, below the minimum sample size 10000; no winner declared/);
  });

  test('with autoPromote a winning treatment is promoted by a child promoteModel', async () => {
    const { handle } = await runWithTraffic(
      { ...base, model: 'ranker', id: 'ranker-auto', autoPromote: true, actor: 'scheduler' },
      { control: 0.1, treatment: 0.15 },
    );
    const result = await handle.result();
    expect(result.decision).toBe('treatment');
    expect(result.promotion).toMatchObject({
      model: 'ranker',
      version: '2.0.0',
      outcome: 'PROMOTED',
      previousVersion: '1.0.0',
      actor: 'scheduler',
      workflowId: 'promote-ranker',
    });
    expect(result.promotionError).toBeNull();
    expect((await reg.store.productionVersion('ranker'))?.version).toBe('2.0.0');
  });

  /**
   * `model` 1.0.0 (in production) and 2.0.0 plus `more` versions; a running test `<model>-ab` 1.0.0 vs 2.0.0 with
   * autoPromote, whose recorded traffic makes the treatment win.
   */
  async function autoPromotingTreatmentWinner(model: string, more: string[] = []) {
    for (const version of ['1.0.0', '2.0.0', ...more]) await reg.register(model, version);
    await lifecycle.promote({ model, version: '1.0.0', actor: 'ci' });
    const { handle } = await runWithTraffic(
      { ...base, model, id: `${model}-ab`, autoPromote: true, actor: 'scheduler' },
      { control: 0.1, treatment: 0.15 },
    );
    return handle;
  }

  test('a hotfix promoted during the test is not replaced: the test ends with its decision and says why it did not promote', async () => {
    const handle = await autoPromotingTreatmentWinner('hotfix', ['1.0.1']);
    await lifecycle.promote({ model: 'hotfix', version: '1.0.1', actor: 'oncall', reason: 'hotfix' });
    const result = await handle.result();
    expect([result.status, result.decision, result.winner, result.promotion, result.promotionError]).toEqual([
      'COMPLETED',
      'treatment',
      '2.0.0',
      null,
      'not promoted because production is 1.0.1, no longer the control 1.0.0',
    ]);
    expect((await reg.store.getAbTest('hotfix-ab'))?.result?.promotionError).toBe(result.promotionError);
    // No swap, and no promotion run was started for the winner.
    expect((await reg.store.productionVersion('hotfix'))?.version).toBe('1.0.1');
    expect((await reg.store.getVersion('hotfix', '2.0.0'))?.status).toBe('VALIDATION');
    const history = await suite.h.client.workflow.getHandle(abTestWorkflowId('hotfix-ab')).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types).not.toContain(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    // The new command sequence sits behind its patch marker: this history and the one recorded before both replay.
    const markers = (history.events ?? []).flatMap((e) => {
      const details = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return details ? [JSON.parse(Buffer.from(details).toString()).id as string] : [];
    });
    expect(markers).toEqual([PROMOTE_OVER_CONTROL_PATCH]);
    const old = historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, 'ab-test.json'), 'utf8')));
    const replays: [string, string | null][] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] } },
      [
        { workflowId: 'recorded-before-the-patch', history: old },
        { workflowId: 'hotfix-ab', history },
      ],
    ))
      replays.push([r.workflowId, r.error?.message ?? null]);
    expect(replays).toEqual([
      ['recorded-before-the-patch', null],
      ['hotfix-ab', null],
    ]);
  });

  test('a winner is promoted over the control it beat, the swap comparing against that control', async () => {
    const handle = await autoPromotingTreatmentWinner('cas');
    const result = await handle.result();
    expect([result.promotion?.outcome, result.promotion?.previousVersion, result.promotionError]).toEqual([
      'PROMOTED',
      '1.0.0',
      null,
    ]);
    const child = await suite.h.client.workflow.getHandle('promote-cas').describe();
    const history = await suite.h.client.workflow.getHandle('promote-cas', child.runId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(started!).toString())).toMatchObject({
      version: '2.0.0',
      expectedProduction: '1.0.0',
    });
  });

  test('a fixed-horizon test cannot be stopped early with a decision; abort ends it with no winner', async () => {
    const handle = await lifecycle.startAbTest({ ...base, id: 'ads-long', duration: '7d' });
    for (let i = 0; i < 100 && (await lifecycle.abTestState('ads-long')).status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 50));

    const stopErr = await rejection(lifecycle.stopAbTest('ads-long', { actor: 'analyst' }));
    expect(stopErr.code).toBe('REFUSED');
    expect(stopErr.message).toBe(
      'test ads-long uses a fixed-horizon analysis: stopping early with a decision needs sequential: true (always-valid p-values; modelctl abtest start --sequential); use abort (modelctl abtest stop --abort) to end it without a winner',
    );

    const state = await lifecycle.abortAbTest('ads-long', { actor: 'oncall', reason: 'bad traffic' });
    expect(state.abortRequestedBy).toBe('oncall');
    const result = await handle.result();
    expect([result.status, result.decision, result.winner, result.reason]).toEqual([
      'ABORTED',
      null,
      null,
      'aborted by oncall: bad traffic; no winner',
    ]);
    expect((await reg.store.getAbTest('ads-long'))?.status).toBe('ABORTED');
    expect(await reg.store.getExperiment('abtest-ads-long')).toMatchObject({
      type: 'AB_TEST',
      status: 'CANCELLED',
      summary: {},
      endedAt: result.endedAt,
    });
  });

  test('start and finish activities retried after a crash between their writes leave one running test, then one ended experiment', async () => {
    const activities = createActivities({ store: reg.store, artifacts: reg.artifacts });
    const definition = AbTestInput.parse({ ...base, model: 'ranker', id: 'ranker-crash' });
    const startedAt = '2026-02-01T00:00:00.000Z';
    // The first attempt wrote the test row and died before marking it RUNNING.
    await reg.store.createAbTest({
      id: 'ranker-crash',
      name: 'ranker-crash',
      model: 'ranker',
      control: '1.0.0',
      treatment: '2.0.0',
      split,
      workflowId: abTestWorkflowId('ranker-crash'),
      definition: JSON.parse(JSON.stringify(definition)),
    });
    const start = { id: 'ranker-crash', definition, workflowId: abTestWorkflowId('ranker-crash'), startedAt };
    await expect(new MockActivityEnvironment().run(activities.startAbTest, start)).resolves.toEqual({
      id: 'ranker-crash',
      salt: 'ranker-crash',
    });
    await new MockActivityEnvironment().run(activities.startAbTest, start);
    expect(await reg.store.getAbTest('ranker-crash')).toMatchObject({ status: 'RUNNING', startedAt });
    expect(await reg.store.getExperiment('abtest-ranker-crash')).toMatchObject({
      type: 'AB_TEST',
      status: 'RUNNING',
      startedAt,
      endedAt: null,
    });
    // Another definition under the same id is not a retry.
    const other = { ...start, definition: { ...definition, treatment: '1.0.0', control: '2.0.0' } };
    await expect(new MockActivityEnvironment().run(activities.startAbTest, other)).rejects.toMatchObject({
      type: 'CONFLICT',
      nonRetryable: true,
      message:
        'A/B test ranker-crash already exists with another definition (ranker 1.0.0 vs 2.0.0); choose another id',
    });

    const result: AbTestResult = {
      id: 'ranker-crash',
      status: 'ABORTED',
      model: 'ranker',
      control: '1.0.0',
      treatment: '2.0.0',
      decision: null,
      winner: null,
      reason: 'aborted by ci; no winner',
      analysis: null,
      startedAt,
      endedAt: '2026-02-01T06:00:00.000Z',
      endedBy: 'ci',
      promotion: null,
      promotionError: null,
      warnings: [],
    };
    const finish = { id: 'ranker-crash', status: 'ABORTED' as const, result };
    await new MockActivityEnvironment().run(activities.finishAbTest, finish);
    await new MockActivityEnvironment().run(activities.finishAbTest, finish);
    expect(await reg.store.getAbTest('ranker-crash')).toMatchObject({ status: 'ABORTED' });
    expect(await reg.store.getExperiment('abtest-ranker-crash')).toMatchObject({
      status: 'CANCELLED',
      endedAt: '2026-02-01T06:00:00.000Z',
      durationSeconds: 6 * 3600,
    });
    expect((await reg.store.listExperiments()).filter((e) => e.id === 'abtest-ranker-crash')).toHaveLength(1);
  });

  test('a second test of a pair that is already running is refused by the start activity', async () => {
    const activities = createActivities({ store: reg.store, artifacts: reg.artifacts });
    const definition = AbTestInput.parse({ ...base, id: 'ads-running' });
    await new MockActivityEnvironment().run(activities.startAbTest, {
      id: 'ads-running',
      definition,
      workflowId: abTestWorkflowId('ads-running'),
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    // A retry of the same start is idempotent.
    await expect(
      new MockActivityEnvironment().run(activities.startAbTest, {
        id: 'ads-running',
        definition,
        workflowId: abTestWorkflowId('ads-running'),
        startedAt: '2026-01-01T00:00:00.000Z',
      }),
    ).resolves.toEqual({ id: 'ads-running', salt: 'ads-running' });
    const clash = new MockActivityEnvironment().run(activities.startAbTest, {
      id: 'ads-clash',
      definition: { ...definition, id: 'ads-clash', control: '2.0.0', treatment: '1.0.0' },
      workflowId: abTestWorkflowId('ads-clash'),
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    await expect(clash).rejects.toMatchObject({
      type: 'CONFLICT',
      nonRetryable: true,
      message: 'A/B test ads-running of ads 1.0.0 vs 2.0.0 is already running',
    });
    expect(await reg.store.getAbTest('ads-clash')).toBeNull();
    await reg.store.updateAbTest('ads-running', { status: 'ABORTED', endedAt: '2026-01-01T01:00:00.000Z' });
  });

  test('a sequential test can be stopped early and decides on always-valid p-values', async () => {
    const { handle } = await runWithTraffic(
      { ...base, id: 'ads-seq', duration: '30d', sequential: true },
      { control: 0.1, treatment: 0.16 },
      8000,
    );
    const state = await lifecycle.stopAbTest('ads-seq', { actor: 'analyst', reason: 'clear win' });
    expect(state.stopRequestedBy).toBe('analyst');
    const result = await handle.result();
    expect(result.status).toBe('STOPPED');
    expect(result.decision).toBe('treatment');
    expect(result.reason).toMatch(
      /^stopped early by analyst \(clear win\): treatment better on click: .*always-valid p = /,
    );
    expect((result.analysis!.analysis as { stopping: string }).stopping).toBe('sequential');
    // No minimumSampleSize and no sequentialTuning: the documented default N*.
    expect(result.analysis!.analysis.sequentialTuning).toBe(5000);
  });

  test('a sequential test tunes its always-valid p-value at the N* its input names', async () => {
    const { handle } = await runWithTraffic(
      { ...base, id: 'ads-seq-tuned', duration: '30d', sequential: true, sequentialTuning: 12_000 },
      { control: 0.1, treatment: 0.16 },
      8000,
    );
    await lifecycle.stopAbTest('ads-seq-tuned', { actor: 'analyst', reason: 'clear win' });
    const result = await handle.result();
    expect(result.status).toBe('STOPPED');
    expect(result.analysis!.analysis.sequentialTuning).toBe(12_000);
  });
  describe('a guard on the promoted winner', () => {
    const policy: GuardPolicy = {
      metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
      checkInterval: '5m',
      bakeTime: '2h',
    };

    /** `minutes` one-minute windows of 1000 0/1 `error` observations of `version`, `errors` of them 1, from `fromMs`. */
    const errorTraffic = (model: string, version: string, fromMs: number, minutes: number, errors: number) =>
      reg.store.recordObservations(
        Array.from({ length: minutes }, (_, i) => ({
          model,
          version,
          metric: 'error',
          timestamp: new Date(
            Math.floor(fromMs / OBSERVATION_BUCKET_MS) * OBSERVATION_BUCKET_MS + i * OBSERVATION_BUCKET_MS,
          ).toISOString(),
          window: { count: 1000, sum: errors, sumSquares: errors, min: 0, max: 1 },
        })),
      );

    const twoVersions = async (model: string) => {
      await reg.register(model, '1.0.0');
      await reg.register(model, '2.0.0');
      await lifecycle.promote({ model, version: '1.0.0', actor: 'ci' });
    };

    /**
     * The guard starts when the 24-hour test ends, on the workflow clock; the time-skipping server may run its first
     * checks before the test's result reaches us, so the live traffic is in place from the test's planned end on.
     */
    const afterTheTest = async (id: string) => Date.parse((await lifecycle.abTestState(id)).endsAt!);

    // One guarded winner per suite: once a guard started as an abandoned child has run, the time-skipping server stops
    // skipping time for the next waits. The test's own `guard` policy is exercised end to end by the demo.
    test("the model's stored policy guards the winner against the control, and a regression rolls back to the control", async () => {
      await twoVersions('search');
      await reg.store.setGuardPolicy({ model: 'search', policy, actor: 'oncall' });
      const { handle } = await runWithTraffic(
        { ...base, model: 'search', id: 'search-guarded', autoPromote: true, actor: 'scheduler' },
        { control: 0.1, treatment: 0.15 },
      );
      const t0 = await afterTheTest('search-guarded');
      await errorTraffic('search', '2.0.0', t0, 240, 20);
      await errorTraffic('search', '1.0.0', t0, 240, 10);
      const result = await handle.result();
      expect(result.promotion).toMatchObject({ version: '2.0.0', outcome: 'PROMOTED', previousVersion: '1.0.0' });
      expect([result.guard, result.guardError]).toEqual([
        { workflowId: 'guard-search', version: '2.0.0', baselineVersion: '1.0.0', policySource: 'default' },
        null,
      ]);
      // The stored result says the same as the returned one.
      expect((await reg.store.getAbTest('search-guarded'))?.result?.guard).toEqual(result.guard);

      const guarded = await lifecycle.guardResult('search');
      expect([
        guarded.version,
        guarded.baselineVersion,
        guarded.status,
        guarded.checkCount,
        guarded.rollbackWorkflowId,
      ]).toEqual(['2.0.0', '1.0.0', 'ROLLED_BACK', 1, 'rollback-search']);
      expect((await reg.store.productionVersion('search'))?.version).toBe('1.0.0');
      const [rolledBack] = (await reg.store.events('search')).slice(-1);
      expect([rolledBack!.version, rolledBack!.toStatus, rolledBack!.actor]).toEqual([
        '1.0.0',
        'PRODUCTION',
        `guard ${guarded.guardId} (started by scheduler (A/B test search-guarded))`,
      ]);
      expect(rolledBack!.reason).toMatch(
        /^rollback: guard check 1 of search@2\.0\.0 failed: error \(relative\): 0\.02 vs 0\.01/,
      );

      // ranker has no stored policy: its auto-promoted winner (a test above) got no guard.
      const ranker = await reg.store.getAbTest('ranker-auto');
      expect([ranker?.result?.guard, ranker?.result?.guardError]).toEqual([null, null]);
    });

    test('a guard policy without autoPromote is refused before the test starts', async () => {
      const err = await rejection(lifecycle.startAbTest({ ...base, id: 'ads-guard-no-promote', guard: policy }));
      expect([err.code, err.message]).toEqual([
        'INVALID_INPUT',
        'invalid A/B test: guard: a guard policy needs autoPromote: the guard watches the winner the test promotes',
      ]);
      expect(await reg.store.getAbTest('ads-guard-no-promote')).toBeNull();
    });
  });
});
