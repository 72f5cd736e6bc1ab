import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { captureGit, stripCredentials } from '../../../src/integrations';
import { makeTempRepo, type TempRepo } from '../../helpers/git-repo';

describe('captureGit on real repositories', () => {
  let repo: TempRepo;
  afterEach(async () => {
    await repo.cleanup();
  });

  test('a clean repository on a branch gives commit, branch, clean state and the origin URL without credentials', async () => {
    repo = await makeTempRepo();
    await repo.commit('train.py', 'print("v1")\n');
    const head = await repo.commit('train.py', 'print("v2")\n');
    repo.git('remote', 'add', 'origin', 'https://ci-bot:ghp_secret123@github.com/acme/fraud-model.git');

    expect(await captureGit(repo.dir)).toEqual({
      info: {
        commit: head,
        branch: 'main',
        dirty: false,
        diffSha256: null,
        detached: false,
        remote: 'https://github.com/acme/fraud-model.git',
      },
      reason: null,
    });
  });

  test('a subdirectory of the working tree captures the enclosing repository', async () => {
    repo = await makeTempRepo();
    const head = await repo.commit('train.py', 'x\n');
    await mkdir(join(repo.dir, 'src', 'models'), { recursive: true });

    const capture = await captureGit(join(repo.dir, 'src', 'models'));
    expect(capture.info?.commit).toBe(head);
  });

  test('tracked changes make it dirty with the sha256 of `git diff HEAD`; different edits give different hashes', async () => {
    repo = await makeTempRepo();
    await repo.commit('train.py', 'lr = 0.1\n');
    await repo.write('train.py', 'lr = 0.01\n');
    const first = await captureGit(repo.dir);
    const diff = repo.git('diff', 'HEAD', '--binary');

    expect(first.info?.dirty).toBe(true);
    expect(first.info?.diffSha256).toBe(createHash('sha256').update(diff).digest('hex'));

    await repo.write('train.py', 'lr = 0.001\n');
    const second = await captureGit(repo.dir);
    expect(second.info?.dirty).toBe(true);
    expect(second.info?.diffSha256).not.toBe(first.info?.diffSha256);
  });

  test('a staged change counts as dirty', async () => {
    repo = await makeTempRepo();
    await repo.commit('train.py', 'a\n');
    await repo.write('train.py', 'b\n');
    repo.git('add', 'train.py');

    const capture = await captureGit(repo.dir);
    expect(capture.info?.dirty).toBe(true);
    expect(capture.info?.diffSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('untracked files alone leave it clean', async () => {
    repo = await makeTempRepo();
    await repo.commit('train.py', 'a\n');
    await repo.write('notes.txt', 'scratch\n');

    const capture = await captureGit(repo.dir);
    expect(capture.info?.dirty).toBe(false);
    expect(capture.info?.diffSha256).toBeNull();
  });

  test('a detached HEAD gives branch null and detached true', async () => {
    repo = await makeTempRepo();
    const first = await repo.commit('train.py', 'a\n');
    await repo.commit('train.py', 'b\n');
    repo.git('checkout', '-q', '--detach', first);

    const capture = await captureGit(repo.dir);
    expect(capture.info).toEqual({
      commit: first,
      branch: null,
      dirty: false,
      diffSha256: null,
      detached: true,
      remote: null,
    });
  });

  test('without origin the first remote by name is used, credentials stripped', async () => {
    repo = await makeTempRepo();
    await repo.commit('train.py', 'a\n');
    repo.git('remote', 'add', 'upstream', 'https://upstream.example.com/train.git');
    repo.git('remote', 'add', 'backup', 'https://deploy:s3cr3t@backup.example.com/train.git');

    expect((await captureGit(repo.dir)).info?.remote).toBe('https://backup.example.com/train.git');
  });

  test('a repository with no commits records null with the reason', async () => {
    repo = await makeTempRepo();
    await repo.write('train.py', 'a\n');
    expect(await captureGit(repo.dir)).toEqual({ info: null, reason: `Git repository at ${repo.dir} has no commits` });
  });

  test('a directory that is not a repository records null with the reason', async () => {
    repo = await makeTempRepo({ init: false });
    expect(await captureGit(repo.dir)).toEqual({ info: null, reason: `not a Git repository: ${repo.dir}` });
  });

  test('a path that does not exist records null with the reason', async () => {
    repo = await makeTempRepo({ init: false });
    const missing = join(repo.dir, 'gone');
    expect(await captureGit(missing)).toEqual({ info: null, reason: `not a directory: ${missing}` });
  });
});

describe('stripCredentials', () => {
  test.each([
    ['https://user:token@github.com/acme/train.git', 'https://github.com/acme/train.git'],
    ['https://ghp_token@github.com/acme/train.git', 'https://github.com/acme/train.git'],
    ['https://gitlab.example.com/acme/train.git?private_token=abc#x', 'https://gitlab.example.com/acme/train.git'],
    ['http://u:p@git.internal:8080/train', 'http://git.internal:8080/train'],
    ['git://u:p@host/train.git', 'git://host/train.git'],
    ['ssh://git:password@host:2222/acme/train.git', 'ssh://git@host:2222/acme/train.git'],
    ['ssh://git@host/acme/train.git', 'ssh://git@host/acme/train.git'],
    ['git@github.com:acme/train.git', 'git@github.com:acme/train.git'],
    ['deploy:secret@host:acme/train.git', 'deploy@host:acme/train.git'],
    ['/srv/git/train.git', '/srv/git/train.git'],
    ['file:///srv/git/train.git', 'file:///srv/git/train.git'],
    ['https://github.com/acme/train.git', 'https://github.com/acme/train.git'],
  ])('%s → %s', (input, expected) => {
    expect(stripCredentials(input)).toBe(expected);
  });
});
