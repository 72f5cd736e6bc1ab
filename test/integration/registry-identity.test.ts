import { LifecycleClient } from '../../src/client/lifecycle-client';
import { openStore } from '../../src/store';
import { REGISTRY_ID_PATTERN } from '../../src/domain/registry-identity';
import { createTestRegistry, type TestRegistry } from '../helpers/registry-fixture';
import { BACKENDS, freshLocation } from '../helpers/store';
import { rejection, useWorkflowSuite } from '../helpers/workflow-suite';

describe.each(BACKENDS)('registry identity on %s', (backend) => {
  test('is made with the registry, stays the same on every open, and differs between registries', async () => {
    const a = await freshLocation(backend);
    const b = await freshLocation(backend);
    try {
      const first = await openStore(a.config);
      const id = await first.registryId();
      await first.close();
      expect(id).toMatch(REGISTRY_ID_PATTERN);
      const again = await openStore(a.config);
      expect(await again.registryId()).toBe(id);
      await again.close();
      const other = await openStore(b.config);
      expect(await other.registryId()).not.toBe(id);
      await other.close();
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});

describe("a workflow of another registry on this registry's worker", () => {
  // The suite's worker serves registry A (its store, its activities, its registry check).
  const suite = useWorkflowSuite();
  let other: TestRegistry;
  let foreign: LifecycleClient;
  let ownId: string;
  let otherId: string;
  beforeAll(async () => {
    other = await createTestRegistry();
    ownId = await suite.reg.store.registryId();
    otherId = await other.store.registryId();
    // The same model and version in both registries: the case where a wrong-registry write would go unnoticed.
    await suite.reg.register('fraud', '1.0.0');
    await suite.reg.register('fraud', '1.1.0');
    await other.register('fraud', '1.0.0');
    foreign = new LifecycleClient(suite.h.client, suite.h.taskQueue, otherId);
  });
  afterAll(() => other?.close());

  const refusal = (activity: string) =>
    `registry mismatch: this workflow belongs to registry ${otherId}, but the worker that picked up its activity ` +
    `${activity} serves registry ${ownId}; nothing was changed (run each registry's workers on a task queue or ` +
    'Temporal server of its own)';

  test('a promotion fails at its first activity, non-retryably, naming both registries, and neither changes', async () => {
    const err = await rejection(foreign.promote({ model: 'fraud', version: '1.0.0', actor: 'ci' }));
    expect([err.code, err.message]).toEqual(['CONFLICT', refusal('getPromotionContext')]);
    expect((await suite.reg.store.getVersion('fraud', '1.0.0'))?.status).toBe('VALIDATION');
    expect((await other.store.getVersion('fraud', '1.0.0'))?.status).toBe('VALIDATION');
    expect(await suite.reg.store.events('fraud')).toHaveLength(2);
  });

  test("the same promotion with this registry's identity runs", async () => {
    const result = await suite.lifecycle.promote({ model: 'fraud', version: '1.0.0', actor: 'ci' });
    expect([result.model, result.version]).toEqual(['fraud', '1.0.0']);
    expect((await suite.reg.store.getVersion('fraud', '1.0.0'))?.status).toBe('PRODUCTION');
    expect((await other.store.getVersion('fraud', '1.0.0'))?.status).toBe('VALIDATION');
  });

  test('a rollback and an A/B test of the other registry are refused the same way', async () => {
    await suite.lifecycle.promote({ model: 'fraud', version: '1.1.0', actor: 'ci' });
    const rollback = await rejection(foreign.rollback({ model: 'fraud', reason: 'incident', actor: 'ops' }));
    expect(rollback.code).toBe('CONFLICT');
    expect(rollback.message).toMatch(/^registry mismatch: this workflow belongs to registry /);
    expect((await suite.reg.store.productionVersion('fraud'))?.version).toBe('1.1.0');
    const handle = await foreign.startAbTest({
      id: 'fraud-ab',
      model: 'fraud',
      control: '1.0.0',
      treatment: '1.1.0',
      duration: '1h',
    });
    const ab = await rejection(foreign.wait(handle, 'A/B test fraud-ab'));
    expect(ab.code).toBe('CONFLICT');
    expect(ab.message).toMatch(/^registry mismatch: this workflow belongs to registry /);
    expect(await suite.reg.store.getAbTest('fraud-ab')).toBeNull();
  });
});
