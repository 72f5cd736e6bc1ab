import type { Command } from 'commander';
import { z } from 'zod';
import type { MetricTrend } from '../../client/trend';
import { EvalSetName } from '../../domain/evaluation';
import { MetricKey } from '../../domain/experiment';
import { ModelName } from '../../domain/names';
import { formatP } from '../../stats/decision';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { formatNumber, formatSigned, formatTable } from '../table';
import { withRegistry } from '../with-registry';

const TrendFlags = z.object({
  model: ModelName,
  metric: MetricKey,
  evalSet: EvalSetName.optional(),
  lowerIsBetter: z.boolean().optional(),
});

/** The trend as a table: version, status, final value, evaluation mean (units), b − parent [CI], Holm p, flag. */
export function formatTrend(t: MetricTrend): string {
  const rows = t.points.map((p) => {
    const s = p.vsParent;
    const diff =
      s === null
        ? '-'
        : `${formatSigned(s.difference.estimate)}${s.difference.ciLow === null || s.difference.ciHigh === null ? '' : ` [${formatSigned(s.difference.ciLow)}, ${formatSigned(s.difference.ciHigh)}]`}`;
    return [
      p.version,
      p.status,
      formatNumber(p.value),
      p.evaluation === null ? '-' : `${formatNumber(p.evaluation.mean)} (${p.evaluation.units})`,
      p.parentVersion ?? '-',
      diff,
      s?.pValueAdjusted == null ? '-' : formatP(s.pValueAdjusted),
      p.regression ? 'REGRESSION' : (s?.verdict ?? ''),
    ];
  });
  const set = t.evalSet === null ? 'no evaluation samples' : `evaluation set ${t.evalSet}`;
  const header = ['version', 'status', t.metric, 'evaluated (units)', 'parent', 'vs parent [95% CI]', 'p (Holm)', ''];
  return `${t.model} ${t.metric} (${t.higherIsBetter ? 'higher' : 'lower'} is better; ${set}):\n${formatTable(header, rows, [2])}`;
}

/** `modelctl trend <model> --metric <m>`: a metric across versions, regressions against the parent flagged. */
export function registerTrend(program: Command): void {
  program
    .command('trend')
    .argument('<model>', 'model name')
    .description(
      'a metric across versions in semver order, each against its parent with significance where samples exist',
    )
    .requiredOption('--metric <name>', 'the metric: a final metric or an evaluation-sample metric')
    .option('--eval-set <name>', 'evaluation set of the samples (default the first, by name, that holds the metric)')
    .option('--lower-is-better', 'a decrease is the improvement (loss, error, latency)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl trend digits --metric correct\n  $ modelctl trend fraud --metric loss --lower-is-better --json',
    )
    .action(
      action(
        async (
          model: string,
          raw: { metric?: string; evalSet?: string; lowerIsBetter?: boolean },
          command: Command,
        ) => {
          const f = parseFlags(TrendFlags, { ...raw, model }, ['model']);
          return withRegistry(command, (r) =>
            r.trend(f.model, f.metric, {
              evalSet: f.evalSet,
              lowerIsBetter: f.lowerIsBetter,
            }),
          );
        },
        formatTrend,
      ),
    );
}
