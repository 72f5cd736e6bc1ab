import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities } from '../../../src/activities/create-activities';
import { LifecycleClient } from '../../../src/client/lifecycle-client';
import { WandbClient } from '../../../src/integrations/wandb';
import { WORKFLOWS_PATH } from '../../../src/worker/registry-worker';
import { startFakeWandb, type FakeWandb } from '../../helpers/fake-wandb';
import { createTimeSkippingHarness, type TemporalHarness } from '../../helpers/temporal';
import { createTestRegistry, type TestRegistry } from '../../helpers/registry-fixture';

describe('W&B notes written by the workflows (time-skipping server, local W&B endpoints)', () => {
  let reg: TestRegistry;
  let server: FakeWandb;
  let outbox: string;
  let h: TemporalHarness;
  let lifecycle: LifecycleClient;
  beforeAll(async () => {
    reg = await createTestRegistry();
    server = await startFakeWandb();
    outbox = mkdtempSync(join(tmpdir(), 'modelctl-wandb-outbox-'));
    const wandb = new WandbClient({
      mode: 'online',
      apiKey: 'key',
      project: 'registry',
      baseUrl: server.url,
      dir: outbox,
    });
    h = await createTimeSkippingHarness({
      workflowsPath: WORKFLOWS_PATH,
      activities: createActivities({ store: reg.store, artifacts: reg.artifacts, wandb }),
    });
    lifecycle = new LifecycleClient(h.client, h.taskQueue);
  });
  afterAll(async () => {
    await h?.teardown();
    await server?.close();
    await reg?.close();
    rmSync(outbox, { recursive: true, force: true });
  });

  test('a promotion mirrors the training experiment as one run with its history, a note, and the run id on the experiment', async () => {
    const exp = await reg.store.createExperiment({
      id: 'train-digits-1',
      name: 'digits training',
      type: 'TRAINING',
      config: { lr: 0.01 },
      tags: ['digits'],
    });
    await reg.store.logMetrics(exp.id, [
      { key: 'loss', value: 1.5, step: 0 },
      { key: 'loss', value: 0.5, step: 1 },
      { key: 'accuracy', value: 0.93, step: 1 },
    ]);
    await reg.store.updateExperiment(exp.id, { status: 'COMPLETED', summary: { accuracy: 0.93 } });
    const v = await reg.register('digits', '1.0.0');
    await reg.store.createVersion({
      model: 'digits',
      version: '1.1.0',
      artifact: v.artifact,
      config: {},
      metrics: {},
      experimentId: exp.id,
      git: null,
      gitReason: 'none',
      author: 'tester',
    });

    const result = await lifecycle.promote({
      model: 'digits',
      version: '1.1.0',
      actor: 'ci',
      reason: 'better accuracy',
    });
    expect(result.warnings).toEqual([]);
    const runId = (await reg.store.getExperiment(exp.id))!.externalIds.wandb!;
    expect(runId).toMatch(/^mc[0-9a-f]{14}$/);
    const run = server.runs.get(runId)!;
    expect(run).toMatchObject({
      project: 'registry',
      inserts: 1,
      displayName: 'digits training',
      tags: ['modelctl', 'digits'],
      complete: true,
      exitcode: 0,
    });
    expect(run.history).toEqual([
      { loss: 1.5, _step: 0 },
      { loss: 0.5, accuracy: 0.93, _step: 1 },
    ]);
    expect(run.notes).toBe('digits: promoted 1.1.0 by ci: better accuracy [promote-digits]');
    expect(run.summary).toMatchObject({ accuracy: 0.93, 'digits/production_version': '1.1.0' });
  });

  test('with W&B down, promotion and rollback still happen; the failure is retried, then a warning in the result and on the experiment', async () => {
    const url = server.url;
    await server.close();
    const down = new RegExp(`^W&B mirroring failed: W&B at ${url.replace(/\./g, '\\.')}/graphql cannot be reached`);
    try {
      const promoted = await lifecycle.promote({ model: 'digits', version: '1.0.0', actor: 'ci' });
      expect(promoted.outcome).toBe('PROMOTED');
      expect(promoted.warnings).toEqual([expect.stringMatching(down)]);
      // 1.0.0 has no experiment: the warning is in the result only
      expect((await reg.store.getExperiment('train-digits-1'))!.warnings).toEqual([]);

      const rolledBack = await lifecycle.rollback({
        model: 'digits',
        toVersion: '1.1.0',
        reason: 'regression',
        actor: 'ops',
      });
      expect(rolledBack.version).toBe('1.1.0');
      expect(rolledBack.warnings).toEqual([expect.stringMatching(down)]);
      expect((await reg.store.productionVersion('digits'))?.version).toBe('1.1.0');
      expect((await reg.store.getExperiment('train-digits-1'))!.warnings).toEqual(rolledBack.warnings);
    } finally {
      server = await startFakeWandb();
    }
  });
});
