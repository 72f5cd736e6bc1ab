import type { Command } from 'commander';
import { z } from 'zod';
import type { VersionComparison } from '../../client/compare';
import { MetricKey } from '../../domain/experiment';
import { action } from '../action';
import { collect, parseFlags } from '../parse-flags';
import { formatNumber, formatPercent, formatSigned, formatTable } from '../table';
import { VersionRefArg } from '../version-ref-arg';
import { withRegistry } from '../with-registry';

const CompareFlags = z.object({ a: VersionRefArg, b: VersionRefArg, metric: z.array(MetricKey).optional() });

/** The comparison as a table: metric, a, b, b − a and (b − a) / |a|. */
export function formatComparison(c: VersionComparison): string {
  const a = `${c.a.model}@${c.a.version}`;
  const b = `${c.b.model}@${c.b.version}`;
  if (c.metrics.length === 0) return `${a} (${c.a.status}) and ${b} (${c.b.status}) have no metrics`;
  const rows = c.metrics.map((m) => [
    m.name,
    formatNumber(m.a),
    formatNumber(m.b),
    formatSigned(m.absoluteDifference),
    formatPercent(m.relativeDifference),
  ]);
  return formatTable(['metric', a, b, 'diff', 'relative'], rows, [1, 2, 3, 4]);
}

/** `modelctl compare <model>@<a> <model>@<b>`: final metrics side by side. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .argument('<a>', 'baseline, <model>@<version>')
    .argument('<b>', 'candidate, <model>@<version>')
    .description('compare the final metrics of two versions: b against a, absolute and relative difference')
    .option(
      '--metric <name>',
      'compare only this metric (repeatable; default every metric either version has)',
      collect,
    )
    .addHelpText('after', '\nExample:\n  $ modelctl compare fraud@1.0.0 fraud@1.1.0 --metric accuracy --metric auc')
    .action(
      action(async (a: string, b: string, raw: { metric?: string[] }, command: Command) => {
        const f = parseFlags(CompareFlags, { ...raw, a, b }, ['a', 'b']);
        return withRegistry(command, (r) => r.compareVersions(f.a, f.b, f.metric));
      }, formatComparison),
    );
}
