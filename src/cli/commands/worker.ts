import type { Command } from 'commander';
import { runWorker } from '../../worker/run-worker';
import { WORKFLOWS } from '../../workflows/registry';
import { action } from '../action';
import { configFrom } from '../config-options';

/** The registered workflow types as a phrase: `promoteModel, abTest and rollback`. */
function servedWorkflows(): string {
  const names = WORKFLOWS.map((w) => w.workflowType);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
}

/** `modelctl worker`: serve the workflows and activities until SIGINT/SIGTERM. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(`run a worker that serves ${servedWorkflows()} on the task queue until SIGINT/SIGTERM`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl worker\n  $ TEMPORAL_ADDRESS=temporal:7233 DATABASE_URL=postgres://… modelctl worker --task-queue modelctl',
    )
    .action(
      action(
        async (_options: unknown, command: Command) => {
          const config = configFrom(command);
          await runWorker(config, (info) => {
            process.stderr.write(
              `modelctl worker: polling task queue ${info.taskQueue} on ${info.address} (namespace ${info.namespace}, registry ${info.registryId})${info.uiUrl ? `; UI ${info.uiUrl}` : ''}\n`,
            );
          });
          return { stopped: true };
        },
        () => 'modelctl worker: stopped',
      ),
    );
}
