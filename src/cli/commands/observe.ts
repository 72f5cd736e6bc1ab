import type { Command } from 'commander';
import { z } from 'zod';
import { readObservationsFile } from '../../client/observations-file';
import { ModelName } from '../../domain/names';
import { SemVer } from '../../domain/semver';
import { IsoTimestamp } from '../../domain/timestamp';
import type { ObservationInput } from '../../domain/observation';
import { action } from '../action';
import { NumericPair, parseFlags } from '../parse-flags';
import { withRegistry } from '../with-registry';

const ObserveFlags = z
  .object({
    model: ModelName,
    version: SemVer,
    observations: z.array(NumericPair).default([]),
    file: z.string().min(1).optional(),
    timestamp: IsoTimestamp.optional(),
  })
  .superRefine((f, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (f.file !== undefined && f.observations.length > 0)
      fail('file', 'give metric=value observations or --file, not both');
    else if (f.file === undefined && f.observations.length === 0)
      fail('observations', 'give at least one metric=value, or --file');
    else if (f.file !== undefined && f.timestamp !== undefined)
      fail('timestamp', 'not used with --file (each line has its timestamp)');
  });

/** `modelctl observe <model> --version <v> metric=value … | --file <jsonl>`: record production observations. */
export function registerObserve(program: Command): void {
  program
    .command('observe')
    .argument('<model>', 'model name')
    .argument('[observations...]', 'one observation per metric=value, e.g. error=0 latency_ms=41.5')
    .description('record production observations of the version that served (what a guard checks)')
    .requiredOption('--version <version>', 'the version that served, e.g. 1.1.0')
    .option(
      '--file <path>',
      'JSON Lines, one {metric, value | window: {count, sum, sumSquares, min, max}, timestamp?} a line',
    )
    .option('--timestamp <iso>', 'when the metric=value observations happened (default now), ISO 8601 with a zone')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl observe fraud --version 1.1.0 error=0 latency_ms=41.5\n  $ modelctl observe fraud --version 1.1.0 --file observations.jsonl',
    )
    .action(
      action(
        async (
          model: string,
          observations: string[],
          raw: { version?: string; file?: string; timestamp?: string },
          command: Command,
        ) => {
          const f = parseFlags(ObserveFlags, { ...raw, model, observations }, ['model', 'observations']);
          const ref = { model: f.model, version: f.version };
          const batch: ObservationInput[] =
            f.file !== undefined
              ? await readObservationsFile(f.file, ref, `--file ${f.file}`)
              : f.observations.map((p) => ({
                  ...ref,
                  metric: p.key,
                  value: p.value,
                  timestamp: f.timestamp,
                }));
          const { recorded } = await withRegistry(command, (r) => r.recordObservations(batch));
          return { ...ref, recorded };
        },
        (r) => `recorded ${r.recorded} observation${r.recorded === 1 ? '' : 's'} of ${r.model}@${r.version}`,
      ),
    );
}
