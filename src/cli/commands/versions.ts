import type { Command } from 'commander';
import { z } from 'zod';
import type { ModelVersion } from '../../domain/model-version';
import { ModelName } from '../../domain/names';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { formatTable } from '../table';
import { withRegistry } from '../with-registry';

function formatVersions(result: ModelVersion[] | ModelVersion): string {
  const versions = Array.isArray(result) ? result : [result];
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
    .option('--latest-stable', 'only the highest version that is not a prerelease (1.2.0 over 1.3.0-rc.1)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl versions fraud\n  $ modelctl versions fraud --latest-stable --json',
    )
    .action(
      action(async (model: string, raw: { latestStable?: boolean }, command: Command) => {
        const f = parseFlags(z.object({ model: ModelName }), { model }, ['model']);
        return withRegistry(command, (r): Promise<ModelVersion | ModelVersion[]> =>
          raw.latestStable === true ? r.latestStable(f.model) : r.requireModel(f.model),
        );
      }, formatVersions),
    );
}
