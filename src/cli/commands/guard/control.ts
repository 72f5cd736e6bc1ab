import type { Command } from 'commander';
import { defaultActor } from '../../default-actor';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { formatGuardState } from './format';

const VERBS = {
  pause: 'suspend the checks until resumed',
  resume: 'resume a paused guard',
  stop: 'end the guard now, with no action',
  acknowledge: 'acknowledge every alert raised so far',
} as const;

/** `modelctl guard pause|resume|stop|acknowledge <model>`: the guard's updates. */
export function registerGuardControl(guard: Command): void {
  for (const [verb, description] of Object.entries(VERBS) as [keyof typeof VERBS, string][]) {
    guard
      .command(`${verb} <model>`)
      .description(description)
      .option('--actor <name>', 'who (default $USER)')
      .option('--reason <text>', 'why')
      .addHelpText('after', `\nExample:\n  $ modelctl guard ${verb} fraud --reason "incident 42"`)
      .action(
        action(
          async (model: string, raw: { actor?: string; reason?: string }, command: Command) =>
            withLifecycle(command, (lifecycle) =>
              lifecycle.controlGuard(model, verb, {
                actor: raw.actor ?? defaultActor(),
                ...(raw.reason !== undefined ? { reason: raw.reason } : {}),
              }),
            ),
          formatGuardState,
        ),
      );
  }
}
