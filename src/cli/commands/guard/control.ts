import type { Command } from 'commander';
import { defaultActor } from '../../default-actor';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { formatGuardState } from './format';
import { z } from 'zod';
import { GuardControl } from '../../../domain/guard';
import { ModelName } from '../../../domain/names';
import { parseFlagsAs } from '../../parse-flags';

const ControlArgs = z.object({ model: ModelName, request: GuardControl });

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
        action(async (model: string, raw: { actor?: string; reason?: string }, command: Command) => {
          const { request } = parseFlagsAs(
            ControlArgs,
            { model, request: { actor: raw.actor ?? defaultActor(), reason: raw.reason } },
            { model: '<model>', 'request.actor': '--actor', 'request.reason': '--reason' },
          );
          return withLifecycle(command, (lifecycle) => lifecycle.controlGuard(model, verb, request));
        }, formatGuardState),
      );
  }
}
