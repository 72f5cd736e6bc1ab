import { execFileSync } from 'node:child_process';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities } from '../../../src/activities/create-activities';
import { LifecycleClient } from '../../../src/client/lifecycle-client';
import { rebuildHistoryFromGit } from '../../../src/integrations';
import { WORKFLOWS_PATH } from '../../../src/worker/registry-worker';
import { makeTempRepo, type TempRepo } from '../../helpers/git-repo';
import { createTimeSkippingHarness, type TemporalHarness } from '../../helpers/temporal';
import { createTestRegistry, type TestRegistry } from '../../helpers/registry-fixture';
import { promotionWorkflowId } from '../../../src/workflows/promote-model.contract';

describe('lifecycle tags written by the workflows (time-skipping server)', () => {
  let reg: TestRegistry;
  let repo: TempRepo;
  let remote: string;
  let h: TemporalHarness;
  let lifecycle: LifecycleClient;
  beforeAll(async () => {
    reg = await createTestRegistry();
    repo = await makeTempRepo();
    await repo.commit('train.py', 'print("v1")\n');
    remote = join(await mkdtemp(join(tmpdir(), 'modelctl-remote-')), 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    repo.git('remote', 'add', 'origin', remote);
    const activities = createActivities({
      store: reg.store,
      artifacts: reg.artifacts,
      gitRepo: repo.dir,
      gitPush: true,
    });
    h = await createTimeSkippingHarness({ workflowsPath: WORKFLOWS_PATH, activities });
    lifecycle = new LifecycleClient(h.client, h.taskQueue);
  });
  afterAll(async () => {
    await h?.teardown();
    await reg?.close();
    await repo?.cleanup();
    await rm(join(remote, '..'), { recursive: true, force: true });
  });

  test('promote, promote, roll back: the tags pushed to the remote rebuild the lifecycle the store holds', async () => {
    await reg.register('fraud', '1.0.0');
    await reg.register('fraud', '1.1.0');
    expect(
      (await lifecycle.promote({ model: 'fraud', version: '1.0.0', actor: 'ci', reason: 'first release' })).warnings,
    ).toEqual([]);
    expect((await lifecycle.promote({ model: 'fraud', version: '1.1.0', actor: 'ci' })).warnings).toEqual([]);
    expect((await lifecycle.rollback({ model: 'fraud', reason: 'latency regression', actor: 'ops' })).warnings).toEqual(
      [],
    );

    const clone = await mkdtemp(join(tmpdir(), 'modelctl-clone-'));
    try {
      execFileSync('git', ['clone', '-q', remote, clone]);
      const history = await rebuildHistoryFromGit(clone, 'fraud');
      const events = await reg.store.events('fraud');
      expect(history.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
      expect(history.stages.map((s) => [s.n, s.version, s.status, s.via, s.actor, s.reason, s.workflowId])).toEqual(
        events
          .filter((e) => e.fromStatus !== null)
          .map((e, i) => [i + 1, e.version, e.toStatus, e.via, e.actor, e.reason, e.workflowId]),
      );
      expect(history.stages.map((s) => s.tag)).toEqual([
        'fraud#production#1',
        'fraud#deprecated#2',
        'fraud#production#3',
        'fraud#deprecated#4',
        'fraud#production#5',
      ]);
      expect(history.stages[4]).toMatchObject({
        version: '1.0.0',
        via: 'ROLLBACK',
        reason: 'rollback: latency regression',
        workflowId: 'rollback-fraud',
      });
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });

  test('a remote that stays unreachable is retried, then reported as a warning; the promotion stands and the tags are local', async () => {
    await reg.register('churn', '1.0.0');
    const away = `${remote}.away`;
    await rename(remote, away);
    try {
      const result = await lifecycle.promote({ model: 'churn', version: '1.0.0', actor: 'ci' });
      expect(result.outcome).toBe('PROMOTED');
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/^Git tagging failed: .*origin\.git/s);
      expect((await reg.store.productionVersion('churn'))?.version).toBe('1.0.0');
      expect(repo.git('tag', '--list', 'churn*').trim().split('\n')).toEqual(['churn#production#1', 'churn@v1.0.0']);
      const history = await h.client.workflow.getHandle(promotionWorkflowId('churn')).fetchHistory();
      const events = history.events ?? [];
      const tagging = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'tagInGit');
      const started = events.find(
        (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(tagging?.eventId),
      );
      expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(5); // the side-effect retry cap
    } finally {
      await rename(away, remote);
    }
  });
});
