import type { Command } from 'commander';
import { defaultActor } from '../default-actor';
import { RollbackInput, type RollbackResult } from '../../domain/rollback';
import { parseFlagsAs } from '../parse-flags';
import { action } from '../action';
import { withLifecycle } from '../lifecycle-context';

/** `modelctl rollback <model>`: the rollback workflow. */
export function registerRollback(program: Command): void {
  program
    .command('rollback <model>')
    .description('roll <model> back to an earlier version (default: the previous production version), validated first')
    .requiredOption('--reason <text>', 'why (required; recorded in the audit trail)')
    .option('--to <version>', 'target version (default: the previous production version)')
    .option('--actor <name>', 'who rolls back (default $USER)')
    .option('--attach', 'attach to a rollback of this model that is already running instead of refusing')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl rollback digits --reason "accuracy dropped on live traffic"\n  $ modelctl rollback digits --to 1.0.0 --reason "incident 42" --actor oncall@example.com',
    )
    .action(
      action(
        async (
          model: string,
          raw: { reason: string; to?: string; actor?: string; attach?: boolean },
          command: Command,
        ) => {
          const input = parseFlagsAs(
            RollbackInput,
            { model, reason: raw.reason, actor: raw.actor ?? defaultActor(), toVersion: raw.to },
            { model: '<model>', toVersion: '--to' },
          );
          return withLifecycle(command, async (lifecycle) => {
            const { url } = await lifecycle.startRollback(input, { attach: Boolean(raw.attach) });
            const result: RollbackResult = await lifecycle.rollbackResult(model, `rollback of ${model}`);
            return { ...result, url };
          });
        },
        (r) =>
          [
            `${r.model}@${r.version} is in PRODUCTION again${r.previousVersion ? ` (${r.previousVersion} → DEPRECATED)` : ''}`,
            `  reason: ${r.reason}; actor: ${r.actor}`,
            ...(r.url ? [`  workflow: ${r.url}`] : []),
          ].join('\n'),
        (r) => r.warnings,
      ),
    );
}
