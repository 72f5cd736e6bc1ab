import type { Command } from 'commander';
import { registerAnalyze } from './analyze';
import { registerDemo } from './demo';
import { registerWorker } from './worker';
import { registerDev } from './dev';
import { registerPromote } from './promote';
import { registerRollback } from './rollback';
import { registerAbTest } from './abtest';

/** Every subcommand, in the order `modelctl --help` lists them. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerAnalyze(program);
  registerPromote(program);
  registerAbTest(program);
  registerRollback(program);
  registerWorker(program);
  registerDev(program);
}
