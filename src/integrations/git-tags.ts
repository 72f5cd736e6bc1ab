import { resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { ErrorCode, ModelctlError } from '../domain/errors';
import type { ModelStatus, TransitionVia } from '../domain/lifecycle';
import { MODEL_STATUSES } from '../domain/lifecycle';
import type { LifecycleEvent } from '../domain/model-version';
import { compareVersions } from '../domain/semver';
import { gitEnvironment } from './git';

/**
 * Lifecycle tags in a Git repository, in GTO's scheme (https://dvc.org/doc/gto), so `gto show` and CI triggers that
 * watch tags understand them:
 *
 * - `<model>@v<version>`: registration of a version (annotated tag on the training-code commit captured at
 *   registration, or on HEAD when that commit is not in the repository).
 * - `<model>#<stage>#<n>`: the version entered `<stage>` (the status in lower case: `validation`, `production`,
 *   `deprecated`, `failed`); `n` counts every stage tag of the model, 1, 2, 3… in the order of the events, as GTO does.
 *   The tag points at the same commit as the version's tag.
 *
 * Every tag message starts with a one-line summary, then `key: value` lines: model, version, stage, from, via, actor,
 * reason, workflow, event (the store's event id), at. Actor and reason are JSON strings (they may hold anything).
 * The tagger is the actor and the tag date is the event's time, so the same event always yields the same tag.
 */

/** Where tags are written. */
export interface GitTagTarget {
  /** A directory inside the repository (a working tree, dirty or detached, or a bare repository). */
  repoDir: string;
  /** Push the model's tags to `remote` after writing them. */
  push?: boolean;
  /** Remote to push to (default `origin`). */
  remote?: string;
}

/** A version as tagging needs it: its captured training-code commit, if any. */
export interface TaggableVersion {
  version: string;
  commit: string | null;
}

/** What one {@link syncLifecycleTags} call did. */
export interface TagSyncResult {
  /** Tags created by this call, in order. */
  created: string[];
  /** Tags that already existed for these events (a retry, or an earlier sync). */
  existing: string[];
  /** Tag names taken by something else (another commit or message); left alone, one line each. */
  conflicts: string[];
  /** Remote pushed to, or null. */
  pushedTo: string | null;
}

/** One registration read back from a `<model>@v<version>` tag. */
export interface GitVersionRecord {
  tag: string;
  version: string;
  commit: string;
  /** Initial status from the message; null for tags written by other tools. */
  status: ModelStatus | null;
  actor: string | null;
  at: string | null;
}

/** One stage assignment read back from a `<model>#<stage>#<n>` tag. */
export interface GitStageRecord {
  tag: string;
  n: number;
  stage: string;
  /** The stage as a modelctl status; null for a stage modelctl does not know. */
  status: ModelStatus | null;
  /** From the message, else the version tagged on the same commit; null when that is ambiguous. */
  version: string | null;
  commit: string;
  from: ModelStatus | null;
  via: TransitionVia | null;
  actor: string | null;
  reason: string | null;
  workflowId: string | null;
  at: string | null;
}

/** A model's lifecycle rebuilt from tags alone. */
export interface GitHistory {
  model: string;
  /** In ascending semver order. */
  versions: GitVersionRecord[];
  /** In tag-counter order, i.e. the order the events happened. */
  stages: GitStageRecord[];
}

interface ExistingTag {
  name: string;
  commit: string;
  message: string;
  fields: Record<string, string>;
}

const STAGE_TAG = /^(.+)#([a-z0-9_-]+)#(\d+)$/;
const VERSION_TAG = /^(.+)@v(.+)$/;

/**
 * Writes the tags for `events` that are missing: a version tag for each registration event (from null) and a stage
 * tag for each other event, in event order. Idempotent: a stage tag is found again by its `event` id, a version tag
 * by its name, so a retried call creates nothing twice. A dirty working tree or a detached HEAD does not matter: tags
 * never touch the index or the working tree.
 * @param versions the model's versions with their captured commits (a version absent here is tagged on HEAD).
 * @param events the model's lifecycle events, oldest first (RegistryStore.events).
 * @throws ModelctlError CONFIGURATION when `repoDir` is not a Git repository or has no commit; Git errors (locks,
 *   a rejected push) are thrown as they are, so the caller may retry.
 */
export async function syncLifecycleTags(
  target: GitTagTarget,
  model: string,
  versions: readonly TaggableVersion[],
  events: readonly LifecycleEvent[],
): Promise<TagSyncResult> {
  const git = await openRepo(target.repoDir);
  const head = await resolveCommit(git, 'HEAD');
  if (head === null)
    throw new ModelctlError(ErrorCode.CONFIGURATION, `Git repository ${target.repoDir} has no commit to tag`);
  const existing = await listModelTags(git, model);
  const byName = new Map(existing.map((t) => [t.name, t]));
  const byEvent = new Map(existing.filter((t) => t.fields.event !== undefined).map((t) => [t.fields.event!, t]));
  let counter = existing.reduce((max, t) => Math.max(max, Number(STAGE_TAG.exec(t.name)?.[3] ?? 0)), 0);
  const result: TagSyncResult = { created: [], existing: [], conflicts: [], pushedTo: null };
  const commitOf = new Map<string, string>();

  const versionCommit = async (version: string): Promise<string> => {
    const known = commitOf.get(version);
    if (known !== undefined) return known;
    const tagged = byName.get(versionTagName(model, version));
    const captured = versions.find((v) => v.version === version)?.commit ?? null;
    const commit = tagged?.commit ?? (captured !== null ? await resolveCommit(git, captured) : null) ?? head;
    commitOf.set(version, commit);
    return commit;
  };

  for (const event of events) {
    if (event.model !== model) continue;
    const commit = await versionCommit(event.version);
    if (event.fromStatus === null) {
      const name = versionTagName(model, event.version);
      const found = byName.get(name);
      if (found !== undefined) {
        // Another commit than the one captured at registration: not ours (e.g. a hand-made tag), so leave it alone.
        const captured = versions.find((v) => v.version === event.version)?.commit ?? null;
        const resolved = captured === null ? null : await resolveCommit(git, captured);
        (resolved === null || resolved === found.commit ? result.existing : result.conflicts).push(name);
        continue;
      }
      await createTag(target.repoDir, name, commit, registrationMessage(event), event);
      byName.set(name, { name, commit, message: '', fields: { version: event.version } });
      result.created.push(name);
      continue;
    }
    const already = byEvent.get(String(event.id));
    if (already !== undefined) {
      result.existing.push(already.name);
      continue;
    }
    // Another writer may take the next number between our read and our write: take the one after it.
    for (;;) {
      counter += 1;
      const name = `${model}#${event.toStatus.toLowerCase()}#${counter}`;
      if (byName.has(name)) continue;
      try {
        await createTag(target.repoDir, name, commit, stageMessage(event), event);
      } catch (err) {
        // The other writer's tag is there now: take the next number. Any other failure leaves no such tag.
        if (await tagExists(git, name)) continue;
        throw err;
      }
      byName.set(name, { name, commit, message: '', fields: { event: String(event.id) } });
      result.created.push(name);
      break;
    }
  }

  if (target.push) {
    const remote = target.remote ?? 'origin';
    const names = [...result.existing, ...result.created];
    // Pushing a tag the remote already has is a no-op, so a retry pushes what the first attempt missed.
    if (names.length > 0)
      await git.raw(['push', '--quiet', remote, ...names.map((n) => `refs/tags/${n}:refs/tags/${n}`)]);
    result.pushedTo = remote;
  }
  return result;
}

/**
 * Rebuilds a model's lifecycle from its tags alone (no store): the registered versions and the stage assignments in
 * the order they happened. Tags written by GTO itself are read too (their version comes from the version tag on the
 * same commit); GTO's deregistration and unassignment tags (`!`) are ignored.
 * @param repoDir a directory inside the repository.
 * @throws ModelctlError CONFIGURATION when `repoDir` is not a Git repository.
 */
export async function rebuildHistoryFromGit(repoDir: string, model: string): Promise<GitHistory> {
  const git = await openRepo(repoDir);
  const tags = await listModelTags(git, model);
  const versions: GitVersionRecord[] = [];
  const stages: GitStageRecord[] = [];
  for (const tag of tags) {
    const version = VERSION_TAG.exec(tag.name);
    if (version !== null && version[1] === model && !version[2]!.endsWith('!')) {
      versions.push({
        tag: tag.name,
        version: version[2]!,
        commit: tag.commit,
        status: asStatus(tag.fields.status),
        actor: tag.fields.actor ?? null,
        at: tag.fields.at ?? null,
      });
    }
  }
  for (const tag of tags) {
    const stage = STAGE_TAG.exec(tag.name);
    if (stage === null || stage[1] !== model) continue;
    const onCommit = versions.filter((v) => v.commit === tag.commit);
    stages.push({
      tag: tag.name,
      n: Number(stage[3]),
      stage: stage[2]!,
      status: asStatus(stage[2]!.toUpperCase()),
      version: tag.fields.version ?? (onCommit.length === 1 ? onCommit[0]!.version : null),
      commit: tag.commit,
      from: asStatus(tag.fields.from),
      via: (['DIRECT', 'PROMOTION', 'ROLLBACK'] as const).find((v) => v === tag.fields.via) ?? null,
      actor: tag.fields.actor ?? null,
      reason: tag.fields.reason ?? null,
      workflowId: tag.fields.workflow ?? null,
      at: tag.fields.at ?? null,
    });
  }
  versions.sort((a, b) => compareVersions(a.version, b.version));
  stages.sort((a, b) => a.n - b.n);
  return { model, versions, stages };
}

/** `<model>@v<version>`, GTO's registration tag. */
export function versionTagName(model: string, version: string): string {
  return `${model}@v${version}`;
}

async function openRepo(repoDir: string): Promise<SimpleGit> {
  const git = simpleGit({ baseDir: resolve(repoDir) }).env(gitEnvironment());
  let inside: boolean;
  try {
    inside = await git.checkIsRepo();
  } catch {
    inside = false;
  }
  if (!inside) throw new ModelctlError(ErrorCode.CONFIGURATION, `MODELCTL_GIT_REPO ${repoDir} is not a Git repository`);
  return git;
}

async function resolveCommit(git: SimpleGit, rev: string): Promise<string | null> {
  try {
    return (await git.raw(['rev-parse', '--verify', '-q', `${rev}^{commit}`])).trim() || null;
  } catch {
    return null; // an unknown object: the commit was captured in another repository
  }
}

/** Whether the repository has tag `name`, asked of Git by ref (not by reading an error message). */
async function tagExists(git: SimpleGit, name: string): Promise<boolean> {
  try {
    return (await git.raw(['rev-parse', '--verify', '-q', `refs/tags/${name}`])).trim() !== '';
  } catch {
    return false; // rev-parse --verify -q exits 1, silently, for a ref that does not exist
  }
}

async function listModelTags(git: SimpleGit, model: string): Promise<ExistingTag[]> {
  // %1e ends a record, %1f separates fields; *objectname is the commit an annotated tag points at.
  const out = await git.raw([
    'for-each-ref',
    '--format=%(refname:strip=2)%1f%(objectname)%1f%(*objectname)%1f%(contents)%1e',
    `refs/tags/${model}@*`,
    `refs/tags/${model}#*`,
  ]);
  return out
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r !== '')
    .map((record) => {
      const [name = '', object = '', peeled = '', message = ''] = record.split('\x1f');
      return { name, commit: peeled || object, message, fields: parseFields(message) };
    });
}

