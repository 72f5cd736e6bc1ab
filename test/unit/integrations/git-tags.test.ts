import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, GIT_TAGS_OFF } from '../../../src/activities/create-activities';
import { rebuildHistoryFromGit, syncLifecycleTags, type GitHistory } from '../../../src/integrations';
import type { RegistryStore } from '../../../src/store/registry-store';
import { ModelRegistry } from '../../../src/client/model-registry';
import { writeFile } from 'node:fs/promises';
import { makeTempRepo, type TempRepo } from '../../helpers/git-repo';
import { createTestRegistry, type TestRegistry } from '../../helpers/registry-fixture';

/** The store's lifecycle in the shape rebuildHistoryFromGit gives, to compare the two. */
async function lifecycleFromStore(
  store: RegistryStore,
  model: string,
): Promise<{ versions: string[]; stages: unknown[] }> {
  const events = await store.events(model);
  return {
    versions: events
      .filter((e) => e.fromStatus === null)
      .map((e) => e.version)
      .sort(),
    stages: events
      .filter((e) => e.fromStatus !== null)
      .map((e) => ({
        version: e.version,
        status: e.toStatus,
        from: e.fromStatus,
        via: e.via,
        actor: e.actor,
        reason: e.reason,
        workflowId: e.workflowId,
      })),
  };
}

function lifecycleFromGit(history: GitHistory): { versions: string[]; stages: unknown[] } {
  return {
    versions: history.versions.map((v) => v.version).sort(),
    stages: history.stages.map((s) => ({
      version: s.version,
      status: s.status,
      from: s.from,
      via: s.via,
      actor: s.actor,
      reason: s.reason,
      workflowId: s.workflowId,
    })),
  };
}

async function sync(reg: TestRegistry, repoDir: string, model: string, push = false) {
  const versions = (await reg.store.listVersions(model)).map((v) => ({
    version: v.version,
    commit: v.git?.commit ?? null,
  }));
  return syncLifecycleTags({ repoDir, push }, model, versions, await reg.store.events(model));
}

/** Registers 1.0.0 and 1.1.0, promotes both in turn, then rolls back to 1.0.0 (all through the store). */
async function promoteThenRollBack(reg: TestRegistry, model: string): Promise<void> {
  await reg.register(model, '1.0.0');
  await reg.store.swapProduction({
    model,
    version: '1.0.0',
    via: 'PROMOTION',
    actor: 'ci@example.com',
    reason: 'first release',
    workflowId: `promote-${model}`,
  });
  await reg.register(model, '1.1.0');
  await reg.store.swapProduction({
    model,
    version: '1.1.0',
    via: 'PROMOTION',
    actor: 'ci@example.com',
    reason: null,
    workflowId: `promote-${model}`,
  });
  await reg.store.swapProduction({
    model,
    version: '1.0.0',
    via: 'ROLLBACK',
    actor: 'ops <on call>',
    reason: 'rollback: latency\nregression',
    workflowId: `rollback-${model}`,
  });
}

