/** Real Git repositories in temp dirs for tests, independent of the user's Git configuration. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
};

/** A temp directory and a `git` runner inside it. */
export interface TempRepo {
  dir: string;
  /** Runs git in the repository and returns its stdout. */
  git(...args: string[]): string;
  write(file: string, content: string): Promise<void>;
  /** Writes `file` and commits it; returns the new commit's sha. */
  commit(file: string, content: string, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** A temp directory; `init` makes it a repository with branch `main` and no commits. */
export async function makeTempRepo(options: { init?: boolean } = {}): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'modelctl-git-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: ENV }).toString();
  if (options.init ?? true) git('init', '-q', '-b', 'main');
  const repo: TempRepo = {
    dir,
    git,
    write: (file, content) => writeFile(join(dir, file), content),
    commit: async (file, content, message = `change ${file}`) => {
      await repo.write(file, content);
      git('add', file);
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return repo;
}
