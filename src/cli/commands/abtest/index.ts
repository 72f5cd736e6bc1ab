import type { Command } from 'commander';
import { registerAbTestStart } from './start';
import { registerAbTestTraffic } from './traffic';
import { registerAbTestStatus } from './status';
import { registerAbTestStop } from './stop';
import { registerAbTestSchedule } from './schedule';

/** `modelctl abtest start|assign|record|status|stop|schedule`. */
export function registerAbTest(program: Command): void {
  const abtest = program.command('abtest').description('timed A/B tests between two versions of a model');
  registerAbTestStart(abtest);
  registerAbTestTraffic(abtest);
  registerAbTestStatus(abtest);
  registerAbTestStop(abtest);
  registerAbTestSchedule(abtest);
}
