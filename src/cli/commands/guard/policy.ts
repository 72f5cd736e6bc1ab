import type { Command } from 'commander';
import { readJsonArgument } from '../../../client/input-file';
import { ErrorCode, ModelctlError } from '../../../domain/errors';
import type { StoredGuardPolicy } from '../../../domain/guard';
import { defaultActor } from '../../default-actor';
import { action } from '../../action';
import { withRegistry } from '../../with-registry';

const human = (p: StoredGuardPolicy) =>
  `guard policy of ${p.model} (set by ${p.actor} at ${p.updatedAt}):\n${JSON.stringify(p.policy, null, 2)}`;

/** `modelctl guard policy set|show <model>`: the model's default guard policy. */
export function registerGuardPolicy(guard: Command): void {
  const policy = guard.command('policy').description("a model's default guard policy");
  policy
    .command('set <model> <policy>')
    .description('store the default guard policy of <model> (inline JSON or @file), validated first')
    .option('--actor <name>', 'who (default $USER)')
    .addHelpText('after', '\nExample:\n  $ modelctl guard policy set fraud @guard.json')
    .action(
      action(async (model: string, text: string, raw: { actor?: string }, command: Command) => {
        const value = await readJsonArgument('<policy>', text);
        return withRegistry(command, (r) => r.setGuardPolicy(model, value, raw.actor ?? defaultActor()));
      }, human),
    );
  policy
    .command('show <model>')
    .description('print the default guard policy of <model>')
    .addHelpText('after', '\nExample:\n  $ modelctl guard policy show fraud --json')
    .action(
      action(async (model: string, _raw: unknown, command: Command) => {
        const stored = await withRegistry(command, (r) => r.guardPolicy(model));
        if (stored === null)
          throw new ModelctlError(
            ErrorCode.NOT_FOUND,
            `no guard policy for ${model}: set one with modelctl guard policy set ${model} @policy.json`,
          );
        return stored;
      }, human),
    );
}
