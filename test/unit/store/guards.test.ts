import { BACKENDS, openTestStore } from '../../helpers/store';
import { expectModelctlError } from '../../helpers/errors';

describe.each(BACKENDS)('guards on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
  });
  afterEach(async () => {
    await t.dispose();
  });

  const guard = {
    id: 'guard-fraud-1.1.0-abcdef01',
    model: 'fraud',
    version: '1.1.0',
    baselineVersion: '1.0.0',
    policy: { metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }] },
    actor: 'ci',
    workflowId: 'guard-fraud',
    startedAt: '2025-01-01T00:00:00.000Z',
  };

  test('a guard is recorded once, its checks and alerts once per sequence number, and its end with the result', async () => {
    const { store } = t;
    const first = await store.createGuard(guard);
    expect(first).toEqual({ ...guard, status: 'WATCHING', endedAt: null, result: null });
    expect(await store.createGuard({ ...guard, actor: 'retry' })).toEqual(first);
    const check = {
      seq: 1,
      at: '2025-01-01T00:05:00.000Z',
      outcome: 'fail',
      from: guard.startedAt,
      to: '2025-01-01T00:05:00.000Z',
      noData: false,
      metrics: [],
    };
    const alert = {
      seq: 1,
      at: '2025-01-01T00:05:00.000Z',
      kind: 'REGRESSION',
      message: 'error regressed',
      acknowledgedBy: null,
    };
    await store.recordGuardEvent({
      guardId: guard.id,
      kind: 'check',
      seq: 1,
      at: check.at,
      outcome: 'fail',
      detail: check as never,
    });
    await store.recordGuardEvent({
      guardId: guard.id,
      kind: 'check',
      seq: 1,
      at: check.at,
      outcome: 'pass',
      detail: check as never,
    });
    await store.recordGuardEvent({
      guardId: guard.id,
      kind: 'alert',
      seq: 1,
      at: alert.at,
      outcome: 'REGRESSION',
      detail: alert as never,
    });
    expect(await store.guardEvents(guard.id)).toEqual([
      { guardId: guard.id, kind: 'check', seq: 1, at: check.at, outcome: 'fail', detail: check },
      { guardId: guard.id, kind: 'alert', seq: 1, at: alert.at, outcome: 'REGRESSION', detail: alert },
    ]);
    const ended = await store.updateGuard({
      id: guard.id,
      status: 'ROLLED_BACK',
      endedAt: '2025-01-01T00:06:00.000Z',
      result: { reason: 'x' },
    });
    expect([ended.status, ended.endedAt, ended.result]).toEqual([
      'ROLLED_BACK',
      '2025-01-01T00:06:00.000Z',
      { reason: 'x' },
    ]);
    expect((await store.listGuards('fraud')).map((g) => g.id)).toEqual([guard.id]);
    expect(await store.listGuards('other')).toEqual([]);
  });

  test('webhook attempts are recorded once each, in alert and attempt order', async () => {
    const { store } = t;
    await store.createGuard(guard);
    const attempt = { guardId: guard.id, alertSeq: 1, url: 'https://hooks.example/a', at: '2025-01-01T00:05:00.000Z' };
    await store.recordWebhookAttempt({ ...attempt, attempt: 2, statusCode: 200, error: null });
    await store.recordWebhookAttempt({ ...attempt, attempt: 1, statusCode: null, error: 'ECONNREFUSED' });
    await store.recordWebhookAttempt({ ...attempt, attempt: 1, statusCode: 500, error: 'HTTP 500' });
    expect((await store.webhookAttempts(guard.id)).map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, null, 'ECONNREFUSED'],
      [2, 200, null],
    ]);
  });

  test('an unknown guard or status is refused by name', async () => {
    const { store } = t;
    await expectModelctlError(
      store.updateGuard({ id: 'nope', status: 'PASSED', endedAt: null, result: null }),
      'NOT_FOUND',
      'guard nope does not exist',
    );
    await store.createGuard(guard);
    await expectModelctlError(
      store.updateGuard({ id: guard.id, status: 'DONE', endedAt: null, result: null }),
      'INVALID_INPUT',
      /^invalid guard update: status: must be one of WATCHING, PAUSED, HOLDING, PASSED/,
    );
  });

  test("a model's default policy is validated whole, stored, replaced and read back", async () => {
    const { store, clock } = t;
    expect(await store.getGuardPolicy('fraud')).toBeNull();
    await expectModelctlError(
      store.setGuardPolicy({ model: 'fraud', policy: { metrics: [], alpha: 1 }, actor: 'ops' }),
      'INVALID_INPUT',
      'invalid guard policy: metrics: must hold at least one metric; alpha: must be in [0.001, 0.2]',
    );
    const policy = { metrics: [{ metric: 'error', check: 'slo', max: 0.01 }], bakeTime: '6h' };
    await store.setGuardPolicy({ model: 'fraud', policy, actor: 'ops' });
    const later = clock.advance(1000);
    await store.setGuardPolicy({ model: 'fraud', policy: { ...policy, bakeTime: '2h' }, actor: 'lead' });
    expect(await store.getGuardPolicy('fraud')).toEqual({
      model: 'fraud',
      policy: { ...policy, bakeTime: '2h' },
      actor: 'lead',
      updatedAt: later,
    });
  });
});
