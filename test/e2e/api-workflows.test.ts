import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LocalArtifactStore } from '../../src/artifacts';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';
import { startDevServer } from '../helpers/temporal';
import { sequentialClickTest } from '../helpers/ab-tests';

interface Run {
  workflowId: string;
  runId: string;
  statusUrl: string;
  url: string | null;
  status: string;
  state: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  failure: { code: string; message: string } | null;
}

describe('workflow routes of modelctl serve on a Temporal dev server', () => {
  let temporal: TestWorkflowEnvironment;
  let t: TestApiServer;
  let editor: string;
  const send = (path: string, token: string, body?: unknown, method = 'POST') =>
    t.request(`/api/v1${path}`, {
      method,
      token,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
  const get = async <T>(path: string, token = t.adminToken): Promise<T> => {
    const res = await t.request(`/api/v1${path}`, { token });
    expect([path, res.status]).toEqual([path, 200]);
    return (await res.json()) as T;
  };
  /** Polls a status URL until `done` holds (the workflow moves on its own; a worker drives it). */
  const until = async (path: string, done: (run: Run) => boolean): Promise<Run> => {
    for (;;) {
      const run = await get<Run>(path);
      if (done(run)) return run;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const register = async (version: string, metrics: Record<string, number>) => {
    const file = join(t.home, `${version}.bin`);
    writeFileSync(file, `fraud weights ${version}`);
    const artifact = await new LocalArtifactStore(join(t.home, 'artifacts')).put(file);
    await t.store.createVersion({
      model: 'fraud',
      version,
      artifact,
      config: {},
      metrics,
      git: null,
      gitReason: 'test',
      author: 'test',
    });
  };

  beforeAll(async () => {
    temporal = await startDevServer();
    t = await startTestApiServer('sqlite', { rateLimitMax: 100_000 }, temporal);
    const created = await send('/tokens', t.adminToken, { name: 'trainer', role: 'editor' });
    editor = ((await created.json()) as { token: string }).token;
    await register('1.0.0', { accuracy: 0.91 });
    await register('1.1.0', { accuracy: 0.8 });
    await register('1.2.0', { accuracy: 0.95 });
  });
  afterAll(async () => {
    await t?.dispose();
    await temporal?.teardown();
  });

  test('a promotion starts with 202 and a Location, waits for the admin token to approve, and records it as the actor', async () => {
    const refused = await send('/models/fraud/promotions', editor, { version: '1.0.0' });
    expect(refused.status).toBe(403);
    const started = await send('/models/fraud/promotions', t.adminToken, {
      version: '1.0.0',
      requireApproval: { timeout: '1h' },
      reason: 'first release',
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe('/api/v1/models/fraud/promotion');
    const body = (await started.json()) as { workflowId: string; runId: string; statusUrl: string };
    expect(body).toEqual({
      workflowId: 'promote-fraud',
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      statusUrl: '/api/v1/models/fraud/promotion',
      url: null,
    });

    const waiting = await until(body.statusUrl.slice('/api/v1'.length), (r) => r.state?.step === 'AWAITING_APPROVAL');
    expect(waiting).toMatchObject({ workflowId: 'promote-fraud', runId: body.runId, status: 'RUNNING', result: null });
    expect(waiting.state?.approvalDeadline).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    const second = await send('/models/fraud/promotions', t.adminToken, { version: '1.2.0' });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { code: string }).code).toBe('CONFLICT');

    const approved = await send('/models/fraud/promotion/approve', t.adminToken, { comment: 'looks right' });
    expect(await approved.json()).toEqual({
      model: 'fraud',
      approved: true,
      approver: 'admin',
      comment: 'looks right',
    });
    const done = await get<Run>('/models/fraud/promotion?wait=true&timeoutSeconds=30');
    expect(done).toMatchObject({
      status: 'COMPLETED',
      state: { step: 'COMPLETED' },
      failure: null,
      result: { model: 'fraud', version: '1.0.0', outcome: 'PROMOTED', approvedBy: 'admin', actor: 'admin' },
    });
    const promotedEvent = (await t.store.events('fraud')).find((e) => e.toStatus === 'PRODUCTION');
    expect(promotedEvent).toMatchObject({ version: '1.0.0', actor: 'admin', reason: 'first release' });
  });

  test('?wait=true answers 200 with the result, or the failure as problem+json; timeoutSeconds is bounded', async () => {
    const bounded = await send('/models/fraud/promotions?wait=true&timeoutSeconds=61', t.adminToken, {
      version: '1.1.0',
    });
    expect(bounded.status).toBe(400);
    expect(((await bounded.json()) as { detail: string }).detail).toBe(
      'invalid querystring: timeoutSeconds: must be a whole number of seconds from 1 to 60',
    );
    const gated = await send('/models/fraud/promotions?wait=true', t.adminToken, {
      version: '1.1.0',
      gates: { thresholds: [{ metric: 'accuracy', op: '>=', value: 0.9 }] },
    });
    expect(gated.status).toBe(422);
    expect(gated.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await gated.json()).toMatchObject({ code: 'GATE_FAILED', detail: expect.stringContaining('accuracy') });
    expect((await t.store.getVersion('fraud', '1.1.0'))?.status).toBe('FAILED');
    const failedRun = await get<Run>('/models/fraud/promotion');
    expect(failedRun).toMatchObject({ status: 'FAILED', result: null, failure: { code: 'GATE_FAILED' } });

    const promoted = await send('/models/fraud/promotions?wait=true&timeoutSeconds=30', t.adminToken, {
      version: '1.2.0',
    });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({
      workflowId: 'promote-fraud',
      statusUrl: '/api/v1/models/fraud/promotion',
      status: 'COMPLETED',
      result: { version: '1.2.0', previousVersion: '1.0.0', outcome: 'PROMOTED', actor: 'admin' },
    });
  });

  test('a rollback runs as the token, and its status route shows the step and the target', async () => {
    const rolled = await send('/models/fraud/rollbacks?wait=true', t.adminToken, { reason: 'precision dropped' });
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get('location')).toBe('/api/v1/models/fraud/rollback');
    expect(await rolled.json()).toMatchObject({
      workflowId: 'rollback-fraud',
      status: 'COMPLETED',
      result: { version: '1.0.0', previousVersion: '1.2.0', reason: 'precision dropped', actor: 'admin' },
    });
    expect(await get<Run>('/models/fraud/rollback')).toMatchObject({
      status: 'COMPLETED',
      state: { target: '1.0.0' },
    });
    expect((await t.store.productionVersion('fraud'))?.version).toBe('1.0.0');
    const noReason = await send('/models/fraud/rollbacks', t.adminToken, { reason: ' ' });
    expect(((await noReason.json()) as { detail: string }).detail).toBe(
      'invalid body: reason: a rollback needs a reason',
    );
    const none = await t.request('/api/v1/models/nosuch/rollback', { token: t.adminToken });
    expect([none.status, ((await none.json()) as { detail: string }).detail]).toEqual([
      404,
      'rollback of nosuch: no workflow rollback-nosuch',
    ]);
  });

  test('an A/B test started by an editor serves traffic, shows an interim analysis, and is stopped by an admin', async () => {
    const started = await send('/ab-tests', editor, sequentialClickTest('fraud-ab', 'fraud', '1.0.0', '1.2.0'));
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe('/api/v1/ab-tests/fraud-ab');
    expect(await started.json()).toEqual({
      id: 'fraud-ab',
      workflowId: 'abtest-fraud-ab',
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      statusUrl: '/api/v1/ab-tests/fraud-ab',
      url: null,
    });
    const units = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const { items } = (await (await send('/ab-tests/fraud-ab/assignments', editor, { units })).json()) as {
      items: { unitId: string; arm: string }[];
    };
    const outcomes = items.map((a, i) => ({ unitId: a.unitId, value: a.arm === 'treatment' ? 1 : Number(i % 2) }));
    const recorded = await send('/ab-tests/fraud-ab/outcomes', editor, { outcomes });
    expect(((await recorded.json()) as { recorded: number }).recorded).toBe(40);

    const running = await get<Run & { interim: { units: { control: number; treatment: number } } }>(
      '/ab-tests/fraud-ab',
    );
    expect(running).toMatchObject({ status: 'RUNNING', state: { id: 'fraud-ab', status: 'RUNNING' }, result: null });
    const controls = items.filter((a) => a.arm === 'control').length;
    expect(running.interim.units).toEqual({ control: controls, treatment: 40 - controls });

    expect((await send('/ab-tests/fraud-ab/stop', editor, { reason: 'clear' })).status).toBe(403);
    const stopped = await send('/ab-tests/fraud-ab/stop', t.adminToken, { reason: 'clear win' });
    expect(await stopped.json()).toMatchObject({ id: 'fraud-ab', stopRequestedBy: 'admin', abortRequestedBy: null });
    const ended = await get<Run>('/ab-tests/fraud-ab?wait=true');
    expect(ended).toMatchObject({
      status: 'COMPLETED',
      result: { id: 'fraud-ab', status: 'STOPPED', endedBy: 'admin' },
      interim: null,
    });
    const listed = await get<{ items: { id: string; status: string }[] }>('/ab-tests');
    expect(listed.items.map((i) => [i.id, i.status])).toEqual([['fraud-ab', 'STOPPED']]);
  });

  test('a start that waits past its timeout answers 202 with the status so far; abort ends the test without a winner', async () => {
    const started = await send('/ab-tests?wait=true&timeoutSeconds=1', editor, {
      id: 'fraud-long',
      model: 'fraud',
      control: '1.0.0',
      treatment: '1.2.0',
      duration: '1h',
    });
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({
      id: 'fraud-long',
      workflowId: 'abtest-fraud-long',
      status: 'RUNNING',
      state: { status: 'RUNNING' },
      result: null,
    });
    const aborted = await send('/ab-tests/fraud-long/abort', t.adminToken);
    expect(await aborted.json()).toMatchObject({ abortRequestedBy: 'admin' });
    const ended = await get<Run>('/ab-tests/fraud-long?wait=true');
    expect(ended.result).toMatchObject({ status: 'ABORTED', decision: null, winner: null, endedBy: 'admin' });
    const again = await send('/ab-tests/fraud-long/abort', t.adminToken);
    expect([again.status, ((await again.json()) as { detail: string }).detail]).toEqual([
      422,
      'abort of A/B test fraud-long: it has already ended',
    ]);
    const same = await send('/ab-tests', editor, {
      id: 'fraud-bad',
      model: 'fraud',
      control: '1.0.0',
      treatment: '1.0.0',
      duration: '1h',
    });
    expect(((await same.json()) as { detail: string }).detail).toBe(
      'invalid body: treatment: control and treatment must be different versions',
    );
  });

  test('A/B test schedules: create, read, pause and unpause as an editor, delete as an admin', async () => {
    const created = await send('/ab-test-schedules', editor, {
      scheduleId: 'fraud-weekly',
      every: '7d',
      paused: true,
      test: { model: 'fraud', control: '1.0.0', treatment: '1.2.0', duration: '1d' },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ scheduleId: 'fraud-weekly' });
    expect(await get('/ab-test-schedules/fraud-weekly')).toMatchObject({ scheduleId: 'fraud-weekly', paused: true });
    expect(await (await send('/ab-test-schedules/fraud-weekly/unpause', editor)).json()).toEqual({
      scheduleId: 'fraud-weekly',
      done: 'unpause',
    });
    expect(await get('/ab-test-schedules/fraud-weekly')).toMatchObject({ paused: false });
    expect((await send('/ab-test-schedules/fraud-weekly', editor, undefined, 'DELETE')).status).toBe(403);
    expect(await (await send('/ab-test-schedules/fraud-weekly', t.adminToken, undefined, 'DELETE')).json()).toEqual({
      scheduleId: 'fraud-weekly',
      done: 'delete',
    });
    const gone = await t.request('/api/v1/ab-test-schedules/fraud-weekly', { token: t.adminToken });
    expect([gone.status, ((await gone.json()) as { detail: string }).detail]).toEqual([
      404,
      'A/B test schedule fraud-weekly: no such schedule',
    ]);
  });
});
