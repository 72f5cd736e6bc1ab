import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { defaultActor } from '../default-actor';
import { z } from 'zod';
import { pathFlag } from '../path-flag';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import { ExperimentId } from '../../domain/experiment';
import { JsonObject, MetricMap } from '../../domain/json';
import { InitialStatus } from '../../domain/lifecycle';
import { Sha256, type ModelVersion } from '../../domain/model-version';
import { Actor, ModelName } from '../../domain/names';
import { SemVer, VersionBump } from '../../domain/semver';
import { action } from '../action';
import { readJsonArgument } from '../../client/input-file';
import { readEvaluationFile } from '../../client/evaluation-file';
import { tooManyEvaluationSamples } from '../../client/remote/remote-registry';
import { DEFAULT_EVAL_SET, EvalSetName } from '../../domain/evaluation';
import { describeEvaluation } from './evaluate';
import { collect, NumericPair, parseFlags } from '../parse-flags';
import { startProgress } from '../progress';
import { formatBytes } from '../table';
import { jsonMode, withRegistry } from '../with-registry';

const RegisterFlags = z
  .object({
    model: ModelName,
    artifactPath: pathFlag('a file or directory'),
    version: SemVer.optional(),
    bump: VersionBump.optional(),
    parent: SemVer.optional(),
    experiment: ExperimentId.optional(),
    config: JsonObject.optional(),
    metrics: MetricMap.optional(),
    metric: z.array(NumericPair).default([]),
    author: z.string({ error: 'required: pass --author or set USER' }).pipe(Actor),
    description: z.string().max(10_000).optional(),
    gitDir: pathFlag('a directory').optional(),
    sha256: Sha256.optional(),
    status: InitialStatus.optional(),
    evalSamples: pathFlag('a JSON Lines file').optional(),
    evalSet: EvalSetName.optional(),
  })
  .superRefine((f, ctx) => {
    if (f.version !== undefined && f.bump !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['bump'], message: 'give either --version or --bump, not both' });
    }
    if (f.evalSet !== undefined && f.evalSamples === undefined) {
      ctx.addIssue({ code: 'custom', path: ['evalSet'], message: 'names the set of --eval-samples; give that too' });
    }
  });

interface RawRegisterOptions {
  version?: string;
  bump?: string;
  parent?: string;
  experiment?: string;
  config?: string;
  metrics?: string;
  metric?: string[];
  author?: string;
  description?: string;
  gitDir?: string;
  sha256?: string;
  status?: string;
  evalSamples?: string;
  evalSet?: string;
}

type Evaluation = { evalSet: string; samples: number; metrics: string[] };

function describe(v: ModelVersion & { evaluation?: Evaluation }): string {
  const git =
    v.git === null
      ? `git: ${v.gitReason ?? 'none'}`
      : `git ${v.git.commit.slice(0, 12)}${v.git.branch ? ` (${v.git.branch})` : ''}${v.git.dirty ? ' dirty' : ''}`;
  const metrics = Object.entries(v.metrics)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ');
  return [
    `registered ${v.model}@${v.version} (${v.status})`,
    `  artifact  ${v.artifact.uri} (${formatBytes(v.artifact.sizeBytes)}, sha256 ${v.artifact.sha256})`,
    `  parent    ${v.parentVersion ?? '-'}`,
    `  metrics   ${metrics === '' ? '-' : metrics}`,
    ...(v.experimentId !== null ? [`  experiment ${v.experimentId}`] : []),
    `  ${git}`,
    ...(v.evaluation !== undefined ? [`  ${describeEvaluation({ ...v, ...v.evaluation })}`] : []),
  ].join('\n');
}

