import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { pathFlag } from '../path-flag';
import type { RegistryReport } from '../../client/report';
import { action } from '../action';
import { writeOutputFile } from '../output-file';
import { parseFlags } from '../parse-flags';
import { withRegistry } from '../with-registry';

/** What `report --out` prints: where the report went and how much it holds. */
interface WrittenReport {
  out: string;
  schemaVersion: number;
  models: number;
  experiments: number;
  abTests: number;
}

const ReportFlags = z.object({ out: pathFlag('a file').optional() });

/** `modelctl report [--out file]`: the whole registry as JSON (docs/report-schema.md). */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'export the whole registry (models, versions, timelines, experiments, A/B tests) as JSON; layout in docs/report-schema.md',
    )
    .option('--out <file>', 'write the report to this file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl report > report.json\n  $ modelctl report --out .modelctl/report.json',
    )
    .action(
      action(
        async (raw: { out?: string }, command: Command): Promise<RegistryReport | WrittenReport> => {
          const f = parseFlags(ReportFlags, raw);
          const report = await withRegistry(command, (r) => r.exportReport());
          if (f.out === undefined) return report;
          const out = resolve(f.out);
          await writeOutputFile('--out', out, `${JSON.stringify(report, null, 2)}\n`);
          return {
            out,
            schemaVersion: report.schemaVersion,
            models: report.models.length,
            experiments: report.experiments.length,
            abTests: report.abTests.length,
          };
        },
        (r) =>
          'out' in r
            ? `wrote ${r.out}: ${r.models} models, ${r.experiments} experiments, ${r.abTests} A/B tests`
            : JSON.stringify(r, null, 2),
      ),
    );
}
