import type { Command } from 'commander';
import { registerAnalyze } from './analyze';
import { registerDemo } from './demo';
import { registerWorker } from './worker';
import { registerWandb } from './wandb';

/** Every subcommand, in the order `modelctl --help` lists them. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerAnalyze(program);
  registerWorker(program);
  registerWandb(program);
}
