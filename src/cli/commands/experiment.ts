import type { Command } from 'commander';
import { z } from 'zod';
import { integerText } from '../../domain/strict-number';
import type { ExperimentResults } from '../../client/model-registry';
import { readMetricPointsFile } from '../../client/metric-points-file';
import {
  ExperimentId,
  ExperimentStatus,
  ExperimentTypeSchema,
  Tag,
  type MetricPointInput,
} from '../../domain/experiment';
import { JsonObject } from '../../domain/json';
import type { Experiment } from '../../store/registry-store';
import { action } from '../action';
import { readJsonArgument } from '../../client/input-file';
import { collect, NumericPair, parseFlags } from '../parse-flags';
import { formatNumber, formatTable } from '../table';
import { VersionRefArg } from '../version-ref-arg';
import { withRegistry } from '../with-registry';

const TERMINAL = [ExperimentStatus.COMPLETED, ExperimentStatus.FAILED, ExperimentStatus.CANCELLED] as const;

const StartFlags = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  type: z.string({ error: `required: one of ${ExperimentTypeSchema.options.join(', ')}` }).pipe(ExperimentTypeSchema),
  config: JsonObject.optional(),
  tag: z.array(Tag).default([]),
  description: z.string().max(10_000).optional(),
});

const LogFlags = z
  .object({
    id: ExperimentId,
    points: z.array(NumericPair).default([]),
    step: integerText(
      z.number().int('must be an integer').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER),
    ).optional(),
    file: z.string().min(1).optional(),
  })
  .superRefine((f, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (f.file !== undefined && f.points.length > 0) fail('file', 'give key=value points or --file, not both');
    else if (f.file === undefined && f.points.length === 0) fail('points', 'give at least one key=value, or --file');
    else if (f.file === undefined && f.step === undefined) fail('step', 'required with key=value points');
    else if (f.file !== undefined && f.step !== undefined)
      fail('step', 'not used with --file (each point has its step)');
  });

const EndFlags = z.object({
  id: ExperimentId,
  status: z.enum(TERMINAL, { error: `must be one of ${TERMINAL.join(', ')}` }).default(ExperimentStatus.COMPLETED),
});

const ShowFlags = z.object({
  id: ExperimentId,
  maxPoints: integerText(z.number().int().min(2, 'must be at least 2').max(100_000, 'must be at most 100000')).default(
    500,
  ),
});

const LinkFlags = z.object({ id: ExperimentId, version: VersionRefArg });

