import type { Command } from 'commander';
import { z } from 'zod';
import { AbTestScheduleInput } from '../../../client/ab-test-schedules';
import { parseFlags, parseFlagsAs } from '../../parse-flags';
import { defaultScheduleId } from '../../../workflows/ab-test.contract';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { AB_TEST_LABELS, addTestShapeOptions, TestShapeFlags } from './start';

const Flags = z.object({
  cron: z.string().optional(),
  every: z.string().optional(),
  timezone: z.string().default('UTC'),
  id: z.string().optional(),
  ...TestShapeFlags,
  paused: z.boolean().default(false),
});

export function registerAbTestSchedule(abtest: Command): void {
  const schedule = abtest
    .command('schedule')
    .description('Temporal Schedules that start A/B tests on a calendar or an interval');
  addTestShapeOptions(schedule.command('create <model> <control> <treatment>'))
    .description('create a schedule (one per pair; a run due while the previous runs is skipped)')
    .option('--cron <expr>', "cron expression, e.g. '0 9 * * MON' (every Monday 09:00)")
    .option('--every <interval>', "fixed interval, e.g. '7d'")
    .option('--timezone <tz>', 'time zone of --cron', 'UTC')
    .requiredOption('--duration <duration>', 'how long each test runs')
    .option('--id <scheduleId>', `schedule id (default ${defaultScheduleId('<model>', '<control>', '<treatment>')})`)
    .option('--paused', 'create it paused')
    .addHelpText(
      'after',
      "\nExample:\n  $ modelctl abtest schedule create digits 1.0.0 1.1.0 --cron '0 9 * * MON' --duration 7d",
    )
    .action(
      action(
        async (model: string, control: string, treatment: string, raw: unknown, command: Command) => {
          const f = parseFlags(Flags, raw as Record<string, unknown>);
          const input: AbTestScheduleInput = {
            scheduleId: f.id,
            cron: f.cron,
            every: f.every,
            timezone: f.timezone,
            paused: f.paused,
            test: {
              model,
              control,
              treatment,
              split: f.split,
              duration: f.duration,
              metric: { name: f.metric, kind: f.kind, higherIsBetter: true },
              autoPromote: f.autoPromote,
            },
          };
          parseFlagsAs(AbTestScheduleInput, input, {
            scheduleId: '--id',
            ...Object.fromEntries(Object.entries(AB_TEST_LABELS).map(([k, label]) => [`test.${k}`, label])),
            'test.split': '--split',
            'test.duration': '--duration',
            'test.autoPromote': '--auto-promote',
          });
          return withLifecycle(command, async ({ schedules }) => ({ scheduleId: await schedules.create(input) }));
        },
        (r) => `created schedule ${r.scheduleId}`,
      ),
    );
  schedule
    .command('list')
    .description('list A/B test schedules')
    .action(
      action(
        async (_raw: unknown, command: Command) => withLifecycle(command, ({ schedules }) => schedules.list()),
        (rows) =>
          rows
            .map((s) => `${s.scheduleId}\t${s.paused ? 'paused' : 'active'}\tnext ${s.nextActionTimes[0] ?? '-'}`)
            .join('\n') || 'no A/B test schedules',
      ),
    );
  for (const verb of ['pause', 'unpause', 'delete', 'trigger'] as const) {
    schedule
      .command(`${verb} <scheduleId>`)
      .description(`${verb} a schedule`)
      .action(
        action(
          async (scheduleId: string, _raw: unknown, command: Command) => {
            await withLifecycle(command, ({ schedules }) => schedules[verb](scheduleId));
            return { scheduleId, done: verb };
          },
          (r) => `${r.done}: ${r.scheduleId}`,
        ),
      );
  }
}
