import type { Command } from 'commander';
import { guardInputFor } from '../../../client/guard-start';
import { readJsonArgument } from '../../../client/input-file';
import { defaultActor } from '../../default-actor';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { withRegistry } from '../../with-registry';
import { formatGuardState } from './format';
import { registerGuardControl } from './control';
import { registerGuardPolicy } from './policy';

/** `modelctl guard start|status|pause|resume|stop|acknowledge|policy`. */
export function registerGuard(program: Command): void {
  const guard = program
    .command('guard')
    .description('watch a production version and roll it back automatically when its observations regress');

  guard
    .command('start <model>')
    .description("start the guard of <model>'s production version (policy: --policy, else the stored default)")
    .option('--version <version>', 'the version to guard (default: the current production version)')
    .option('--policy <json|@file>', 'the guard policy (docs/workflows.md, "guardModel")')
    .option('--actor <name>', 'who starts it (default $USER)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl guard start fraud --policy @guard.json\n  $ modelctl guard policy set fraud @guard.json && modelctl guard start fraud',
    )
    .action(
      action(
        async (model: string, raw: { version?: string; policy?: string; actor?: string }, command: Command) => {
          const policy = await readJsonArgument('--policy', raw.policy);
          const input = await withRegistry(command, (r) =>
            guardInputFor(r, { model, actor: raw.actor ?? defaultActor(), version: raw.version, policy }),
          );
          return withLifecycle(command, async (lifecycle) => {
            const { workflowId, url } = await lifecycle.startGuard(input);
            return { workflowId, url, ...(await lifecycle.guardState(model)) };
          });
        },
        (r) => `${formatGuardState(r)}${r.url ? `\n  workflow: ${r.url}` : ''}`,
      ),
    );

  guard
    .command('status <model>')
    .description('the state of the guard of <model> (running, or the last one): checks, statistics, alerts')
    .addHelpText('after', '\nExample:\n  $ modelctl guard status fraud --json')
    .action(
      action(
        async (model: string, _raw: unknown, command: Command) =>
          withLifecycle(command, (lifecycle) => lifecycle.guardState(model)),
        formatGuardState,
      ),
    );

  registerGuardControl(guard);
  registerGuardPolicy(guard);
}
