import type { Command } from 'commander';
import { z } from 'zod';
import type { ModelHistory } from '../../client/report';
import { ModelName } from '../../domain/names';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { withRegistry } from '../with-registry';
import { configFrom } from '../config-options';
import { formatGitHistory, historyFromGit } from '../../client/git-history';
import type { GitHistory } from '../../integrations/git-tags';

type History = ModelHistory | { source: 'git'; history: GitHistory };

/** Every version with its lifecycle events, the audit trail of the model. */
export function formatHistory(h: ModelHistory): string {
  const lines = [
    `${h.model}: production ${h.productionVersion ?? 'none'}, previous ${h.previousProductionVersion ?? 'none'}`,
  ];
  const width = Math.max(...h.versions.map((v) => v.version.length));
  for (const v of h.versions) {
    lines.push('');
    lines.push(
      `${v.version.padEnd(width)}  ${v.status.padEnd(10)}  parent ${v.parentVersion ?? '-'}  by ${v.author}  ${v.createdAt}`,
    );
    for (const e of v.timeline) {
      const change = `${e.fromStatus ?? 'registered'} → ${e.toStatus}`;
      const details = [
        e.via !== 'DIRECT' ? e.via.toLowerCase() : null,
        `by ${e.actor}`,
        e.reason,
        e.approval !== null
          ? `approval ${e.approval.approver}${e.approval.comment !== null ? `: ${JSON.stringify(e.approval.comment)}` : ''}`
          : null,
        e.workflowId !== null ? `workflow ${e.workflowId}` : null,
      ].filter((x) => x !== null);
      lines.push(`  ${e.at}  ${change.padEnd(23)}  ${details.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** `modelctl history <model>`: versions, status timelines and audit events. */
export function registerHistory(program: Command): void {
  program
    .command('history')
    .argument('<model>', 'model name')
    .description('every version of a model with its status timeline and audit events')
    .option(
      '--from-git',
      'rebuild the lifecycle from the lifecycle tags of MODELCTL_GIT_REPO alone, not from the store',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl history fraud\n  $ MODELCTL_GIT_REPO=~/src/fraud modelctl history fraud --from-git',
    )
    .action(
      action(
        async (model: string, raw: { fromGit?: boolean }, command: Command): Promise<History> => {
          const f = parseFlags(z.object({ model: ModelName }), { model }, ['model']);
          if (raw.fromGit)
            return { source: 'git', history: await historyFromGit(configFrom(command).gitRepo, f.model) };
          return withRegistry(command, (r) => r.history(f.model));
        },
        (h) => ('source' in h ? formatGitHistory(h.history) : formatHistory(h)),
      ),
    );
}
