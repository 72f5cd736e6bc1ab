import type { Command } from 'commander';
import { z } from 'zod';
import type { ProductionAnswer } from '../../client/model-registry';
import { ModelName } from '../../domain/names';
import { IsoTimestamp } from '../../domain/timestamp';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { withRegistry } from '../with-registry';

const ProductionFlags = z.object({ model: ModelName, at: IsoTimestamp.optional() });

function formatProduction(p: ProductionAnswer): string {
  const when = p.at === null ? '' : ` at ${p.at}`;
  if (p.version === null) return `${p.model}: no version in production${when}`;
  const v = p.modelVersion;
  const details =
    v === null ? ' (since deleted)' : `  promoted ${p.since ?? '-'}  sha256 ${v.artifact.sha256.slice(0, 12)}`;
  return `${p.model}@${p.version}${when}${details}`;
}

/** `modelctl production <model> [--at <time>]`: the version serving now or at a past time. */
export function registerProduction(program: Command): void {
  program
    .command('production')
    .argument('<model>', 'model name')
    .description('the version in production now, or at a past time (from the audit events)')
    .option('--at <time>', 'ISO 8601 time with a zone, e.g. 2025-03-01T12:00:00Z')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl production fraud\n  $ modelctl production fraud --at 2025-03-01T12:00:00Z --json',
    )
    .action(
      action(async (model: string, raw: { at?: string }, command: Command) => {
        const f = parseFlags(ProductionFlags, { ...raw, model }, ['model']);
        return withRegistry(command, (r) => r.production(f.model, f.at));
      }, formatProduction),
    );
}
