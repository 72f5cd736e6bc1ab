import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSignature } from '../../../src/integrations/webhooks';
import type { LifecycleClient } from '../../../src/client/lifecycle-client';
import { OBSERVATION_BUCKET_MS } from '../../../src/domain/observation';
import type { GuardPolicy } from '../../../src/domain/guard-policy';
import { msprtPValue } from '../../../src/stats/sequential';
import { guardRecordId } from '../../../src/workflows/guard-model.contract';
import type { TestRegistry } from '../../helpers/registry-fixture';
import { rejection, useWorkflowSuite } from '../../helpers/workflow-suite';

const MINUTE = OBSERVATION_BUCKET_MS;

describe('guardModel on the time-skipping server', () => {
  const suite = useWorkflowSuite();
  let reg: TestRegistry;
  let lifecycle: LifecycleClient;
  beforeAll(() => ({ reg, lifecycle } = suite));

  /** `minutes` windows of `perMinute` 0/1 observations of `version`, `errors` of them 1, from the bucket of `fromMs`. */
  const errorTraffic = (
    model: string,
    version: string,
    fromMs: number,
    minutes: number,
    perMinute: number,
    errors: number,
  ) =>
    reg.store.recordObservations(
      Array.from({ length: minutes }, (_, i) => ({
        model,
        version,
        metric: 'error',
        timestamp: new Date(Math.floor(fromMs / MINUTE) * MINUTE + i * MINUTE).toISOString(),
        window: { count: perMinute, sum: errors, sumSquares: errors, min: 0, max: errors > 0 ? 1 : 0 },
      })),
    );

  /** Two versions, the second in production after the first. */
  const twoVersions = async (model: string) => {
    await reg.register(model, '1.0.0');
    await reg.register(model, '1.1.0');
    await lifecycle.promote({ model, version: '1.0.0', actor: 'ci' });
    await lifecycle.promote({ model, version: '1.1.0', actor: 'ci' });
  };

  /**
   * Starts a guard and returns the workflow's start time in ms: the time-skipping server's clock runs ahead of the
   * wall clock once a suite has skipped time, so traffic is placed on the workflow's clock (time stands still until
   * the test waits on a result or sleeps).
   */
  const startGuard = async (model: string, version: string, policy: GuardPolicy) => {
    const handle = await lifecycle.startGuard({ model, version, policy, actor: 'ci' });
    const state = await lifecycle.guardState(model);
    return { handle, startedAtMs: Date.parse(state.startedAt) };
  };

  const relativeErrors: GuardPolicy = {
    metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
    baseline: { kind: 'holdout' },
    checkInterval: '5m',
    bakeTime: '2h',
  };

  test('an injected regression (1 % → 2 % errors) is rolled back at the first check, with the evidence in the audit event', async () => {
    await twoVersions('fraud');
    const { handle, startedAtMs: t0 } = await startGuard('fraud', '1.1.0', relativeErrors);
    await errorTraffic('fraud', '1.1.0', t0, 180, 1000, 20);
    await errorTraffic('fraud', '1.0.0', t0, 180, 1000, 10);
    const result = await lifecycle.guardResult('fraud');

    expect([result.status, result.checkCount, result.baselineVersion, result.rollbackWorkflowId]).toEqual([
      'ROLLED_BACK',
      1,
      '1.0.0',
      'rollback-fraud',
    ]);
    const [m] = result.checks[0]!.metrics;
    // Every minute holds 1000 observations, so the first check read a whole number of minutes of each arm.
    expect(m!.candidateCount % 1000).toBe(0);
    expect(m).toMatchObject({
      metric: 'error',
      check: 'relative',
      outcome: 'fail',
      candidateValue: 0.02,
      baselineValue: 0.01,
    });
    expect(m!.relativeChange).toBeCloseTo(1, 12);
    const se = Math.sqrt((0.02 * 0.98) / (m!.candidateCount - 1) + (0.01 * 0.99) / (m!.baselineCount! - 1));
    expect(m!.pValue).toBeCloseTo(msprtPValue(0.01, se, m!.candidateCount + m!.baselineCount!, 5000, 0.05), 12);
    expect(m!.pValue).toBeLessThan(0.05);

    expect((await reg.store.productionVersion('fraud'))?.version).toBe('1.0.0');
    const swap = (await reg.store.events('fraud')).slice(-2);
    expect(swap.map((e) => [e.version, e.toStatus, e.workflowId])).toEqual([
      ['1.1.0', 'DEPRECATED', 'rollback-fraud'],
      ['1.0.0', 'PRODUCTION', 'rollback-fraud'],
    ]);
    expect(swap[1]!.reason).toMatch(
      /^rollback: guard check 1 of fraud@1\.1\.0 failed: error \(relative\): 0\.02 vs 0\.01 \(\+100 %\), always-valid p = [0-9.e-]+ ≤ 0\.05, always-valid interval of the excess \[[0-9.e-]+, [0-9.e-]+\]; n = \d+ vs \d+$/,
    );
    expect(swap[1]!.actor).toBe(`guard ${result.guardId} (started by ci)`);

    const guardId = guardRecordId('fraud', '1.1.0', (await handle.describe()).runId);
    expect(result.guardId).toBe(guardId);
    expect((await reg.store.getGuard(guardId))?.status).toBe('ROLLED_BACK');
    const events = await reg.store.guardEvents(guardId);
    expect(events.map((e) => [e.kind, e.seq, e.outcome])).toEqual([
      ['check', 1, 'fail'],
      ['alert', 1, 'REGRESSION'],
      ['alert', 2, 'ROLLED_BACK'],
    ]);
  });

  test('no observations: no rollback, an alert and a hold; when observations resume the checks resume and the guard passes', async () => {
    await twoVersions('ranker');
    await startGuard('ranker', '1.1.0', { ...relativeErrors, bakeTime: '1h', noDataPeriod: '15m' });
    await suite.h.env.sleep('22m');
    const held = await lifecycle.guardState('ranker');
    expect(held.status).toBe('HOLDING');
    expect(held.checkCount).toBe(4);
    expect(held.checks.map((c) => [c.outcome, c.noData])).toEqual(Array(4).fill(['inconclusive', true]));
    expect(held.alerts.map((a) => a.kind)).toEqual(['NO_DATA']);
    expect(held.alerts[0]!.message).toMatch(
      /^no observations of ranker@1\.1\.0 since .*; holding \(absence of data never rolls back\)$/,
    );
    expect((await reg.store.productionVersion('ranker'))?.version).toBe('1.1.0');

    const acknowledged = await lifecycle.controlGuard('ranker', 'acknowledge', { actor: 'oncall' });
    expect(acknowledged.alerts.map((a) => a.acknowledgedBy)).toEqual(['oncall']);

    const resumeAt = Date.parse(held.checks.at(-1)!.at);
    await errorTraffic('ranker', '1.1.0', resumeAt, 120, 1000, 10);
    await errorTraffic('ranker', '1.0.0', resumeAt, 120, 1000, 10);
    const result = await lifecycle.guardResult('ranker');
    expect(result.status).toBe('PASSED');
    expect(result.alerts.map((a) => a.kind)).toEqual(['NO_DATA', 'PASSED']);
    expect(result.checks.slice(4).every((c) => !c.noData && c.outcome === 'pass')).toBe(true);
    expect(result.rollbackWorkflowId).toBeNull();
    expect((await reg.store.productionVersion('ranker'))?.version).toBe('1.1.0');
  });

  test('a refused rollback (no earlier version to go back to) raises an alert, keeps the version flagged and does not loop', async () => {
    await reg.register('search', '1.0.0');
    await lifecycle.promote({ model: 'search', version: '1.0.0', actor: 'ci' });
    const { startedAtMs } = await startGuard('search', '1.0.0', {
      metrics: [{ metric: 'error', check: 'slo', max: 0.01 }],
      checkInterval: '5m',
      bakeTime: '1h',
    });
    await errorTraffic('search', '1.0.0', startedAtMs, 60, 1000, 50);
    const result = await lifecycle.guardResult('search');
    expect([result.status, result.checkCount, result.baselineVersion]).toEqual(['ROLLBACK_REFUSED', 1, null]);
    expect(result.checks[0]!.metrics[0]).toMatchObject({
      outcome: 'fail',
      candidateValue: 0.05,
      estimate: 0.05 - 0.01,
    });
    expect(result.rollbackError).toBe(
      'search has no previous production version to roll back to; name one with toVersion (modelctl rollback --to)',
    );
    expect(result.alerts.map((a) => a.kind)).toEqual(['REGRESSION', 'ROLLBACK_REFUSED']);
    expect((await reg.store.productionVersion('search'))?.version).toBe('1.0.0');
    expect((await reg.store.getGuard(result.guardId))?.status).toBe('ROLLBACK_REFUSED');
  });

  test('pause holds the checks, resume restarts them, stop ends the guard with no action', async () => {
    await twoVersions('ads');
    const { startedAtMs: t0 } = await startGuard('ads', '1.1.0', { ...relativeErrors, bakeTime: '8h' });
    await errorTraffic('ads', '1.1.0', t0, 600, 1000, 10);
    await errorTraffic('ads', '1.0.0', t0, 600, 1000, 10);
    expect((await lifecycle.controlGuard('ads', 'pause', { actor: 'oncall', reason: 'deploy' })).status).toBe('PAUSED');
    const paused = await lifecycle.guardState('ads');
    await suite.h.env.sleep('30m');
    expect((await lifecycle.guardState('ads')).checkCount).toBe(paused.checkCount);
    const err = await rejection(lifecycle.controlGuard('ads', 'pause', { actor: 'oncall' }));
    expect(err.message).toMatch(/is already paused/);
    expect((await lifecycle.controlGuard('ads', 'resume', { actor: 'oncall' })).status).toBe('WATCHING');
    await suite.h.env.sleep('11m');
    const resumed = await lifecycle.guardState('ads');
    expect(resumed.checkCount).toBeGreaterThan(paused.checkCount);
    expect((await lifecycle.controlGuard('ads', 'stop', { actor: 'oncall', reason: 'done' })).status).toBe('WATCHING');
    const result = await lifecycle.guardResult('ads');
    expect([result.status, result.reason]).toEqual(['STOPPED', 'stopped by oncall: done']);
    expect((await reg.store.productionVersion('ads'))?.version).toBe('1.1.0');
  });

  test('alerts go to the webhook signed (HMAC-SHA256 over id, timestamp and body), retried by Temporal until taken, every attempt recorded', async () => {
    const secret = 'whsec_' + Buffer.from('a guard webhook secret').toString('base64');
    const received: { id: string; valid: boolean; kind: string }[] = [];
    let refusals = 2;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const timestamp = Number(req.headers['webhook-timestamp']);
        const valid = req.headers['x-modelctl-signature'] === webhookSignature(secret, id, timestamp, body);
        received.push({ id, valid, kind: (JSON.parse(body) as { alert: { kind: string } }).alert.kind });
        // The first two deliveries fail: Temporal retries the activity.
        res.statusCode = refusals-- > 0 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await twoVersions('mail');
      const { startedAtMs: t0 } = await startGuard('mail', '1.1.0', { ...relativeErrors, webhooks: [{ url, secret }] });
      await errorTraffic('mail', '1.1.0', t0, 180, 1000, 20);
      await errorTraffic('mail', '1.0.0', t0, 180, 1000, 10);
      const result = await lifecycle.guardResult('mail');
      expect(result.status).toBe('ROLLED_BACK');
      const id = (seq: number) => `${result.guardId}-alert-${seq}`;
      expect(received).toEqual([
        { id: id(1), valid: true, kind: 'REGRESSION' },
        { id: id(1), valid: true, kind: 'REGRESSION' },
        { id: id(1), valid: true, kind: 'REGRESSION' },
        { id: id(2), valid: true, kind: 'ROLLED_BACK' },
      ]);
      const attempts = await reg.store.webhookAttempts(result.guardId);
      expect(attempts.map((a) => [a.alertSeq, a.attempt, a.statusCode, a.error])).toEqual([
        [1, 1, 503, 'HTTP 503'],
        [1, 2, 503, 'HTTP 503'],
        [1, 3, 204, null],
        [2, 1, 204, null],
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('a bake long enough to continue-as-new keeps its checks, counters, alerts and state across runs; the query answers throughout', async () => {
    await twoVersions('feed');
    const policy: GuardPolicy = {
      metrics: [{ metric: 'error', check: 'slo', max: 0.05 }],
      checkInterval: '1m',
      bakeTime: '430m',
      noDataPeriod: '2m',
    };
    const { handle, startedAtMs: t0 } = await startGuard('feed', '1.1.0', policy);
    const firstRunId = (await handle.describe()).runId;
    // No traffic for the first 4 minutes (a NO_DATA hold), then 1 % errors for the rest of the bake.
    await errorTraffic('feed', '1.1.0', t0 + 4 * MINUTE, 440, 1000, 10);
    await suite.h.env.sleep('210s');
    const early = await lifecycle.guardState('feed');
    expect([early.status, early.checkCount, early.alerts.map((a) => a.kind)]).toEqual(['HOLDING', 3, ['NO_DATA']]);
    await lifecycle.controlGuard('feed', 'acknowledge', { actor: 'oncall' });

    // Past the first continueAsNew (200 checks per run): a new run answers with the first run's identity and counters.
    await suite.h.env.sleep('210m');
    const mid = await lifecycle.guardState('feed');
    const midRun = await suite.h.client.workflow.getHandle('guard-feed').describe();
    expect(midRun.runId).not.toBe(firstRunId);
    expect(midRun.status.name).toBe('RUNNING');
    expect(mid.checkCount).toBeGreaterThan(200);
    expect(mid.checkCount).toBeLessThan(220);
    expect([mid.guardId, mid.startedAt, mid.status, mid.baselineVersion]).toEqual([
      early.guardId,
      early.startedAt,
      'WATCHING',
      '1.0.0',
    ]);
    expect(mid.checks.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => mid.checkCount - 19 + i));
    expect(mid.checks.every((c) => c.outcome === 'pass' && !c.noData)).toBe(true);
    expect(mid.alerts.map((a) => [a.seq, a.kind, a.acknowledgedBy])).toEqual([[1, 'NO_DATA', 'oncall']]);
    expect(Date.parse(mid.lastDataAt)).toBe(Date.parse(mid.checks.at(-1)!.at));
    expect(mid.bakeEndsAt).toBe(new Date(t0 + 430 * MINUTE).toISOString());

    const result = await lifecycle.guardResult('feed');
    expect([result.status, result.checkCount, result.guardId]).toEqual(['PASSED', 430, early.guardId]);
    expect(result.reason).toBe('bake time over and check 430 passed');
    expect(result.checks.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 411 + i));
    expect(result.alerts.map((a) => [a.seq, a.kind, a.acknowledgedBy])).toEqual([
      [1, 'NO_DATA', 'oncall'],
      [2, 'PASSED', null],
    ]);
    expect(result.alerts[1]!.message).toBe('feed@1.1.0 passed 430 checks over its bake time');
    // Three runs (checks 1–200, 201–400, 401–430) wrote into one guard record, every check once.
    const events = await reg.store.guardEvents(result.guardId);
    const checkSeqs = events.filter((e) => e.kind === 'check').map((e) => e.seq);
    expect(checkSeqs).toEqual(Array.from({ length: 430 }, (_, i) => i + 1));
    expect((await reg.store.listGuards('feed')).map((g) => [g.id, g.status])).toEqual([[result.guardId, 'PASSED']]);
  });

  test('a bad policy is refused before anything starts, naming the field and the range', async () => {
    const err = await rejection(
      lifecycle.startGuard({
        model: 'fraud',
        version: '1.1.0',
        policy: {
          metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
          alpha: 0.5,
          checkInterval: '5s',
        },
        actor: 'ci',
      }),
    );
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      'invalid guard: policy.alpha: must be in [0.001, 0.2]; policy.checkInterval: must be at least 10s',
    );
    const notInProduction = await rejection(
      (async () => {
        await reg.register('vision', '1.0.0');
        await lifecycle.startGuard({ model: 'vision', version: '1.0.0', policy: relativeErrors, actor: 'ci' });
        return lifecycle.guardResult('vision');
      })(),
    );
    expect(notInProduction.message).toMatch(
      /cannot guard vision@1\.0\.0: it is VALIDATION; a guard watches the PRODUCTION version/,
    );
  });
});
