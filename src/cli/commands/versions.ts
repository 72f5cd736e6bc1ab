import type { Command } from 'commander';
import { z } from 'zod';
import type { ModelVersion } from '../../domain/model-version';
import { ModelName } from '../../domain/names';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { formatTable } from '../table';
import { withRegistry } from '../with-registry';

function formatVersions(versions: ModelVersion[]): string {
  const rows = versions.map((v) => [
    v.version,
    v.status,
    v.parentVersion ?? '-',
    v.createdAt,
    v.author,
    Object.entries(v.metrics)
      .map(([k, x]) => `${k}=${x}`)
      .join(' '),
  ]);
  return formatTable(['version', 'status', 'parent', 'created', 'author', 'metrics'], rows);
}

/** `modelctl versions <model>`: the versions of a model in semver order. */
export function registerVersions(program: Command): void {
  program
    .command('versions')
    .argument('<model>', 'model name')
    .description('list the versions of a model in semver order')
    .addHelpText('after', '\nExample:\n  $ modelctl versions fraud')
    .action(
      action(async (model: string, _raw: unknown, command: Command) => {
        const f = parseFlags(z.object({ model: ModelName }), { model }, ['model']);
        return withRegistry(command, (r) => r.requireModel(f.model));
      }, formatVersions),
    );
}
