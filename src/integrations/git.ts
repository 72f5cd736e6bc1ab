import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { GitCapture } from '../domain/model-version';

/**
 * Captures the state of the Git repository that holds `dir` (the training code), for a model version's lineage.
 *
 * - `commit`: full sha of HEAD; `branch`: its short name, null when HEAD is detached (then `detached` is true).
 * - `dirty`: tracked files differ from HEAD (staged or not); untracked files do not count.
 *   `diffSha256`: lowercase hex sha256 of the text of `git diff HEAD --binary` when dirty, else null, so two dirty
 *   states of one commit can be told apart.
 * - `remote`: URL of `origin`, else of the first remote by name, with credentials stripped
 *   (see {@link stripCredentials}); null without remotes.
 *
 * Read-only: `status` runs with --no-optional-locks, so the capture never takes the index lock of a repository in
 * use; Git runs with a minimal environment (PATH, HOME, locale), so a caller's GIT_DIR or pager settings do not leak in.
 * @param dir any directory inside the working tree.
 * @returns `{ info, reason: null }`, or `{ info: null, reason }` when `dir` is not a directory, not inside a
 *   working tree, or the repository has no commits. Never throws for those; a failing `git` binary does throw.
 */
export async function captureGit(dir: string): Promise<GitCapture> {
  const path = resolve(dir);
  if (!(await isDirectory(path))) return { info: null, reason: `not a directory: ${path}` };
  const git = simpleGit({ baseDir: path }).env(gitEnvironment());
  if (!(await git.checkIsRepo())) return { info: null, reason: `not a Git repository: ${path}` };

  // `--verify -q` prints nothing (and exits 1) when HEAD does not resolve, i.e. before the first commit.
  const commit = (await git.raw(['rev-parse', '--verify', '-q', 'HEAD^{commit}'])).trim();
  if (commit === '') return { info: null, reason: `Git repository at ${path} has no commits` };

  const branch = (await git.raw(['symbolic-ref', '-q', '--short', 'HEAD'])).trim() || null;
  // status would refresh and rewrite the index of a repository that may be in use.
  const tracked = await git.raw(['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no']);
  const dirty = tracked.trim() !== '';
  const diffSha256 = dirty
    ? createHash('sha256')
        .update(await git.raw(['diff', 'HEAD', '--binary', '--no-ext-diff', '--no-color']))
        .digest('hex')
    : null;
  return {
    info: { commit, branch, dirty, diffSha256, detached: branch === null, remote: await remoteUrl(git) },
    reason: null,
  };
}

/**
 * A small environment for read-only Git commands: enough to find `git` and the user's configuration, without
 * a caller's GIT_DIR, editors or pagers (simple-git refuses the latter).
 */
export function gitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'XDG_CONFIG_HOME', 'LANG', 'LC_ALL', 'SYSTEMROOT']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

async function remoteUrl(git: SimpleGit): Promise<string | null> {
  const remotes = await git.getRemotes(true);
  if (remotes.length === 0) return null;
  const chosen = remotes.find((r) => r.name === 'origin') ?? [...remotes].sort((a, b) => (a.name < b.name ? -1 : 1))[0];
  const url = chosen?.refs.fetch || chosen?.refs.push;
  return url ? stripCredentials(url) : null;
}

const SSH_SCHEMES = new Set(['ssh:', 'git+ssh:', 'ssh+git:']);
/** scp-like SSH address `user[:secret]@host:path`; the part before the first `:` has no slash. */
const SCP_LIKE = /^([^@/:]+)(?::[^@/]*)?@([^@/:]+):(.*)$/;

/**
 * Removes secrets from a Git remote URL, keeping what identifies the repository.
 * - `https://user:token@host/org/repo.git` or `https://token@host/…` → `https://host/org/repo.git`; a query string
 *   (sometimes `?private_token=…`) and a fragment are dropped too. The same for http, ftp(s) and git:// URLs.
 * - `ssh://git:secret@host:22/org/repo.git` → `ssh://git@host:22/org/repo.git`: the SSH user name is part of the
 *   address, not a secret; a password is removed.
 * - `git@host:org/repo.git` (scp-like) stays as is; `user:secret@host:path` loses `:secret`.
 * - Local paths and file:// URLs are returned unchanged.
 */
export function stripCredentials(remote: string): string {
  const value = remote.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
    }
    if (url.protocol === 'file:') return value;
    url.password = '';
    if (!SSH_SCHEMES.has(url.protocol)) {
      url.username = '';
      url.search = '';
      url.hash = '';
    }
    return url.toString();
  }
  const scp = SCP_LIKE.exec(value);
  if (scp) return `${scp[1]}@${scp[2]}:${scp[3]}`;
  return value;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
