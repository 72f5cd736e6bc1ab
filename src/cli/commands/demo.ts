import type { Command } from 'commander';
import { action } from '../action';

/** `modelctl demo`: the whole lifecycle on real data. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole lifecycle (train, register, promote, A/B test, rollback) on the embedded defaults')
    .addHelpText('after', '\nExample:\n  $ modelctl demo')
    .action(
      action(
        async () => ({
          status: 'pending',
          message: 'the demo lands with the CLI and demo issue; today modelctl sets up the embedded Temporal server and its tests',
        }),
        (r) => `modelctl demo: ${r.message}`,
      ),
    );
}
