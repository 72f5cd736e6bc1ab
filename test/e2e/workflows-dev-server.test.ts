import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { LifecycleClient } from '../../src/client/lifecycle-client';
import { ModelctlError } from '../../src/domain/errors';
import { locateTemporalBinary, TemporalBinary } from '../../src/embedded/temporal-binaries';
import { WORKFLOWS_PATH } from '../../src/worker/registry-worker';
import { BIN, ROOT, buildCli, spawnUntil, stop } from '../helpers/cli';
import { startDevServer } from '../helpers/temporal';
import { createTestRegistry, type TestRegistry } from '../helpers/registry-fixture';
import { simulateBinaryOutcomes } from '../helpers/outcomes';
import { recordOutcomes } from '../../src/client/ab-test-traffic';
import { assign } from '../../src/stats/assignment';
import { promoteModelContract, promotionWorkflowId } from '../../src/workflows/promote-model.contract';
import { abTestContract, abTestWorkflowId } from '../../src/workflows/ab-test.contract';
import { rollbackContract, rollbackWorkflowId } from '../../src/workflows/rollback.contract';
import { guardModelContract, guardWorkflowId } from '../../src/workflows/guard-model.contract';

const HISTORIES = join(ROOT, 'test/fixtures/histories');

describe('workflows on a real dev server, with worker processes and the temporal CLI', () => {
  let env: TestWorkflowEnvironment;
  let home: string;
  let reg: TestRegistry;
  let lifecycle: LifecycleClient;
  let workerEnv: NodeJS.ProcessEnv;
  const taskQueue = `e2e-${process.pid}`;
  const workers: ChildProcess[] = [];

  const startWorker = async () => {
    const child = await spawnUntil(process.execPath, [BIN, 'worker'], workerEnv, /polling task queue/);
    workers.push(child);
    return child;
  };
  const startCrashingWorker = async (activity: string) => {
    // One process (no tsx wrapper), so the SIGKILL it sends itself is what the test observes.
    const child = await spawnUntil(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/fixtures/crashing-worker.ts')],
      { ...workerEnv, CRASH_AFTER_ACTIVITY: activity },
      /polling/,
    );
    workers.push(child);
    return child;
  };
  const temporal = (args: string[]) =>
    execFileSync(
      locateTemporalBinary(TemporalBinary.CLI),
      [...args, '--address', env.address, '--namespace', 'default'],
      { encoding: 'utf8', timeout: 120_000 },
    );
  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );

  /** `temporal workflow start` of `type` with plain JSON, as an operator would. */
  const startFromCli = (type: string, workflowId: string, input: unknown) =>
    temporal([
      'workflow',
      'start',
      '--task-queue',
      taskQueue,
      '--type',
      type,
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify(input),
    ]);

  /** 1.0.0 then 1.1.0 of `model` promoted in turn (a worker must be running). */
  const twoProductionVersions = async (model: string) => {
    await reg.register(model, '1.0.0');
    await reg.register(model, '1.1.0');
    await lifecycle.promote({ model, version: '1.0.0', actor: 'ci' });
    await lifecycle.promote({ model, version: '1.1.0', actor: 'ci' });
  };

  beforeAll(async () => {
    buildCli();
    env = await startDevServer();
    home = mkdtempSync(join(tmpdir(), 'modelctl-e2e-'));
    reg = await createTestRegistry(home);
    lifecycle = new LifecycleClient(env.client, taskQueue);
    workerEnv = {
      MODELCTL_HOME: home,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_NAMESPACE: 'default',
    };
  });
  afterAll(async () => {
    for (const w of workers) await stop(w, 'SIGKILL');
    await reg?.close();
    await env?.teardown();
  });

  test('promotion, A/B test and rollback started from the temporal CLI with plain JSON run end to end, and their histories replay', async () => {
    await reg.register('digits', '1.0.0', { metrics: { accuracy: 0.82 } });
    await reg.register('digits', '1.1.0', { metrics: { accuracy: 0.95 }, parentVersion: '1.0.0' });
    const worker = await startWorker();

    const promoted = JSON.parse(
      temporal([
        'workflow',
        'execute',
        '--task-queue',
        taskQueue,
        '--type',
        promoteModelContract.workflowType,
        '--workflow-id',
        promotionWorkflowId('digits'),
        '-o',
        'json',
        '--input',
        JSON.stringify({
          model: 'digits',
          version: '1.0.0',
          actor: 'ops@example.com',
          gates: { thresholds: [{ metric: 'accuracy', op: '>=', value: 0.8 }] },
        }),
      ]),
    ) as { result: { outcome: string; version: string } };
    expect(promoted.result).toMatchObject({ outcome: 'PROMOTED', version: '1.0.0' });
    expect((await reg.store.productionVersion('digits'))?.version).toBe('1.0.0');

    startFromCli(abTestContract.workflowType, abTestWorkflowId('digits-e2e'), {
      model: 'digits',
      control: '1.0.0',
      treatment: '1.1.0',
      duration: '5s',
      metric: { name: 'correct', kind: 'binary' },
      autoPromote: true,
      actor: 'scheduler',
    });
    for (let i = 0; i < 100 && (await reg.store.getAbTest('digits-e2e'))?.status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const traffic = simulateBinaryOutcomes('digits-e2e', { control: 5000, treatment: 5000 }, 2000, {
      control: 0.82,
      treatment: 0.95,
    });
    await reg.store.recordOutcomes('digits-e2e', traffic.outcomes);
    const ab = await lifecycle.abTestResult('digits-e2e');
    expect([ab.status, ab.decision, ab.winner, ab.promotion?.outcome]).toEqual([
      'COMPLETED',
      'treatment',
      '1.1.0',
      'PROMOTED',
    ]);
    expect((await reg.store.productionVersion('digits'))?.version).toBe('1.1.0');

    const rolledBack = JSON.parse(
      temporal([
        'workflow',
        'execute',
        '--task-queue',
        taskQueue,
        '--type',
        rollbackContract.workflowType,
        '--workflow-id',
        rollbackWorkflowId('digits'),
        '-o',
        'json',
        '--input',
        JSON.stringify({ model: 'digits', reason: 'error budget burned', actor: 'oncall' }),
      ]),
    ) as { result: { version: string; previousVersion: string } };
    expect(rolledBack.result).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0' });
    expect((await reg.store.productionVersion('digits'))?.version).toBe('1.0.0');

    // Runs started without search attributes set them themselves, so operators can filter on them.
    const listed = temporal([
      'workflow',
      'list',
      '--query',
      `ModelName='digits' AND ModelctlKind='${rollbackContract.kind}'`,
      '-o',
      'json',
    ]);
    expect((JSON.parse(listed) as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId)).toEqual([
      'rollback-digits',
    ]);

    // The histories replay against the current workflow code; committed copies guard later changes (replay test).
    const histories = [];
    for (const [workflowId, name] of [
      [promotionWorkflowId('digits'), promoteModelContract.history],
      [abTestWorkflowId('digits-e2e'), abTestContract.history],
      [rollbackWorkflowId('digits'), rollbackContract.history],
    ] as const) {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      histories.push({ workflowId, history });
      if (process.env.UPDATE_HISTORIES === '1' || !existsSync(join(HISTORIES, `${name}.json`))) {
        mkdirSync(HISTORIES, { recursive: true });
        writeFileSync(join(HISTORIES, `${name}.json`), historyToJSON(history));
      }
    }
    const replays = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories))
      replays.push([r.workflowId, r.error?.message ?? null]);
    expect(replays).toEqual([
      ['promote-digits', null],
      ['abtest-digits-e2e', null],
      ['rollback-digits', null],
    ]);

    expect(await stop(worker, 'SIGTERM')).toBe(0);
  });

  test('a guard started from the temporal CLI with plain JSON watches, pauses and stops on updates, and its history replays', async () => {
    const worker = await startWorker();
    await twoProductionVersions('guarded');
    const workflowId = guardWorkflowId('guarded');
    startFromCli(guardModelContract.workflowType, workflowId, {
      model: 'guarded',
      version: '1.1.0',
      actor: 'oncall',
      policy: {
        metrics: [
          { metric: 'error', check: 'relative', direction: 'lower_is_better' },
          { metric: 'latency_ms', check: 'slo', statistic: 'p99', max: 300 },
        ],
        checkInterval: '5m',
        bakeTime: '1h',
      },
    });
    let watching = await lifecycle.guardState('guarded');
    // The baseline is resolved by the guard's first activity.
    for (let i = 0; i < 200 && watching.baselineVersion === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      watching = await lifecycle.guardState('guarded');
    }
    expect([watching.status, watching.baselineVersion, watching.checkCount]).toEqual(['WATCHING', '1.0.0', 0]);
    expect((await lifecycle.controlGuard('guarded', 'pause', { actor: 'oncall' })).status).toBe('PAUSED');
    await lifecycle.controlGuard('guarded', 'stop', { actor: 'oncall', reason: 'rolled out' });
    const result = await lifecycle.guardResult('guarded');
    expect([result.status, result.reason]).toEqual(['STOPPED', 'stopped by oncall: rolled out']);
    expect((await reg.store.getGuard(result.guardId))?.status).toBe('STOPPED');

    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const file = join(HISTORIES, `${guardModelContract.history}.json`);
    if (process.env.UPDATE_HISTORIES === '1' || !existsSync(file)) writeFileSync(file, historyToJSON(history));
    const replays = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, [{ workflowId, history }]))
      replays.push([r.workflowId, r.error?.message ?? null]);
    expect(replays).toEqual([[workflowId, null]]);
    expect(await stop(worker, 'SIGTERM')).toBe(0);
  });

  test('two rollbacks of one model: the second is refused while the first runs, and production is never doubled', async () => {
    const setup = await startWorker();
    await twoProductionVersions('twin');
    expect(await stop(setup)).toBe(0);
    // No worker polls now, so the first rollback stays running.
    const first = await lifecycle.startRollback({ model: 'twin', reason: 'first', actor: 'a' });
    let refused: unknown;
    try {
      await lifecycle.startRollback({ model: 'twin', reason: 'second', actor: 'b' });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ModelctlError);
    expect((refused as ModelctlError).code).toBe('CONFLICT');
    expect((refused as ModelctlError).message).toBe(
      'rollback of twin refused: workflow rollback-twin is already running; wait for it to end, or cancel it (temporal workflow cancel --workflow-id rollback-twin)',
    );
    const worker = await startWorker();
    expect(await first.result()).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0', reason: 'first' });
    const production = (await reg.store.listVersions('twin')).filter((v) => v.status === 'PRODUCTION');
    expect(production.map((v) => v.version)).toEqual(['1.0.0']);
    await stop(worker);
  });

  test('a worker killed right after the production swap committed: a new worker finishes the promotion with exactly one swap', async () => {
    await reg.register('crash', '1.0.0');
    await reg.register('crash', '1.1.0');
    const setup = await startWorker();
    await lifecycle.promote({ model: 'crash', version: '1.0.0', actor: 'ci' });
    expect(await stop(setup)).toBe(0);
    const eventsBefore = (await reg.store.events('crash')).length;
    const crashing = await startCrashingWorker('swapProduction');
    const handle = await lifecycle.startPromotion({
      model: 'crash',
      version: '1.1.0',
      actor: 'ci',
      reason: 'crash test',
    });
    await exited(crashing);
    expect(crashing.signalCode).toBe('SIGKILL');
    // The swap is committed although the worker died before reporting it.
    expect((await reg.store.productionVersion('crash'))?.version).toBe('1.1.0');
    const worker = await startWorker();
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'PROMOTED', version: '1.1.0', previousVersion: '1.0.0' });
    const newEvents = (await reg.store.events('crash')).slice(eventsBefore);
    expect(newEvents.map((e) => [e.version, e.fromStatus, e.toStatus])).toEqual([
      ['1.0.0', 'PRODUCTION', 'DEPRECATED'],
      ['1.1.0', 'VALIDATION', 'PRODUCTION'],
    ]);
    await stop(worker);
  });

  test('a worker killed in the middle of an A/B test: a new worker finishes it with one test record and one result', async () => {
    const crashing = await startCrashingWorker('startAbTest');
    const handle = await lifecycle.startAbTest({
      id: 'crash-ab',
      model: 'crash',
      control: '1.1.0',
      treatment: '1.0.0',
      duration: '2s',
      metric: { name: 'ok', kind: 'binary', higherIsBetter: true },
    });
    await exited(crashing);
    expect(crashing.signalCode).toBe('SIGKILL');
    expect((await reg.store.getAbTest('crash-ab'))?.status).toBe('RUNNING');
    const worker = await startWorker();
    const result = await handle.result();
    expect(result.status).toBe('COMPLETED');
    expect(result.decision).toBe('inconclusive');
    expect((await reg.store.listAbTests('crash')).map((t) => [t.id, t.status])).toEqual([['crash-ab', 'COMPLETED']]);
    await stop(worker);
  });

  test("a worker down past an A/B test's planned end: the outcomes recorded meanwhile are kept and not analysed", async () => {
    await reg.register('late', '1.0.0');
    await reg.register('late', '1.1.0');
    const worker = await startWorker();
    const duration = 8_000;
    const handle = await lifecycle.startAbTest({
      id: 'late-ab',
      model: 'late',
      control: '1.0.0',
      treatment: '1.1.0',
      duration,
      metric: { name: 'ok', kind: 'binary' },
    });
    for (let i = 0; i < 200 && (await reg.store.getAbTest('late-ab'))?.status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const inWindow = simulateBinaryOutcomes('late-ab', { control: 5000, treatment: 5000 }, 400, {
      control: 0.5,
      treatment: 0.5,
    });
    await recordOutcomes(
      reg.store,
      'late-ab',
      inWindow.outcomes.map(({ unitId, value }) => ({ unitId, value })),
    );
    await stop(worker, 'SIGKILL');
    const plannedEnd = Date.parse((await reg.store.getAbTest('late-ab'))!.startedAt!) + duration;
    await new Promise((r) => setTimeout(r, Math.max(0, plannedEnd - Date.now()) + 1_000));
    // While no worker runs, the test is still RUNNING: late outcomes that would make the treatment win are taken.
    expect((await reg.store.getAbTest('late-ab'))?.status).toBe('RUNNING');
    const late = Array.from({ length: 2000 }, (_, i) => `late-${i}`).map((unitId) => ({
      unitId,
      value: assign('late-ab', unitId, { control: 5000, treatment: 5000 }).arm === 'treatment' ? 1 : 0,
    }));
    expect((await recordOutcomes(reg.store, 'late-ab', late)).recorded).toBe(2000);
    const lateAt = Date.now();

    const restarted = await startWorker();
    const result = await handle.result();
    // The analysis ran after the late outcomes were in, and read only the 400 of the planned window.
    expect(Date.parse(result.endedAt)).toBeGreaterThan(lateAt);
    expect([result.status, result.decision, result.analysis!.units]).toEqual([
      'COMPLETED',
      'inconclusive',
      {
        control: inWindow.outcomes.filter((o) => o.arm === 'control').length,
        treatment: inWindow.outcomes.filter((o) => o.arm === 'treatment').length,
      },
    ]);
    const stored = await reg.store.aggregateOutcomes('late-ab');
    expect(stored.control.units + stored.treatment.units).toBe(2400);
    await stop(restarted);
  });

  test('a guard whose workers are killed mid-guard and mid-rollback: a new worker finishes it with exactly one rollback', async () => {
    const setup = await startWorker();
    await twoProductionVersions('killed');
    expect(await stop(setup)).toBe(0);
    const eventsBefore = (await reg.store.events('killed')).length;

    // The first worker dies right after the guard's first check is recorded (before Temporal hears of it).
    const midGuard = await startCrashingWorker('recordGuardEvent');
    await lifecycle.startGuard({
      model: 'killed',
      version: '1.1.0',
      policy: {
        metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
        baseline: { kind: 'holdout' },
        checkInterval: '1m',
        bakeTime: '1h',
      },
      actor: 'ci',
    });
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    // 2 % errors on the new version against 1 % on the holdout, 10,000 requests a minute: the first check fails.
    for (const [version, errors] of [
      ['1.1.0', 200],
      ['1.0.0', 100],
    ] as const)
      await reg.store.recordObservations(
        Array.from({ length: 10 }, (_, i) => ({
          model: 'killed',
          version,
          metric: 'error',
          timestamp: new Date(minute - 60_000 + i * 60_000).toISOString(),
          window: { count: 10_000, sum: errors, sumSquares: errors, min: 0, max: 1 },
        })),
      );
    // Asked while the worker lives: a query needs one.
    const guardId = (await lifecycle.guardState('killed')).guardId;
    await exited(midGuard);
    expect(midGuard.signalCode).toBe('SIGKILL');
    expect((await reg.store.guardEvents(guardId)).map((e) => [e.kind, e.seq, e.outcome])).toEqual([
      ['check', 1, 'fail'],
    ]);
    expect((await reg.store.productionVersion('killed'))?.version).toBe('1.1.0');

    // The second worker takes the guard over, starts the rollback and dies right after its production swap committed.
    const midRollback = await startCrashingWorker('swapProduction');
    await exited(midRollback);
    expect(midRollback.signalCode).toBe('SIGKILL');
    expect((await reg.store.productionVersion('killed'))?.version).toBe('1.0.0');

    const worker = await startWorker();
    const result = await lifecycle.guardResult('killed');
    expect([result.status, result.checkCount, result.rollbackWorkflowId]).toEqual([
      'ROLLED_BACK',
      1,
      'rollback-killed',
    ]);
    expect(result.alerts.map((a) => a.kind)).toEqual(['REGRESSION', 'ROLLED_BACK']);
    expect(result.alerts[1]!.message).toBe('killed rolled back from 1.1.0 to 1.0.0');
    // Exactly one rollback: one swap in the audit trail, one production version, each guard event once.
    const newEvents = (await reg.store.events('killed')).slice(eventsBefore);
    expect(newEvents.map((e) => [e.version, e.fromStatus, e.toStatus, e.workflowId, e.actor])).toEqual([
      ['1.1.0', 'PRODUCTION', 'DEPRECATED', 'rollback-killed', `guard ${guardId} (started by ci)`],
      ['1.0.0', 'DEPRECATED', 'PRODUCTION', 'rollback-killed', `guard ${guardId} (started by ci)`],
    ]);
    expect(newEvents[1]!.reason).toMatch(
      /^rollback: guard check 1 of killed@1\.1\.0 failed: error \(relative\): 0\.02 vs 0\.01/,
    );
    const production = (await reg.store.listVersions('killed')).filter((v) => v.status === 'PRODUCTION');
    expect(production.map((v) => v.version)).toEqual(['1.0.0']);
    expect((await reg.store.guardEvents(guardId)).map((e) => [e.kind, e.seq, e.outcome])).toEqual([
      ['check', 1, 'fail'],
      ['alert', 1, 'REGRESSION'],
      ['alert', 2, 'ROLLED_BACK'],
    ]);
    expect((await reg.store.getGuard(guardId))?.status).toBe('ROLLED_BACK');
    const rollbacks = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowId = 'rollback-killed'` }))
      rollbacks.push(w.status.name);
    expect(rollbacks).toEqual(['COMPLETED']);
    await stop(worker);
    // A one-minute check, two 30-second activity timeouts before the retries and three worker starts: 267 s in one
    // run on the shared 2-core machine (load ~10), so the limit leaves room beyond it.
  }, 600_000);
});
