import type { Command } from 'commander';
import { registerAnalyze } from './analyze';
import { registerCompare } from './compare';
import { registerExperiment } from './experiment';
import { registerHistory } from './history';
import { registerProduction } from './production';
import { registerRegister } from './register';
import { registerReport } from './report';
import { registerVersions } from './versions';
import { registerDemo } from './demo';
import { registerWorker } from './worker';
import { registerDev } from './dev';
import { registerPromote } from './promote';
import { registerRollback } from './rollback';
import { registerAbTest } from './abtest';
import { registerWandb } from './wandb';
import { registerServe } from './serve';
import { registerToken } from './token';
import { registerObserve } from './observe';
import { registerGuard } from './guard';

/** Every subcommand, in the order `modelctl --help` lists them. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerRegister(program);
  registerExperiment(program);
  registerCompare(program);
  registerHistory(program);
  registerProduction(program);
  registerVersions(program);
  registerReport(program);
  registerAnalyze(program);
  registerPromote(program);
  registerAbTest(program);
  registerRollback(program);
  registerObserve(program);
  registerGuard(program);
  registerWorker(program);
  registerDev(program);
  registerWandb(program);
  registerServe(program);
  registerToken(program);
}