async function createTag(
  repoDir: string,
  name: string,
  commit: string,
  message: string,
  event: LifecycleEvent,
): Promise<void> {
  const seconds = Math.floor(Date.parse(event.at) / 1000);
  // The tagger is the event's actor at the event's time: the same event always gives the same tag object.
  await simpleGit({
    baseDir: resolve(repoDir),
    allowEnvironment: ['GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_COMMITTER_DATE'],
  })
    .env({
      ...gitEnvironment(),
      GIT_COMMITTER_NAME: identityPart(event.actor),
      GIT_COMMITTER_EMAIL: event.actor.includes('@') ? identityPart(event.actor) : 'modelctl@localhost',
      GIT_COMMITTER_DATE: `@${seconds} +0000`,
    })
    .raw(['tag', '-a', '--cleanup=verbatim', '-m', message, name, commit]);
}

/** Git refuses `<`, `>` and newlines in an identity. */
function identityPart(value: string): string {
  return value.replace(/[<>\n\r]/g, ' ').trim() || 'modelctl';
}

function registrationMessage(e: LifecycleEvent): string {
  return [
    `${e.model}: register v${e.version} (${e.toStatus})`,
    '',
    ...fieldLines(e, { model: e.model, version: e.version, status: e.toStatus }),
  ].join('\n');
}

