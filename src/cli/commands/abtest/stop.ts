import type { Command } from 'commander';
import { defaultActor } from '../../default-actor';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { z } from 'zod';
import { AbTestControl, AbTestId } from '../../../domain/ab-test';
import { parseFlagsAs } from '../../parse-flags';

const StopArgs = z.object({ id: AbTestId, request: AbTestControl });

export function registerAbTestStop(abtest: Command): void {
  abtest
    .command('stop <id>')
    .description('end a test now: with a decision (sequential tests only), or --abort for no winner')
    .option('--abort', 'end without a decision (status ABORTED)')
    .option('--actor <name>', 'who stops it (default $USER)')
    .option('--reason <text>', 'why')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl abtest stop digits-exp --reason "clear win"\n  $ modelctl abtest stop digits-exp --abort --reason "bad traffic"',
    )
    .action(
      action(
        async (id: string, raw: { abort?: boolean; actor?: string; reason?: string }, command: Command) => {
          const { request } = parseFlagsAs(
            StopArgs,
            { id, request: { actor: raw.actor ?? defaultActor(), reason: raw.reason } },
            { id: '<id>', 'request.actor': '--actor', 'request.reason': '--reason' },
          );
          return withLifecycle(command, (lifecycle) =>
            raw.abort ? lifecycle.abortAbTest(id, request) : lifecycle.stopAbTest(id, request),
          );
        },
        (s) =>
          `A/B test ${s.id}: ${s.abortRequestedBy ? `abort requested by ${s.abortRequestedBy}` : `stop requested by ${s.stopRequestedBy}`}; it ends now`,
      ),
    );
}
