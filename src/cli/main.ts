import { Command } from 'commander';
import { registerCommands } from './commands';
import { printWarning, reportError } from './action';
import { addConfigOptions } from './config-options';
import { checkArguments } from './argument-checks';
import { addRemoteOptions } from './remote-target';

/** Builds the `modelctl` program: global options and one subcommand per user task. */
export function buildProgram(): Command {
  const program = addRemoteOptions(addConfigOptions(new Command('modelctl')))
    .description('model registry, experiment tracker and deployment decisions on Temporal')
    .option('--json', 'print machine-readable JSON instead of text')
    // Commander's own parse errors ("error: unknown option …") take the one-line form of every other error.
    .configureOutput({ outputError: (message, write) => write(`modelctl: ${message.replace(/^error: /, '')}`) })
    .exitOverride()
    // Before any action: a bad <model> (or test, schedule, version) is refused before anything is opened or started.
    .hook('preAction', (_program, actionCommand) => checkArguments(actionCommand));
  registerCommands(program);
  return program;
}

/**
 * The library reports best-effort failures (a registration tag not pushed) as process warnings of type
 * ModelctlWarning; Node would print them over several lines with a `--trace-warnings` hint. The CLI prints each as
 * one line `modelctl: warning: …` and leaves every other warning to Node's own printer.
 */
function printModelctlWarningsAsLines(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'ModelctlWarning') {
      for (const print of printers) print(warning);
      return;
    }
    printWarning(warning.message);
  });
}

/** Entry point of bin/modelctl.js. Sets process.exitCode; never throws. */
export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`modelctl … --help | head`) closes the pipe: that ends the output, it is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  printModelctlWarningsAsLines();
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    reportError(err);
  }
}