/** The experiment for a person: identity, state, then config, summary and linked versions. */
export function formatExperiment(e: Experiment): string {
  const lines = [
    `experiment ${e.id}`,
    `  name      ${e.name}`,
    `  type      ${e.type}`,
    `  status    ${e.status}`,
    `  started   ${e.startedAt}${e.endedAt !== null ? `, ended ${e.endedAt} (${e.durationSeconds ?? 0}s)` : ''}`,
  ];
  if (e.tags.length > 0) lines.push(`  tags      ${e.tags.join(', ')}`);
  if (Object.keys(e.config).length > 0) lines.push(`  config    ${JSON.stringify(e.config)}`);
  if (Object.keys(e.summary).length > 0)
    lines.push(
      `  summary   ${Object.entries(e.summary)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  if (e.linkedVersions.length > 0)
    lines.push(`  versions  ${e.linkedVersions.map((v) => `${v.model}@${v.version}`).join(', ')}`);
  for (const w of e.warnings) lines.push(`  warning   ${w}`);
  return lines.join('\n');
}

function formatResults(r: ExperimentResults): string {
  const rows = Object.entries(r.series).map(([key, points]) => {
    const values = points.map((p) => p.value);
    const last = points[points.length - 1];
    return [
      key,
      String(points.length),
      last === undefined ? '-' : String(last.step),
      formatNumber(last?.value ?? null),
      formatNumber(values.length > 0 ? Math.min(...values) : null),
      formatNumber(values.length > 0 ? Math.max(...values) : null),
    ];
  });
  const series =
    rows.length === 0
      ? 'no metrics logged'
      : formatTable(['metric', 'points', 'last step', 'last', 'min', 'max'], rows, [1, 2, 3, 4, 5]);
  return `${formatExperiment(r.experiment)}\n\n${series}`;
}

/** `modelctl experiment start|log|end|show|link`: track a run and its metric series. */
export function registerExperiment(program: Command): void {
  const experiment = program
    .command('experiment')
    .description('track experiments: start, log metrics, end, show, link versions')
    .addHelpText(
      'after',
      '\nExample:\n  $ id=$(modelctl experiment start baseline --type TRAINING --json | jq -r .id)',
    );

  experiment
    .command('start')
    .argument('<name>', 'experiment name')
    .description('start an experiment (status RUNNING) and print its id')
    .option('--type <type>', `one of ${ExperimentTypeSchema.options.join(', ')}`)
    .option('--config <json|@file>', 'configuration, a JSON object')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--description <text>', 'free text')
    .addHelpText(
      'after',
      '\nExample:\n  $ modelctl experiment start lr-sweep --type HYPERPARAMETER_SWEEP --config \'{"lr":[0.1,0.01]}\' --tag fraud',
    )
    .action(
      action(
        async (
          name: string,
          raw: { type?: string; config?: string; tag?: string[]; description?: string },
          command: Command,
        ) => {
          const f = parseFlags(StartFlags, { ...raw, name, config: await readJsonArgument('--config', raw.config) }, [
            'name',
          ]);
          return withRegistry(command, (r) =>
            r.trackExperiment({
              name: f.name,
              type: f.type,
              tags: f.tag,
              config: f.config,
              description: f.description,
            }),
          );
        },
        (e) => e.id,
      ),
    );

  experiment
    .command('log')
    .argument('<id>', 'experiment id')
    .argument('[points...]', 'metric values as key=value, e.g. loss=0.31 accuracy=0.9')
    .description('log metric points at one step, or a batch from a .json / .jsonl file')
    .option('--step <n>', 'step (epoch, iteration) of the key=value points; an integer ≥ 0')
    .option('--file <path>', 'a JSON array of {key, value, step, timestamp?}, or JSON Lines with one point per line')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl experiment log "$id" loss=0.31 accuracy=0.9 --step 3\n  $ modelctl experiment log "$id" --file points.jsonl',
    )
    .action(
      action(
        async (id: string, points: string[], raw: { step?: string; file?: string }, command: Command) => {
          const f = parseFlags(LogFlags, { ...raw, id, points }, ['id', 'points']);
          const batch: MetricPointInput[] =
            f.file !== undefined
              ? await readMetricPointsFile(f.file, `--file ${f.file}`)
              : f.points.map((p) => ({ ...p, step: f.step! }));
          const logged = await withRegistry(command, (r) => r.logMetrics(f.id, batch));
          return { experimentId: f.id, logged };
        },
        (r) => `logged ${r.logged} point${r.logged === 1 ? '' : 's'} to ${r.experimentId}`,
      ),
    );

  experiment
    .command('end')
    .argument('<id>', 'experiment id')
    .description('end an experiment; its duration is fixed and its status cannot change again')
    .option('--status <status>', `one of ${TERMINAL.join(', ')} (default COMPLETED)`)
    .addHelpText('after', '\nExample:\n  $ modelctl experiment end "$id" --status COMPLETED')
    .action(
      action(async (id: string, raw: { status?: string }, command: Command) => {
        const f = parseFlags(EndFlags, { ...raw, id }, ['id']);
        return withRegistry(command, (r) => r.updateExperiment(f.id, { status: f.status }));
      }, formatExperiment),
    );

  experiment
    .command('show')
    .argument('<id>', 'experiment id')
    .description('show an experiment and a bounded view of each metric series')
    .option('--max-points <n>', 'points per series at most (LTTB downsampling keeps first and last; default 500)')
    .addHelpText('after', '\nExample:\n  $ modelctl experiment show "$id" --max-points 50 --json')
    .action(
      action(async (id: string, raw: { maxPoints?: string }, command: Command) => {
        const f = parseFlags(ShowFlags, { ...raw, id }, ['id']);
        return withRegistry(command, (r) => r.getExperimentResults(f.id, { maxPoints: f.maxPoints }));
      }, formatResults),
    );

  experiment
    .command('link')
    .argument('<id>', 'experiment id')
    .argument('<version>', '<model>@<version>, e.g. fraud@1.1.0')
    .description('link an existing model version to an experiment')
    .addHelpText('after', '\nExample:\n  $ modelctl experiment link "$id" fraud@1.1.0')
    .action(
      action(async (id: string, version: string, _raw: unknown, command: Command) => {
        const f = parseFlags(LinkFlags, { id, version }, ['id', 'version']);
        return withRegistry(command, (r) => r.linkVersion(f.id, f.version));
      }, formatExperiment),
    );
}
