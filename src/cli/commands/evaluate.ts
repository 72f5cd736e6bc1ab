import type { Command } from 'commander';
import { z } from 'zod';
import { pathFlag } from '../path-flag';
import { readEvaluationFile } from '../../client/evaluation-file';
import { DEFAULT_EVAL_SET, EvalSetName } from '../../domain/evaluation';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { VersionRefArg } from '../version-ref-arg';
import { withRegistry } from '../with-registry';

const EvaluateFlags = z.object({
  ref: VersionRefArg,
  file: pathFlag('a JSON Lines file'),
  evalSet: EvalSetName.default(DEFAULT_EVAL_SET),
});

/** How `evaluate` and `register --eval-samples` report what they attached. */
export function describeEvaluation(r: {
  model: string;
  version: string;
  evalSet: string;
  samples: number;
  metrics: string[];
}): string {
  return `attached ${r.samples} evaluation sample${r.samples === 1 ? '' : 's'} (${r.metrics.join(', ')}) on set ${r.evalSet} to ${r.model}@${r.version}`;
}

/** `modelctl evaluate <model>@<version> <file> [--eval-set <name>]`: attach per-unit evaluation samples. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .argument('<version>', '<model>@<version>, e.g. fraud@1.1.0')
    .argument(
      '<file>',
      'JSON Lines, one {"unit": "<id>", "metric": "<name>", "value": <number>} a line (0/1 for binary)',
    )
    .description(
      'attach evaluation samples (per-unit values on a named evaluation set) to a version, for compare with significance',
    )
    .option(
      '--eval-set <name>',
      `evaluation set the samples belong to (default ${DEFAULT_EVAL_SET}); replaces what the version held for it`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl evaluate digits@1.1.0 heldout.jsonl --eval-set heldout\n  $ modelctl compare digits@1.0.0 digits@1.1.0',
    )
    .action(
      action(async (ref: string, file: string, raw: { evalSet?: string }, command: Command) => {
        const f = parseFlags(EvaluateFlags, { ...raw, ref, file }, ['ref', 'file']);
        const samples = await readEvaluationFile(f.file);
        const r = await withRegistry(command, (registry) =>
          registry.attachEvaluation({ ...f.ref, evalSet: f.evalSet, samples }),
        );
        return { ...f.ref, ...r };
      }, describeEvaluation),
    );
}
