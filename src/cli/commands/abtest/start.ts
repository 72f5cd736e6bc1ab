import type { Command } from 'commander';
import { defaultActor } from '../../default-actor';
import { z } from 'zod';
import { integerText, numberText } from '../../../domain/strict-number';
import { AbTestInput } from '../../../domain/ab-test';
import { parseInput } from '../../../domain/errors';
import { parseFlags, parseFlagsAs } from '../../parse-flags';
import { defaultAbTestId } from '../../../workflows/ab-test.contract';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { readJsonArgument } from '../../../client/input-file';
import { GuardPolicy } from '../../../domain/guard-policy';

/** `5000/5000` or `9000/1000` (control/treatment basis points). */
export const SplitFlag = z
  .string()
  .regex(/^\d+\/\d+$/, 'must be <control>/<treatment> in basis points summing to 10000, e.g. 5000/5000 or 9000/1000')
  .transform((s) => {
    const [control, treatment] = s.split('/').map(Number) as [number, number];
    return { control, treatment };
  });

/** The flags that describe a test, shared by `abtest start` and `abtest schedule create`. */
export const TestShapeFlags = {
  // A bare number would be milliseconds (what a workflow's JSON input means by it), never what a CLI user meant.
  duration: z
    .string()
    .refine(
      (d) => !/^\s*\d+(\.\d+)?\s*$/.test(d),
      "needs a unit, e.g. '20s', '12h', '7d' (a bare number would be milliseconds)",
    ),
  split: SplitFlag.default({ control: 5000, treatment: 5000 }),
  metric: z.string().default('conversion'),
  kind: z.enum(['binary', 'continuous'], { error: 'must be one of binary, continuous' }).default('binary'),
  autoPromote: z.boolean().default(false),
};

/** Adds the options of {@link TestShapeFlags} (and `--auto-promote`) to a command. */
export function addTestShapeOptions(command: Command): Command {
  return command
    .option('--split <control/treatment>', 'traffic split in basis points', '5000/5000')
    .option('--metric <name>', 'primary metric name', 'conversion')
    .option('--kind <binary|continuous>', 'primary metric kind', 'binary')
    .option('--auto-promote', 'promote a winning treatment when the test ends');
}

/** Where each field of the abTest input comes from on the command line, for error messages. */
export const AB_TEST_LABELS = {
  model: '<model>',
  control: '<control>',
  treatment: '<treatment>',
  minimumSampleSize: '--min-sample-size',
  'metric.name': '--metric',
  'metric.kind': '--kind',
};

const Flags = z.object({
  id: z.string().optional(),
  ...TestShapeFlags,
  lowerIsBetter: z.boolean().default(false),
  alpha: numberText(z.number()).optional(),
  minSampleSize: integerText(z.number()).optional(),
  sequential: z.boolean().default(false),
  sequentialTuning: integerText(z.number()).optional(),
  guard: z.string().optional(),
  actor: z.string().default(defaultActor),
});

export function registerAbTestStart(abtest: Command): void {
  addTestShapeOptions(abtest.command('start <model> <control> <treatment>'))
    .description('start a timed A/B test between two versions (the abTest workflow); prints the test id')
    .requiredOption('--duration <duration>', "how long the test runs, e.g. '20s', '12h', '7d'")
    .option('--id <id>', 'test id, also the assignment salt (default <model>-<treatment>-<time>)')
    .option('--lower-is-better', 'smaller values of the metric are better')
    .option('--alpha <number>', 'significance level (default 0.05)')
    .option('--min-sample-size <n>', 'no winner below this many units')
    .option('--sequential', 'always-valid p-values: allows `abtest stop` with a decision')
    .option(
      '--sequential-tuning <n>',
      'total units (both arms) where the always-valid test is tightest, N* (default --min-sample-size, else 5000)',
    )
    .option(
      '--guard <json|@file>',
      "with --auto-promote: guard the promoted winner with this policy, the control as baseline (default: the model's stored policy, if any)",
    )
    .option('--actor <name>', 'who starts it (default $USER)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl abtest start digits 1.0.0 1.1.0 --duration 7d --metric correct --auto-promote\n  $ modelctl abtest start digits 1.0.0 1.1.0 --duration 7d --metric correct --auto-promote --guard @policy.json',
    )
    .action(
      action(
        async (model: string, control: string, treatment: string, raw: unknown, command: Command) => {
          const f = parseFlags(Flags, raw as Record<string, unknown>);
          // Checked before the test starts: a bad policy found only at the promotion would leave the winner unguarded.
          const guard = f.guard === undefined ? undefined : await readJsonArgument('--guard', f.guard);
          if (guard !== undefined) parseInput(GuardPolicy, guard, '--guard');
          const id = f.id ?? defaultAbTestId(model, treatment, new Date());
          const fields: AbTestInput = {
            id,
            model,
            control,
            treatment,
            split: f.split,
            duration: f.duration,
            metric: { name: f.metric, kind: f.kind, higherIsBetter: !f.lowerIsBetter },
            alpha: f.alpha,
            minimumSampleSize: f.minSampleSize,
            sequential: f.sequential,
            sequentialTuning: f.sequentialTuning,
            autoPromote: f.autoPromote,
            guard: guard as GuardPolicy | undefined,
            actor: f.actor,
          };
          parseFlagsAs(AbTestInput, fields, AB_TEST_LABELS);
          const input = { ...fields, id };
          return withLifecycle(command, async (lifecycle) => ({ id, ...(await lifecycle.startAbTest(input)) }));
        },
        (r) =>
          [
            `started A/B test ${r.id} (workflow ${r.workflowId})`,
            ...(r.url ? [`  ${r.url}`] : []),
            `  record outcomes: modelctl abtest record ${r.id} --file outcomes.jsonl`,
          ].join('\n'),
      ),
    );
}
