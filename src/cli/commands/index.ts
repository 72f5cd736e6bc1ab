import type { Command } from 'commander';
import { registerAnalyze } from './analyze';
import { registerDemo } from './demo';

/** Every subcommand, in the order `modelctl --help` lists them. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerAnalyze(program);
}
