import type { Command } from 'commander';
import { z } from 'zod';
import type { VersionComparison } from '../../client/compare';
import { MetricKey } from '../../domain/experiment';
import { formatP } from '../../stats/decision';
import type { MetricSignificance } from '../../stats/version-significance';
import { action } from '../action';
import { collect, parseFlags } from '../parse-flags';
import { formatNumber, formatPercent, formatSigned, formatTable } from '../table';
import { VersionRefArg } from '../version-ref-arg';
import { withRegistry } from '../with-registry';

const CompareFlags = z.object({
  a: VersionRefArg,
  b: VersionRefArg,
  metric: z.array(MetricKey).optional(),
  lowerIsBetter: z.array(MetricKey).optional(),
});

const pOrDash = (p: number | null) => (p === null ? '-' : formatP(p));

function interval(s: MetricSignificance): string {
  const d = formatSigned(s.difference.estimate);
  if (s.difference.ciLow === null || s.difference.ciHigh === null) return d;
  return `${d} [${formatSigned(s.difference.ciLow)}, ${formatSigned(s.difference.ciHigh)}]`;
}

/** The significance table: per set and metric, the test, sizes, means, b − a with its 95 % CI, p and Holm p. */
function formatSignificance(c: VersionComparison): string {
  if (c.significance.length === 0) return c.significanceNote ?? '';
  const rows = c.significance.map((s) => [
    s.evalSet,
    s.metric,
    `${s.test}${s.paired ? '' : ' (unpaired)'}`,
    s.paired ? String(s.units.a) : `${s.units.a}/${s.units.b}`,
    formatNumber(s.a.mean),
    formatNumber(s.b.mean),
    interval(s),
    pOrDash(s.pValue),
    pOrDash(s.pValueAdjusted),
    s.verdict,
  ]);
  const header = ['set', 'metric', 'test', 'units', 'a', 'b', 'b − a [95% CI]', 'p', 'p (Holm)', 'verdict'];
  return `significance, b against a:\n${formatTable(header, rows, [3, 4, 5, 7, 8])}`;
}

/** The comparison as a table: metric, a, b, b − a and (b − a) / |a|. */
export function formatComparison(c: VersionComparison): string {
  const a = `${c.a.model}@${c.a.version}`;
  const b = `${c.b.model}@${c.b.version}`;
  if (c.metrics.length === 0 && c.significance.length === 0)
    return `${a} (${c.a.status}) and ${b} (${c.b.status}) have no metrics`;
  if (c.metrics.length === 0) return formatSignificance(c);
  const rows = c.metrics.map((m) => [
    m.name,
    formatNumber(m.a),
    formatNumber(m.b),
    formatSigned(m.absoluteDifference),
    formatPercent(m.relativeDifference),
  ]);
  return `${formatTable(['metric', a, b, 'diff', 'relative'], rows, [1, 2, 3, 4])}\n\n${formatSignificance(c)}`;
}

/** `modelctl compare <model>@<a> <model>@<b>`: final metrics side by side. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .argument('<a>', 'baseline, <model>@<version>')
    .argument('<b>', 'candidate, <model>@<version>')
    .description(
      'compare two versions, b against a: final metrics side by side, and with significance where both carry evaluation samples',
    )
    .option(
      '--metric <name>',
      'compare only this metric (repeatable; default every metric either version has)',
      collect,
    )
    .option('--lower-is-better <name>', 'a metric where a decrease is the improvement, e.g. loss (repeatable)', collect)
    .addHelpText('after', '\nExample:\n  $ modelctl compare fraud@1.0.0 fraud@1.1.0 --metric accuracy --metric auc')
    .action(
      action(async (a: string, b: string, raw: { metric?: string[]; lowerIsBetter?: string[] }, command: Command) => {
        const f = parseFlags(CompareFlags, { ...raw, a, b }, ['a', 'b']);
        return withRegistry(command, (r) => r.compareVersions(f.a, f.b, f.metric, { lowerIsBetter: f.lowerIsBetter }));
      }, formatComparison),
    );
}
