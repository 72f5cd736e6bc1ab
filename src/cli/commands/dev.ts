import type { Command } from 'commander';
import { ensureDevServer, stopDevServer } from '../../embedded/dev-server';
import { stopWorker } from '../../client/embedded-worker';
import { stopBackgroundServer } from '../../client/background-server';
import { runWorker } from '../../worker/run-worker';
import { action } from '../action';
import { configFrom } from '../config-options';

/** `modelctl dev`: the embedded Temporal dev server and a worker in one process tree. */
export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'run the embedded Temporal dev server (persistent under MODELCTL_HOME, with the Web UI) and a worker until Ctrl-C',
    )
    .option(
      '--stop',
      'stop the background server, worker and HTTP server that other commands (and the demo) started, then exit',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl dev            # Ctrl-C stops both\n  $ modelctl dev --stop     # stop what `modelctl promote` & co. started in the background',
    )
    .action(
      action(
        async (raw: { stop?: boolean }, command: Command) => {
          const config = configFrom(command);
          if (raw.stop) {
            // The HTTP server first: it talks to Temporal and starts workflows until it stops.
            const api = await stopBackgroundServer(config.home);
            const worker = await stopWorker(config.home);
            const server = await stopDevServer(config.home);
            return { mode: 'stop' as const, stopped: { api, worker, server } };
          }
          const server = await ensureDevServer({
            home: config.home,
            port: config.temporal.embeddedPort,
            uiPort: config.temporal.embeddedUiPort,
            attached: true,
          });
          process.stderr.write(
            `modelctl dev: Temporal ${server.started ? 'started' : 'already running'} at ${server.address}; Web UI ${server.uiUrl}; state in ${config.home}/temporal\n`,
          );
          try {
            await runWorker({ ...config, temporal: { ...config.temporal, address: server.address } }, (info) => {
              process.stderr.write(
                `modelctl dev: worker polling task queue ${info.taskQueue}; Ctrl-C stops ${server.started ? 'both' : 'the worker'}\n`,
              );
            });
          } finally {
            await server.stop();
          }
          return { mode: 'foreground' as const, stopped: { api: false, worker: true, server: server.started } };
        },
        (r) =>
          r.mode === 'stop'
            ? `modelctl dev: ${r.stopped.api ? 'background HTTP server (modelctl serve) stopped; ' : ''}background worker ${r.stopped.worker ? 'stopped' : 'was not running'}; background server ${r.stopped.server ? 'stopped' : 'was not running'}`
            : `modelctl dev: worker stopped; server ${r.stopped.server ? 'stopped' : 'left running (it was started elsewhere)'}`,
      ),
    );
}
