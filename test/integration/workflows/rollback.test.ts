import { writeFileSync, chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LifecycleClient } from '../../../src/client/lifecycle-client';
import type { TestRegistry } from '../../helpers/registry-fixture';
import { rejection, useWorkflowSuite } from '../../helpers/workflow-suite';

describe('rollback on the time-skipping server', () => {
  const suite = useWorkflowSuite();
  let reg: TestRegistry;
  let lifecycle: LifecycleClient;
  beforeAll(() => ({ reg, lifecycle } = suite));
  beforeAll(async () => {
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await reg.register('fraud', v);
    await lifecycle.promote({ model: 'fraud', version: '1.0.0', actor: 'ci' });
    await lifecycle.promote({ model: 'fraud', version: '1.1.0', actor: 'ci' });
    await reg.store.transition({ model: 'fraud', version: '1.2.0', to: 'FAILED', actor: 'ci', reason: 'bad eval' });
  });

  test('a rollback that names a FAILED version is refused and production stays', async () => {
    const err = await rejection(
      lifecycle.rollback({ model: 'fraud', toVersion: '1.2.0', reason: 'try', actor: 'ops' }),
    );
    expect(err.code).toBe('REFUSED');
    expect(err.message).toBe(
      'cannot roll fraud back to 1.2.0: it is FAILED; only versions that were in production or passed validation (DEPRECATED, VALIDATION) qualify',
    );
    expect((await reg.store.productionVersion('fraud'))?.version).toBe('1.1.0');
  });

  test('a rollback to the current production version is refused', async () => {
    const err = await rejection(
      lifecycle.rollback({ model: 'fraud', toVersion: '1.1.0', reason: 'noop', actor: 'ops' }),
    );
    expect(err.message).toBe('cannot roll fraud back to 1.1.0: it is the current production version');
  });

  test('a rollback to a version that does not exist is refused', async () => {
    const err = await rejection(
      lifecycle.rollback({ model: 'fraud', toVersion: '9.9.9', reason: 'typo', actor: 'ops' }),
    );
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('cannot roll fraud back to 9.9.9: no such version');
  });

  test('a target whose artifact was tampered with is refused and production is unchanged', async () => {
    const target = await reg.store.getVersion('fraud', '1.0.0');
    const path = fileURLToPath(target!.artifact.uri);
    chmodSync(path, 0o644);
    const original = 'fraud@1.0.0 weights';
    writeFileSync(path, 'fraud@1.0.0 weightz');
    const err = await rejection(lifecycle.rollback({ model: 'fraud', reason: 'incident 42', actor: 'ops' }));
    expect(err.code).toBe('ARTIFACT_INVALID');
    expect(err.message).toMatch(/^cannot roll fraud back to 1\.0\.0: .*sha256.*; production is unchanged \(1\.1\.0\)$/);
    expect((await reg.store.productionVersion('fraud'))?.version).toBe('1.1.0');
    writeFileSync(path, original);
  });

  test('by default the previous production version comes back, with reason and actor in the audit trail', async () => {
    const result = await lifecycle.rollback({ model: 'fraud', reason: 'latency regression', actor: 'ops@example.com' });
    expect(result).toEqual({
      model: 'fraud',
      version: '1.0.0',
      previousVersion: '1.1.0',
      reason: 'latency regression',
      actor: 'ops@example.com',
      workflowId: 'rollback-fraud',
      warnings: [],
    });
    expect((await reg.store.getVersion('fraud', '1.0.0'))?.status).toBe('PRODUCTION');
    expect((await reg.store.getVersion('fraud', '1.1.0'))?.status).toBe('DEPRECATED');
    const events = (await reg.store.events('fraud')).slice(-2);
    expect(events.map((e) => [e.version, e.fromStatus, e.toStatus, e.actor, e.reason, e.workflowId])).toEqual([
      [
        '1.1.0',
        'PRODUCTION',
        'DEPRECATED',
        'ops@example.com',
        'replaced by 1.0.0: rollback: latency regression',
        'rollback-fraud',
      ],
      ['1.0.0', 'DEPRECATED', 'PRODUCTION', 'ops@example.com', 'rollback: latency regression', 'rollback-fraud'],
    ]);
  });

  test('with no earlier production version there is nothing to roll back to', async () => {
    await reg.register('solo', '1.0.0');
    await lifecycle.promote({ model: 'solo', version: '1.0.0', actor: 'ci' });
    const err = await rejection(lifecycle.rollback({ model: 'solo', reason: 'panic', actor: 'ops' }));
    expect(err.code).toBe('REFUSED');
    expect(err.message).toBe(
      'solo has no previous production version to roll back to; name one with toVersion (modelctl rollback --to)',
    );
  });

  test('a reason is required', async () => {
    const err = await rejection(lifecycle.rollback({ model: 'fraud', reason: ' ', actor: 'ops' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('invalid rollback: reason: a rollback needs a reason');
  });
});
