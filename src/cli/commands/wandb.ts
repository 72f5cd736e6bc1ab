import type { Command } from 'commander';
import { createWandbClient } from '../../config/wandb';
import type { WandbUploadResult } from '../../integrations/wandb';
import { action } from '../action';
import { configFrom } from '../config-options';

function formatSync(results: WandbUploadResult[]): string {
  const sent = results.filter((r) => r.records > 0);
  if (sent.length === 0)
    return `W&B sync: nothing new (${results.length} run${results.length === 1 ? '' : 's'} up to date)`;
  return sent
    .map(
      (r) =>
        `W&B sync: run ${r.runId}: ${r.records} record${r.records === 1 ? '' : 's'} (${r.historyLines} history line${r.historyLines === 1 ? '' : 's'})`,
    )
    .join('\n');
}

/** `modelctl wandb sync`: upload what offline mode kept under MODELCTL_HOME/wandb. */
export function registerWandb(program: Command): void {
  const wandb = program.command('wandb').description('Weights & Biases mirroring');
  wandb
    .command('sync')
    .description(
      'upload the W&B records kept under MODELCTL_HOME/wandb (offline mode, or an earlier outage); a second sync sends nothing new',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ WANDB_API_KEY=… modelctl wandb sync\n  $ WANDB_API_KEY=… WANDB_BASE_URL=https://wandb.example.com modelctl wandb sync --json',
    )
    .action(
      action(async (_options: unknown, command: Command) => {
        const config = configFrom(command);
        return createWandbClient(config).sync();
      }, formatSync),
    );
}