function stageMessage(e: LifecycleEvent): string {
  return [
    `${e.model}: v${e.version} ${e.fromStatus ?? 'new'} -> ${e.toStatus.toLowerCase()} (${e.via})`,
    '',
    ...fieldLines(e, {
      model: e.model,
      version: e.version,
      stage: e.toStatus.toLowerCase(),
      from: e.fromStatus ?? '',
      via: e.via,
    }),
  ].join('\n');
}

function fieldLines(e: LifecycleEvent, head: Record<string, string>): string[] {
  const fields: Record<string, string> = {
    ...head,
    actor: JSON.stringify(e.actor),
    ...(e.reason !== null ? { reason: JSON.stringify(e.reason) } : {}),
    ...(e.workflowId !== null ? { workflow: e.workflowId } : {}),
    ...(e.approval !== null ? { approver: JSON.stringify(e.approval.approver) } : {}),
    event: String(e.id),
    at: e.at,
  };
  return Object.entries(fields).map(([k, v]) => `${k}: ${v}`);
}

/** `key: value` lines after the summary; JSON strings are decoded. */
function parseFields(message: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of message.split('\n').slice(1)) {
    const m = /^([a-z]+): (.*)$/.exec(line);
    if (m === null) continue;
    const raw = m[2]!;
    if (raw.startsWith('"')) {
      try {
        fields[m[1]!] = String(JSON.parse(raw));
        continue;
      } catch {
        // not JSON after all: keep the text
      }
    }
    fields[m[1]!] = raw;
  }
  return fields;
}

function asStatus(value: string | undefined): ModelStatus | null {
  return MODEL_STATUSES.find((s) => s === value) ?? null;
}
