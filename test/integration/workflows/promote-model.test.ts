import { writeFileSync } from 'node:fs';
import type { LifecycleClient } from '../../../src/client/lifecycle-client';
import type { TestRegistry } from '../../helpers/registry-fixture';
import type { TemporalHarness } from '../../helpers/temporal';
import { rejection, useWorkflowSuite } from '../../helpers/workflow-suite';
import { fromTemporalError } from '../../../src/client/temporal-errors';
import { promoteModelContract, promotionWorkflowId } from '../../../src/workflows/promote-model.contract';

describe('promoteModel on the time-skipping server', () => {
  const suite = useWorkflowSuite();
  let reg: TestRegistry;
  let h: TemporalHarness;
  let lifecycle: LifecycleClient;
  beforeAll(() => ({ reg, h, lifecycle } = suite));

  /** Starts a promotion that requires approval and waits (at most 5 s) until it awaits the decision. */
  async function startAwaitingApproval(model: string, version: string, timeout: string) {
    const handle = await lifecycle.startPromotion({ model, version, actor: 'ci', requireApproval: { timeout } });
    let status = await lifecycle.promotionStatus(model);
    for (let i = 0; i < 50 && status.step !== 'AWAITING_APPROVAL'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await lifecycle.promotionStatus(model);
    }
    expect(status.step).toBe('AWAITING_APPROVAL');
    return handle;
  }

  test('the first promotion puts a validated version in production with an audit event', async () => {
    await reg.register('alpha', '1.0.0', { metrics: { accuracy: 0.9 } });
    const result = await lifecycle.promote({ model: 'alpha', version: '1.0.0', actor: 'ci', reason: 'first release' });
    expect(result).toMatchObject({
      model: 'alpha',
      version: '1.0.0',
      outcome: 'PROMOTED',
      previousVersion: null,
      actor: 'ci',
      reason: 'first release',
      workflowId: 'promote-alpha',
    });
    expect((await reg.store.productionVersion('alpha'))?.version).toBe('1.0.0');
    const events = await reg.store.events('alpha', '1.0.0');
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({
      fromStatus: 'VALIDATION',
      toStatus: 'PRODUCTION',
      actor: 'ci',
      reason: 'first release',
      workflowId: 'promote-alpha',
    });
  });

  test('promoting a second version deprecates the first in the same swap', async () => {
    await reg.register('alpha', '1.1.0', { metrics: { accuracy: 0.93 } });
    const result = await lifecycle.promote({
      model: 'alpha',
      version: '1.1.0',
      actor: 'ci',
      gates: { thresholds: [{ metric: 'accuracy', op: '>=', value: 0.9 }], notWorseThanProduction: ['accuracy'] },
    });
    expect(result.outcome).toBe('PROMOTED');
    expect(result.previousVersion).toBe('1.0.0');
    expect(result.gates.map((g) => g.passed)).toEqual([true, true]);
    expect((await reg.store.getVersion('alpha', '1.0.0'))?.status).toBe('DEPRECATED');
    expect((await reg.store.getVersion('alpha', '1.1.0'))?.status).toBe('PRODUCTION');
  });

  test('promoting the version already in production changes nothing', async () => {
    const before = (await reg.store.events('alpha')).length;
    const result = await lifecycle.promote({ model: 'alpha', version: '1.1.0', actor: 'ci' });
    expect(result.outcome).toBe('ALREADY_IN_PRODUCTION');
    expect((await reg.store.events('alpha')).length).toBe(before);
  });

  test('a promotion that expects another production version is refused with CONFLICT and changes nothing', async () => {
    await reg.register('alpha', '1.1.1');
    const before = await reg.store.events('alpha');
    const err = await rejection(
      lifecycle.promote({ model: 'alpha', version: '1.1.1', actor: 'abtest', expectedProduction: '1.0.0' }),
    );
    expect([err.code, err.message]).toEqual([
      'CONFLICT',
      'promotion of alpha@1.1.1 refused: production of alpha is 1.1.0, not 1.0.0 as expected; nothing changed',
    ]);
    expect(await reg.store.events('alpha')).toEqual(before);
    expect((await reg.store.getVersion('alpha', '1.1.1'))?.status).toBe('VALIDATION');
  });

  test('a failed threshold gate fails the promotion naming the gate, marks the candidate FAILED and keeps production', async () => {
    await reg.register('alpha', '1.2.0', { metrics: { accuracy: 0.85 } });
    const err = await rejection(
      lifecycle.promote({
        model: 'alpha',
        version: '1.2.0',
        actor: 'ci',
        gates: { thresholds: [{ metric: 'accuracy', op: '>=', value: 0.9 }] },
      }),
    );
    expect(err.code).toBe('GATE_FAILED');
    expect(err.message).toBe(
      'promotion of alpha@1.2.0 rejected: failed gate: accuracy >= 0.9 (accuracy = 0.85); alpha@1.2.0 moved to FAILED',
    );
    expect((await reg.store.getVersion('alpha', '1.2.0'))?.status).toBe('FAILED');
    expect((await reg.store.productionVersion('alpha'))?.version).toBe('1.1.0');
  });

  test('a version worse than production fails the not-worse gate and, with KEEP, stays in VALIDATION', async () => {
    await reg.register('alpha', '1.3.0', { metrics: { accuracy: 0.91, latency: 12 } });
    const err = await rejection(
      lifecycle.promote({
        model: 'alpha',
        version: '1.3.0',
        actor: 'ci',
        onGateFailure: 'KEEP',
        gates: { notWorseThanProduction: ['accuracy'], tolerance: 0.01 },
      }),
    );
    expect(err.code).toBe('GATE_FAILED');
    expect(err.message).toContain(
      'accuracy not worse than production (tolerance 0.01) (accuracy = 0.91 vs production 1.1.0 = 0.93 (higher is better)); alpha@1.3.0 stays in VALIDATION',
    );
    expect((await reg.store.getVersion('alpha', '1.3.0'))?.status).toBe('VALIDATION');
  });

  test('a corrupted artifact fails the promotion before any gate with CHECKSUM_MISMATCH, saying the version moved to FAILED', async () => {
    const v = await reg.register('beta', '1.0.0', { metrics: { accuracy: 0.99 }, content: 'original bytes' });
    writeFileSync(new URL(v.artifact.uri), 'tampered bytes');
    const err = await rejection(lifecycle.promote({ model: 'beta', version: '1.0.0', actor: 'ci' }));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.message).toMatch(
      /^promotion of beta@1\.0\.0 rejected: artifact check failed: checksum mismatch for file:.*; beta@1\.0\.0 moved to FAILED$/,
    );
    expect((await reg.store.getVersion('beta', '1.0.0'))?.status).toBe('FAILED');
    expect(await reg.store.productionVersion('beta')).toBeNull();
  });

  test('a gate on a metric the candidate does not have is refused as a typo, and the candidate stays in VALIDATION', async () => {
    await reg.register('alpha', '1.4.0', { metrics: { accuracy: 0.95, auc: 0.9 } });
    const err = await rejection(
      lifecycle.promote({
        model: 'alpha',
        version: '1.4.0',
        actor: 'ci',
        gates: { thresholds: [{ metric: 'acuracy', op: '>=', value: 0.9 }] },
      }),
    );
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      "promotion of alpha@1.4.0 refused: the gates name 'acuracy', which alpha@1.4.0 does not have (its metrics: accuracy, auc); nothing changed",
    );
    expect((await reg.store.getVersion('alpha', '1.4.0'))?.status).toBe('VALIDATION');
  });

  test('a DEPRECATED version cannot be promoted: use rollback', async () => {
    const err = await rejection(lifecycle.promote({ model: 'alpha', version: '1.0.0', actor: 'ci' }));
    expect(err.code).toBe('ILLEGAL_TRANSITION');
    expect(err.message).toBe('cannot promote alpha@1.0.0: it is DEPRECATED (use rollback)');
  });

  test('a TRAINING version enters VALIDATION on its way to production', async () => {
    await reg.register('gamma', '1.0.0', { status: 'TRAINING' });
    await lifecycle.promote({ model: 'gamma', version: '1.0.0', actor: 'ci' });
    const statuses = (await reg.store.events('gamma', '1.0.0')).map((e) => e.toStatus);
    expect(statuses).toEqual(['TRAINING', 'VALIDATION', 'PRODUCTION']);
  });

  test('bad input fails at once with a message naming the field', async () => {
    const handle = await h.client.workflow.start(promoteModelContract.workflowType, {
      taskQueue: h.taskQueue,
      workflowId: promotionWorkflowId('bad-input'),
      args: [{ model: 'Bad/Name', version: '1', actor: '' }],
    });
    const err = await rejection(lifecycle['wait'](handle, 'promotion'));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('model: must not contain path separators');
    expect(err.message).toContain('version: must be a semantic version');
    expect(err.message).toContain('actor: must not be empty');
  });

  test('with approval required, the promotion waits, a second promotion of the model is refused, and approval completes it', async () => {
    await reg.register('delta', '1.0.0');
    await reg.register('delta', '1.1.0');
    const handle = await startAwaitingApproval('delta', '1.0.0', '2h');
    const second = await rejection(lifecycle.startPromotion({ model: 'delta', version: '1.1.0', actor: 'ci' }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toBe(
      'promotion of delta@1.1.0 refused: workflow promote-delta is already running; wait for it to end, or cancel it (temporal workflow cancel --workflow-id promote-delta)',
    );
    await lifecycle.approvePromotion('delta', { approved: true, approver: 'lead@example.com' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'PROMOTED', approvedBy: 'lead@example.com' });
    expect((await reg.store.productionVersion('delta'))?.version).toBe('1.0.0');
    // Approving again after the end, and approving a model whose promotion never started, say which it is.
    const late = await rejection(lifecycle.approvePromotion('delta', { approved: true, approver: 'lead@example.com' }));
    expect([late.code, late.message]).toEqual(['REFUSED', 'approval of the promotion of delta: it has already ended']);
    const none = await rejection(
      lifecycle.approvePromotion('never-promoted', { approved: true, approver: 'lead@example.com' }),
    );
    expect([none.code, none.message]).toEqual([
      'NOT_FOUND',
      'no promotion of never-promoted to approve: none was started (modelctl promote never-promoted <version> --require-approval <timeout>)',
    ]);
  });

  test('an approval that never comes fails the promotion after the timeout and leaves the candidate in VALIDATION', async () => {
    const err = await rejection(
      lifecycle.promote({ model: 'delta', version: '1.1.0', actor: 'ci', requireApproval: { timeout: '6h' } }),
    );
    expect(err.code).toBe('APPROVAL_TIMEOUT');
    expect(err.message).toMatch(/^promotion of delta@1\.1\.0 was not approved before .*; it stays in VALIDATION$/);
    expect((await reg.store.getVersion('delta', '1.1.0'))?.status).toBe('VALIDATION');
    expect((await reg.store.productionVersion('delta'))?.version).toBe('1.0.0');
  });

  test('a rollback that swaps while a promotion awaits approval makes the promotion refuse its swap, naming the rollback', async () => {
    await reg.register('epsilon', '1.0.0');
    await reg.register('epsilon', '1.1.0');
    await reg.register('epsilon', '1.2.0');
    await lifecycle.promote({ model: 'epsilon', version: '1.0.0', actor: 'ci' });
    await lifecycle.promote({ model: 'epsilon', version: '1.1.0', actor: 'ci' });
    const handle = await startAwaitingApproval('epsilon', '1.2.0', '30d');

    const rolled = await lifecycle.rollback({ model: 'epsilon', reason: 'latency regression', actor: 'ops' });
    expect([rolled.version, rolled.previousVersion]).toEqual(['1.0.0', '1.1.0']);
    await lifecycle.approvePromotion('epsilon', { approved: true, approver: 'lead@example.com' });

    const err = await rejection(
      handle.result().catch((e: unknown) => Promise.reject(fromTemporalError(e, 'promotion'))),
    );
    expect([err.code, err.message]).toEqual([
      'CONFLICT',
      'epsilon@1.2.0 not put in production: production of epsilon changed to 1.0.0 by workflow rollback-epsilon while workflow promote-epsilon ran (it expected 1.1.0); nothing changed, start it again to decide against the new production',
    ]);
    expect((await reg.store.productionVersion('epsilon'))?.version).toBe('1.0.0');
    expect((await reg.store.getVersion('epsilon', '1.2.0'))?.status).toBe('VALIDATION');
  });
});
