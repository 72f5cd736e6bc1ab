import { ErrorCode, ModelctlError } from '../domain/errors';
import { rebuildHistoryFromGit, type GitHistory } from '../integrations/git-tags';

/**
 * A model's lifecycle rebuilt from the lifecycle tags of the configured repository alone (no store): what
 * `modelctl history --from-git` shows.
 * @param repoDir the repository (MODELCTL_GIT_REPO); null when none is configured.
 * @throws ModelctlError CONFIGURATION when no repository is configured or it is not a Git repository.
 */
export async function historyFromGit(repoDir: string | null, model: string): Promise<GitHistory> {
  if (repoDir === null)
    throw new ModelctlError(
      ErrorCode.CONFIGURATION,
      'no Git repository configured: set MODELCTL_GIT_REPO to read the lifecycle from its tags',
    );
  return rebuildHistoryFromGit(repoDir, model);
}

/** The rebuilt lifecycle for a person: versions, then stage assignments in order, one line each. */
export function formatGitHistory(h: GitHistory): string {
  if (h.versions.length === 0 && h.stages.length === 0) return `${h.model}: no lifecycle tags`;
  return [
    `${h.model}: ${h.versions.length} version${h.versions.length === 1 ? '' : 's'} tagged`,
    ...h.versions.map(
      (v) => `  ${v.tag}  ${v.commit.slice(0, 12)}${v.actor ? `  by ${v.actor}` : ''}${v.at ? `  ${v.at}` : ''}`,
    ),
    ...h.stages.map(
      (s) =>
        `  #${s.n} ${s.version ?? '?'} → ${s.stage}${s.via ? ` (${s.via})` : ''}${s.actor ? ` by ${s.actor}` : ''}${s.reason ? `: ${s.reason}` : ''}${s.at ? `  ${s.at}` : ''}`,
    ),
  ].join('\n');
}