/** `modelctl register <model> <artifact-path>`: store the artifact and create a version with its provenance. */
export function registerRegister(program: Command): void {
  program
    .command('register')
    .argument('<model>', 'model name, e.g. fraud')
    .argument('<artifact-path>', 'file or directory to store (a directory is packed as a deterministic tar)')
    .description('store an artifact and register it as a new model version (config, metrics, lineage, Git commit)')
    .option('--version <semver>', 'explicit version, e.g. 1.4.0')
    .option('--bump <part>', 'next version from the highest: major, minor or patch (default patch; 1.0.0 first)')
    .option('--parent <semver>', 'version of the same model this one derives from')
    .option('--experiment <id>', 'experiment that produced it')
    .option('--config <json|@file>', 'training configuration, a JSON object')
    .option('--metrics <json|@file>', 'final metrics, a JSON object of numbers')
    .option('--metric <key=value>', 'one final metric (repeatable; wins over --metrics)', collect)
    .option('--author <name>', 'who registers it (default $USER, else the login name)')
    .option('--description <text>', 'free text')
    .option('--git-dir <dir>', 'repository of the training code (default the current directory)')
    .option('--sha256 <hex>', 'expected sha256 of the artifact; registration fails if the bytes differ')
    .option('--status <status>', 'TRAINING or VALIDATION (default VALIDATION)')
    .option(
      '--eval-samples <file>',
      'evaluation samples to attach, JSON Lines {"unit", "metric", "value"} (see evaluate)',
    )
    .option('--eval-set <name>', `evaluation set of --eval-samples (default ${DEFAULT_EVAL_SET})`)
    .addHelpText(
      'after',
      `
Examples:
  $ modelctl register fraud ./model.json --metric accuracy=0.93 --metric auc=0.97 --config @train.json
  $ modelctl register fraud ./model.json --bump minor --parent 1.0.0 --experiment 6f1c… --json`,
    )
    .action(
      action(async (model: string, artifactPath: string, raw: RawRegisterOptions, command: Command) => {
        const f = parseFlags(
          RegisterFlags,
          {
            ...raw,
            model,
            artifactPath,
            author: raw.author ?? defaultActor(),
            config: await readJsonArgument('--config', raw.config),
            metrics: await readJsonArgument('--metrics', raw.metrics),
          },
          ['model', 'artifactPath'],
        );
        // An explicit repository that is not there is a mistake to report, not a version without provenance.
        if (
          f.gitDir !== undefined &&
          !(await stat(f.gitDir).then(
            (s) => s.isDirectory(),
            () => false,
          ))
        )
          throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid --git-dir: ${f.gitDir} is not a directory`);
        const metrics = { ...f.metrics, ...Object.fromEntries(f.metric.map((p) => [p.key, p.value])) };
        // Read and checked before anything is stored: a bad samples file registers nothing.
        const samples = f.evalSamples === undefined ? undefined : await readEvaluationFile(f.evalSamples);
        const size = await stat(f.artifactPath).then(
          (s) => (s.isFile() ? ` (${formatBytes(s.size)})` : ''),
          () => '',
        );
        return withRegistry(command, async (registry) => {
          // Over HTTP a set travels in one request: refuse a larger one before the version exists.
          if (samples !== undefined && samples.length > registry.evaluationSampleLimit)
            throw tooManyEvaluationSamples(samples.length);
          const progress = startProgress(`storing ${f.artifactPath}${size}`, !jsonMode(command));
          try {
            const version = await registry.registerVersion({
              model: f.model,
              artifactPath: f.artifactPath,
              version: f.version,
              bump: f.bump,
              parentVersion: f.parent,
              experimentId: f.experiment,
              config: f.config,
              metrics,
              author: f.author,
              description: f.description,
              gitDir: f.gitDir,
              expectedSha256: f.sha256,
              status: f.status,
            });
            if (samples === undefined) return version;
            const evaluation = await registry.attachEvaluation({
              model: version.model,
              version: version.version,
              evalSet: f.evalSet ?? DEFAULT_EVAL_SET,
              samples,
            });
            return { ...version, evaluation };
          } finally {
            progress.stop();
          }
        });
      }, describe),
    );
}