describe('lifecycle tags in a real Git repository', () => {
  let reg: TestRegistry;
  let repo: TempRepo;
  beforeEach(async () => {
    reg = await createTestRegistry();
    repo = await makeTempRepo();
    await repo.commit('train.py', 'print("v1")\n');
  });
  afterEach(async () => {
    await reg.close();
    await repo.cleanup();
  });

  test('registration, promotion and rollback give GTO-style tags, and the rebuilt lifecycle matches the store', async () => {
    await promoteThenRollBack(reg, 'fraud');
    const result = await sync(reg, repo.dir, 'fraud');
    expect(result).toEqual({
      // The store deprecates the old version before it promotes the new one, in the same transaction.
      created: [
        'fraud@v1.0.0',
        'fraud#production#1',
        'fraud@v1.1.0',
        'fraud#deprecated#2',
        'fraud#production#3',
        'fraud#deprecated#4',
        'fraud#production#5',
      ],
      existing: [],
      conflicts: [],
      pushedTo: null,
    });
    expect(repo.git('tag', '--list').trim().split('\n').sort()).toEqual([...result.created].sort());
    expect(repo.git('cat-file', '-t', 'fraud#production#5').trim()).toBe('tag'); // annotated

    const history = await rebuildHistoryFromGit(repo.dir, 'fraud');
    expect(lifecycleFromGit(history)).toEqual(await lifecycleFromStore(reg.store, 'fraud'));
    expect(history.stages.map((s) => `${s.n} ${s.stage} ${s.version}`)).toEqual([
      '1 production 1.0.0',
      '2 deprecated 1.0.0',
      '3 production 1.1.0',
      '4 deprecated 1.1.0',
      '5 production 1.0.0',
    ]);
    expect(history.stages[4]).toMatchObject({
      via: 'ROLLBACK',
      from: 'DEPRECATED',
      actor: 'ops <on call>',
      reason: 'rollback: latency\nregression',
      workflowId: 'rollback-fraud',
    });
    expect(history.versions.map((v) => [v.version, v.status, v.actor])).toEqual([
      ['1.0.0', 'VALIDATION', 'tester'],
      ['1.1.0', 'VALIDATION', 'tester'],
    ]);
  });

  test('the tag message names the actor and reason, and the tagger is the actor', async () => {
    await reg.register('fraud', '1.0.0');
    await reg.store.swapProduction({
      model: 'fraud',
      version: '1.0.0',
      via: 'PROMOTION',
      actor: 'ci@example.com',
      reason: 'first release',
      workflowId: 'promote-fraud',
    });
    await sync(reg, repo.dir, 'fraud');
    const message = repo.git('tag', '-l', '--format=%(contents)', 'fraud#production#1');
    expect(message).toContain('fraud: v1.0.0 VALIDATION -> production (PROMOTION)');
    expect(message).toContain('actor: "ci@example.com"');
    expect(message).toContain('reason: "first release"');
    expect(repo.git('tag', '-l', '--format=%(taggername) %(taggeremail)', 'fraud#production#1').trim()).toBe(
      'ci@example.com <ci@example.com>',
    );
  });

  test('a second sync (a retried activity) creates nothing and finds every tag', async () => {
    await promoteThenRollBack(reg, 'fraud');
    const first = await sync(reg, repo.dir, 'fraud');
    const tagsBefore = repo.git('show-ref', '--tags');
    const second = await sync(reg, repo.dir, 'fraud');
    expect(second).toEqual({ created: [], existing: first.created, conflicts: [], pushedTo: null });
    expect(repo.git('show-ref', '--tags')).toBe(tagsBefore);
  });

  /**
   * Runs `body` with a `git` first on PATH that runs `beforeTag` (a shell line, `$GIT` the real git) before the
   * real `git tag` of `name`: another writer acting between the sync's read of the tags and its write.
   */
  async function withGitBeforeTag(name: string, beforeTag: string, body: () => Promise<void>): Promise<void> {
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const dir = await mkdtemp(join(tmpdir(), 'modelctl-git-wrapper-'));
    const script = `#!/bin/sh\nGIT='${realGit}'\nif [ "$1" = tag ]; then for a in "$@"; do if [ "$a" = '${name}' ]; then ${beforeTag}; fi; done; fi\nexec "$GIT" "$@"\n`;
    await writeFile(join(dir, 'git'), script, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path ?? ''}`;
    try {
      await body();
    } finally {
      process.env.PATH = path;
      await rm(dir, { recursive: true, force: true });
    }
  }

  test('a stage tag number another writer takes between the read and the write goes to the next number', async () => {
    await reg.register('fraud', '1.0.0');
    await reg.store.swapProduction({
      model: 'fraud',
      version: '1.0.0',
      via: 'PROMOTION',
      actor: 'ci',
      workflowId: 'promote-fraud',
    });
    const other = `"$GIT" tag -a -m 'the other writer' 'fraud#production#1' HEAD`;
    await withGitBeforeTag('fraud#production#1', other, async () => {
      expect((await sync(reg, repo.dir, 'fraud')).created).toEqual(['fraud@v1.0.0', 'fraud#production#2']);
    });
    expect(repo.git('tag', '-l', '--format=%(contents:subject)', 'fraud#production#1').trim()).toBe('the other writer');
  });

  test('a failed stage tag write that leaves no such tag is an error, whatever Git says', async () => {
    await reg.register('fraud', '1.0.0');
    await reg.store.transition({ model: 'fraud', version: '1.0.0', to: 'FAILED', actor: 'ci', reason: 'gate failed' });
    const refuse = `echo "fatal: tag 'fraud#failed#1' already exists" >&2; exit 128`;
    await withGitBeforeTag('fraud#failed#1', refuse, async () => {
      await expect(sync(reg, repo.dir, 'fraud')).rejects.toThrow("fatal: tag 'fraud#failed#1' already exists");
    });
    expect(repo.git('tag', '--list').trim().split('\n')).toEqual(['fraud@v1.0.0']);
  });

  test('only the events missing from the repository are tagged, numbered after the existing ones', async () => {
    await reg.register('fraud', '1.0.0');
    await reg.store.swapProduction({
      model: 'fraud',
      version: '1.0.0',
      via: 'PROMOTION',
      actor: 'ci',
      workflowId: 'promote-fraud',
    });
    await sync(reg, repo.dir, 'fraud');
    await reg.register('fraud', '1.1.0');
    await reg.store.transition({ model: 'fraud', version: '1.1.0', to: 'FAILED', actor: 'ci', reason: 'gate failed' });
    const result = await sync(reg, repo.dir, 'fraud');
    expect(result.created).toEqual(['fraud@v1.1.0', 'fraud#failed#2']);
    expect(result.existing).toEqual(['fraud@v1.0.0', 'fraud#production#1']);
  });

  test('a dirty working tree and a detached HEAD still get tags, and neither is touched', async () => {
    const first = repo.git('rev-parse', 'HEAD').trim();
    await repo.commit('train.py', 'print("v2")\n');
    repo.git('checkout', '-q', '--detach', first);
    await repo.write('train.py', 'print("uncommitted")\n');
    await repo.write('notes.txt', 'untracked\n');
    const status = repo.git('status', '--porcelain');
    await reg.register('fraud', '1.0.0');
    const result = await sync(reg, repo.dir, 'fraud');
    expect(result.created).toEqual(['fraud@v1.0.0']);
    expect(repo.git('rev-parse', 'fraud@v1.0.0^{commit}').trim()).toBe(first);
    expect(repo.git('status', '--porcelain')).toBe(status);
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(first);
  });

  test('a version tag goes on the commit captured at registration when the repository has it', async () => {
    const trainedAt = repo.git('rev-parse', 'HEAD').trim();
    await repo.commit('train.py', 'print("later")\n');
    const v = await reg.register('fraud', '1.0.0');
    await sync(reg, repo.dir, 'fraud');
    expect(repo.git('rev-parse', 'fraud@v1.0.0^{commit}').trim()).not.toBe(trainedAt); // no capture: HEAD
    const versions = [{ version: v.version, commit: trainedAt }];
    await reg.register('fraud', '1.1.0');
    const events = await reg.store.events('fraud');
    await syncLifecycleTags(
      { repoDir: repo.dir },
      'fraud',
      [...versions, { version: '1.1.0', commit: trainedAt }],
      events,
    );
    expect(repo.git('rev-parse', 'fraud@v1.1.0^{commit}').trim()).toBe(trainedAt);
  });

  test('a version tag made by hand on another commit is left alone and reported as a conflict', async () => {
    const trainedAt = repo.git('rev-parse', 'HEAD').trim();
    await repo.commit('train.py', 'print("other")\n');
    repo.git('tag', 'fraud@v1.0.0');
    await reg.register('fraud', '1.0.0');
    const result = await syncLifecycleTags(
      { repoDir: repo.dir },
      'fraud',
      [{ version: '1.0.0', commit: trainedAt }],
      await reg.store.events('fraud'),
    );
    expect(result.conflicts).toEqual(['fraud@v1.0.0']);
    expect(result.created).toEqual([]);
  });

  test('with push, the tags reach a bare remote, and pushing again is a no-op', async () => {
    const remote = await mkdtemp(join(tmpdir(), 'modelctl-remote-'));
    try {
      execFileSync('git', ['init', '-q', '--bare', remote]);
      repo.git('remote', 'add', 'origin', remote);
      await promoteThenRollBack(reg, 'fraud');
      const first = await sync(reg, repo.dir, 'fraud', true);
      expect(first.pushedTo).toBe('origin');
      const remoteTags = () => execFileSync('git', ['ls-remote', '--tags', remote]).toString();
      const pushed = remoteTags();
      expect(
        pushed
          .split('\n')
          .filter((l) => l !== '' && !l.endsWith('^{}'))
          .map((l) => l.split('\trefs/tags/')[1])
          .sort(),
      ).toEqual([...first.created].sort());
      expect(pushed).toBe(repo.git('ls-remote', '--tags', 'origin'));
      const second = await sync(reg, repo.dir, 'fraud', true);
      expect(second.created).toEqual([]);
      expect(remoteTags()).toBe(pushed);
    } finally {
      await rm(remote, { recursive: true, force: true });
    }
  });

  test('a directory that is not a repository, or a repository without commits, is a configuration error', async () => {
    const plain = await mkdtemp(join(tmpdir(), 'modelctl-plain-'));
    const empty = await makeTempRepo();
    try {
      await reg.register('fraud', '1.0.0');
      await expect(sync(reg, plain, 'fraud')).rejects.toMatchObject({
        code: 'CONFIGURATION',
        message: `MODELCTL_GIT_REPO ${plain} is not a Git repository`,
      });
      await expect(sync(reg, empty.dir, 'fraud')).rejects.toMatchObject({
        code: 'CONFIGURATION',
        message: `Git repository ${empty.dir} has no commit to tag`,
      });
    } finally {
      await rm(plain, { recursive: true, force: true });
      await empty.cleanup();
    }
  });

  test('tags of another model with a common prefix are not read as this model', async () => {
    await reg.register('fraud', '1.0.0');
    await reg.register('fraud-v2', '1.0.0');
    await reg.store.swapProduction({
      model: 'fraud-v2',
      version: '1.0.0',
      via: 'PROMOTION',
      actor: 'ci',
      workflowId: 'promote-fraud-v2',
    });
    await sync(reg, repo.dir, 'fraud-v2');
    expect((await sync(reg, repo.dir, 'fraud')).created).toEqual(['fraud@v1.0.0']);
    const history = await rebuildHistoryFromGit(repo.dir, 'fraud');
    expect(history.versions.map((v) => v.tag)).toEqual(['fraud@v1.0.0']);
    expect(history.stages).toEqual([]);
  });

  test('the tagInGit activity without a repository writes nothing and says Git tags are off', async () => {
    await reg.register('fraud', '1.0.0');
    const activities = createActivities({ store: reg.store, artifacts: reg.artifacts });
    expect(await activities.tagInGit({ model: 'fraud' })).toEqual({
      status: 'SKIPPED',
      reason: GIT_TAGS_OFF,
      created: [],
      existing: [],
      conflicts: [],
      pushedTo: null,
    });
    expect(repo.git('tag', '--list')).toBe('');
  });

  test('the tagInGit activity with a repository tags the store lifecycle', async () => {
    await promoteThenRollBack(reg, 'fraud');
    const activities = createActivities({ store: reg.store, artifacts: reg.artifacts, gitRepo: repo.dir });
    const outcome = await activities.tagInGit({ model: 'fraud' });
    expect(outcome.status).toBe('TAGGED');
    expect(outcome.created).toHaveLength(7);
    expect((await activities.tagInGit({ model: 'fraud' })).created).toEqual([]);
  });

  test('registering through ModelRegistry with a repository writes the version tag on the captured commit', async () => {
    const head = repo.git('rev-parse', 'HEAD').trim();
    await repo.write('train.py', 'print("dirty")\n'); // a dirty tree is still tagged
    const registry = new ModelRegistry({ store: reg.store, artifacts: reg.artifacts, gitTags: { repoDir: repo.dir } });
    const artifact = join(reg.dir, 'weights.bin');
    await writeFile(artifact, 'weights');
    await registry.registerVersion({
      model: 'churn',
      version: '2.0.0',
      artifactPath: artifact,
      author: 'alice',
      gitDir: repo.dir,
    });
    expect(repo.git('rev-parse', 'churn@v2.0.0^{commit}').trim()).toBe(head);
    expect(repo.git('tag', '-l', '--format=%(contents:subject)', 'churn@v2.0.0').trim()).toBe(
      'churn: register v2.0.0 (VALIDATION)',
    );
  });
});
