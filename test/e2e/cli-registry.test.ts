import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ExperimentResults, RegistryReport, VersionComparison } from '../../src/client';
import type { ModelVersion } from '../../src/domain';
import { openStore, type Experiment, type RegistryStore } from '../../src/store';
import { spawnSync } from 'node:child_process';
import { BIN, buildCli, modelctl, type Run } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/git-repo';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { startCliSession, type CliMode, type CliSession } from '../helpers/cli-modes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every file under `dir`, relative, sorted: the artifact store's content. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** A successful `--json` run: exit 0, nothing on stderr, the parsed output. */
function ok<T>(run: Run): T {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as T;
}

beforeAll(() => buildCli());

// Remote mode on SQLite only: the server's store is the library's, which the local runs cover on both backends.
const RUNS: [string, 'sqlite' | 'postgres', CliMode][] = [
  ['sqlite', 'sqlite', 'local'],
  ['postgres', 'postgres', 'local'],
  ['sqlite through modelctl serve', 'sqlite', 'remote'],
];

describe.each(RUNS)('modelctl registry commands on %s', (_name, backend, mode) => {
  let home: string;
  let repo: TempRepo;
  let database: TestDatabase | null = null;
  let store: RegistryStore;
  let session: CliSession;
  let env: NodeJS.ProcessEnv;
  let commits: string[];
  const cli = (...args: string[]) => modelctl(args, { env });
  // The shape each command prints is asserted by the tests; the type parameter only saves casts.
  const json = <T = unknown>(...args: string[]) => ok<T>(cli(...args, '--json'));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-cli-'));
    repo = await makeTempRepo();
    commits = [await repo.commit('train.py', 'print("v1")\n')];
    database = backend === 'postgres' ? await createTestDatabase() : null;
    session = await startCliSession(mode, {
      MODELCTL_HOME: home,
      DATABASE_URL: database?.url,
      ARTIFACT_STORE: undefined,
      USER: 'alice',
    });
    env = session.env;
    writeFileSync(join(home, 'v1.bin'), 'weights of v1');
    writeFileSync(join(home, 'v2.bin'), 'weights of v2');
    writeFileSync(join(home, 'metrics.json'), JSON.stringify({ accuracy: 0.91, auc: 0.97, loss: 0.25 }));
  });

  afterAll(async () => {
    await session?.close();
    await store?.close();
    await database?.drop();
    await repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  let v1: ModelVersion;
  let v2: ModelVersion;
  let experimentId: string;

  test('register stores the artifact and creates 1.0.0 with config, metrics, author and the Git commit', async () => {
    v1 = json<ModelVersion>(
      'register',
      'fraud',
      join(home, 'v1.bin'),
      '--config',
      '{"lr":0.1,"layers":[8,4]}',
      '--metric',
      'accuracy=0.9',
      '--metric',
      'auc=0.95',
      '--description',
      'baseline',
      '--git-dir',
      repo.dir,
    );
    const digest = sha256('weights of v1');
    expect(v1).toEqual({
      id: expect.stringMatching(UUID),
      model: 'fraud',
      version: '1.0.0',
      parentVersion: null,
      status: 'VALIDATION',
      artifact: {
        uri: `file://${home}/artifacts/sha256/${digest.slice(0, 2)}/${digest}`,
        sha256: digest,
        sizeBytes: 13,
        mediaType: 'application/octet-stream',
      },
      config: { lr: 0.1, layers: [8, 4] },
      metrics: { accuracy: 0.9, auc: 0.95 },
      experimentId: null,
      git: { commit: commits[0], branch: 'main', dirty: false, diffSha256: null, detached: false, remote: null },
      gitReason: null,
      author: 'alice',
      description: 'baseline',
      createdAt: expect.stringMatching(ISO),
      updatedAt: v1.createdAt,
      promotedAt: null,
      deprecatedAt: null,
    });
    store = await openStore(database !== null ? { databaseUrl: database.url } : { home });
    expect(await store.getVersion('fraud', '1.0.0')).toEqual(v1);
    expect(readFileSync(join(home, 'artifacts/sha256', digest.slice(0, 2), digest), 'utf8')).toBe('weights of v1');
  });

  test('experiment start prints the id; log takes key=value at a step and batches from .jsonl and .json files', async () => {
    const started = cli(
      'experiment',
      'start',
      'fraud-train',
      '--type',
      'TRAINING',
      '--config',
      '{"epochs":3}',
      '--tag',
      'fraud',
      '--tag',
      'baseline',
    );
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    experimentId = started.stdout.trim();
    expect(json('experiment', 'log', experimentId, 'loss=0.9', 'accuracy=0.6', '--step', '0')).toEqual({
      experimentId,
      logged: 2,
    });
    writeFileSync(
      join(home, 'points.jsonl'),
      [
        '{"key":"loss","value":0.5,"step":1}',
        '',
        '{"key":"accuracy","value":0.8,"step":1}',
        '{"key":"loss","value":0.3,"step":2}',
      ].join('\n'),
    );
    expect(json('experiment', 'log', experimentId, '--file', join(home, 'points.jsonl'))).toEqual({
      experimentId,
      logged: 3,
    });
    writeFileSync(
      join(home, 'points.json'),
      JSON.stringify([{ key: 'accuracy', value: 0.9, step: 2, timestamp: '2025-03-01T12:00:00Z' }]),
    );
    const human = cli('experiment', 'log', experimentId, '--file', join(home, 'points.json'));
    expect(human).toEqual({ status: 0, stdout: `logged 1 point to ${experimentId}\n`, stderr: '' });

    const history = await store.metricHistory({ experimentId, key: 'accuracy' });
    expect(history.points.map((p) => [p.step, p.value])).toEqual([
      [0, 0.6],
      [1, 0.8],
      [2, 0.9],
    ]);
    expect(history.points[2]!.timestamp).toBe('2025-03-01T12:00:00.000Z');
    expect((await store.metricHistory({ experimentId, key: 'loss' })).points.map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [1, 0.5],
      [2, 0.3],
    ]);
  });

  test('a second version with --bump, --parent, --experiment, --metrics @file, --sha256 keeps lineage and links the experiment', async () => {
    commits.push(await repo.commit('train.py', 'print("v2")\n'));
    const digest = sha256('weights of v2');
    const run = modelctl(
      [
        'register',
        'fraud',
        join(home, 'v2.bin'),
        '--bump',
        'minor',
        '--parent',
        '1.0.0',
        '--experiment',
        experimentId,
        '--metrics',
        `@${join(home, 'metrics.json')}`,
        '--metric',
        'accuracy=0.93',
        '--sha256',
        digest,
        '--author',
        'bob',
        '--json',
      ],
      { env, cwd: repo.dir },
    );
    v2 = ok<ModelVersion>(run);
    expect(v2).toMatchObject({
      version: '1.1.0',
      parentVersion: '1.0.0',
      status: 'VALIDATION',
      experimentId,
      // A remote registration records the token's name: --author is not sent (README, remote mode).
      author: mode === 'remote' ? 'alice' : 'bob',
      description: null,
      config: {},
    });
    expect(v2.metrics).toEqual({ accuracy: 0.93, auc: 0.97, loss: 0.25 });
    expect(v2.artifact.sha256).toBe(digest);
    expect(v2.git).toEqual({
      commit: commits[1],
      branch: 'main',
      dirty: false,
      diffSha256: null,
      detached: false,
      remote: null,
    });
    expect(await store.getVersion('fraud', '1.1.0')).toEqual(v2);
  });

  test('experiment link, end and show: linked versions, terminal status, summary and downsampled series', async () => {
    const linked = json<Experiment>('experiment', 'link', experimentId, 'fraud@1.0.0');
    expect(linked.linkedVersions).toEqual([
      { model: 'fraud', version: '1.0.0' },
      { model: 'fraud', version: '1.1.0' },
    ]);
    const ended = json<Experiment>('experiment', 'end', experimentId, '--status', 'COMPLETED');
    expect(ended).toEqual({
      id: experimentId,
      name: 'fraud-train',
      type: 'TRAINING',
      status: 'COMPLETED',
      description: null,
      config: { epochs: 3 },
      tags: ['fraud', 'baseline'],
      summary: { accuracy: 0.9, loss: 0.3 },
      startedAt: expect.stringMatching(ISO),
      endedAt: expect.stringMatching(ISO),
      durationSeconds: (Date.parse(ended.endedAt!) - Date.parse(ended.startedAt)) / 1000,
      externalIds: {},
      linkedVersions: [
        { model: 'fraud', version: '1.0.0' },
        { model: 'fraud', version: '1.1.0' },
      ],
      warnings: [],
    });
    expect(await store.getExperiment(experimentId)).toEqual(ended);
    const shown = json<ExperimentResults>('experiment', 'show', experimentId, '--max-points', '2');
    expect(shown.experiment).toEqual(ended);
    expect(Object.keys(shown.series)).toEqual(['accuracy', 'loss']);
    expect(shown.series.loss!.map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [2, 0.3],
    ]);
    expect(shown.series.accuracy!.map((p) => [p.step, p.value])).toEqual([
      [0, 0.6],
      [2, 0.9],
    ]);
  });

  test('compare: both versions side by side with absolute and relative differences, as JSON and as a table', () => {
    const all = json('compare', 'fraud@1.0.0', 'fraud@1.1.0');
    expect(all).toEqual({
      a: { model: 'fraud', version: '1.0.0', status: 'VALIDATION' },
      b: { model: 'fraud', version: '1.1.0', status: 'VALIDATION' },
      metrics: [
        { name: 'accuracy', a: 0.9, b: 0.93, absoluteDifference: 0.93 - 0.9, relativeDifference: (0.93 - 0.9) / 0.9 },
        { name: 'auc', a: 0.95, b: 0.97, absoluteDifference: 0.97 - 0.95, relativeDifference: (0.97 - 0.95) / 0.95 },
        { name: 'loss', a: null, b: 0.25, absoluteDifference: null, relativeDifference: null },
      ],
      significance: [],
      significanceNote:
        'no evaluation samples shared by both versions: no significance is available (attach them with modelctl evaluate)',
    });
    expect(
      json<VersionComparison>('compare', 'fraud@1.0.0', 'fraud@1.1.0', '--metric', 'auc').metrics.map((m) => m.name),
    ).toEqual(['auc']);
    expect(cli('compare', 'fraud@1.0.0', 'fraud@1.1.0').stdout).toBe(
      [
        'metric    fraud@1.0.0  fraud@1.1.0   diff  relative',
        'accuracy          0.9         0.93  +0.03    +3.33%',
        'auc              0.95         0.97  +0.02    +2.11%',
        'loss                -         0.25      -         -',
        '',
        'no evaluation samples shared by both versions: no significance is available (attach them with modelctl evaluate)',
        '',
      ].join('\n'),
    );
  });

  test('production answers now and at a past time; history and versions show the status timeline and audit events', async () => {
    expect(json('production', 'fraud')).toEqual({
      model: 'fraud',
      at: null,
      version: null,
      modelVersion: null,
      since: null,
    });
    await store.swapProduction({
      model: 'fraud',
      version: '1.0.0',
      via: 'PROMOTION',
      actor: 'carol',
      reason: 'best offline accuracy',
    });
    const events = await store.events('fraud');
    const [reg1, reg2, promotion] = events;
    expect(events.map((e) => [e.version, e.fromStatus, e.toStatus, e.via])).toEqual([
      ['1.0.0', null, 'VALIDATION', 'DIRECT'],
      ['1.1.0', null, 'VALIDATION', 'DIRECT'],
      ['1.0.0', 'VALIDATION', 'PRODUCTION', 'PROMOTION'],
    ]);
    const current = await store.getVersion('fraud', '1.0.0');
    expect(json('production', 'fraud')).toEqual({
      model: 'fraud',
      at: null,
      version: '1.0.0',
      modelVersion: current,
      since: current!.promotedAt,
    });
    expect(json('production', 'fraud', '--at', reg2!.at)).toEqual({
      model: 'fraud',
      at: reg2!.at,
      version: null,
      modelVersion: null,
      since: null,
    });
    expect(json('production', 'fraud', '--at', promotion!.at)).toEqual({
      model: 'fraud',
      at: promotion!.at,
      version: '1.0.0',
      modelVersion: current,
      since: promotion!.at,
    });
    expect(cli('production', 'fraud').stdout).toBe(
      `fraud@1.0.0  promoted ${current!.promotedAt}  sha256 ${current!.artifact.sha256.slice(0, 12)}\n`,
    );

    const entry = (e: typeof reg1) => ({
      fromStatus: e!.fromStatus,
      toStatus: e!.toStatus,
      via: e!.via,
      actor: e!.actor,
      reason: e!.reason,
      workflowId: null,
      approval: null,
      at: e!.at,
    });
    const history = json('history', 'fraud');
    expect(history).toEqual({
      model: 'fraud',
      productionVersion: '1.0.0',
      previousProductionVersion: null,
      versions: [
        { ...current, timeline: [entry(reg1), entry(promotion)] },
        { ...v2, timeline: [entry(reg2)] },
      ],
    });
    expect(promotion!.actor).toBe('carol');
    const text = cli('history', 'fraud').stdout.split('\n');
    expect(text[0]).toBe('fraud: production 1.0.0, previous none');
    expect(text).toContain(`  ${promotion!.at}  VALIDATION → PRODUCTION  promotion, by carol, best offline accuracy`);
    expect(json('versions', 'fraud')).toEqual([current, v2]);
    expect(json('versions', 'fraud', '--latest-stable')).toEqual(v2);
  });

  test('report prints the whole registry as JSON, or writes it to --out', () => {
    const report = json<RegistryReport>('report');
    expect(report).toEqual({
      schemaVersion: 1,
      generatedAt: expect.stringMatching(ISO),
      models: [json('history', 'fraud')],
      experiments: [json<ExperimentResults>('experiment', 'show', experimentId).experiment],
      abTests: [],
    });
    const out = join(home, 'report.json');
    const written = json('report', '--out', out);
    expect(written).toEqual({ out, schemaVersion: 1, models: 1, experiments: 1, abTests: 0 });
    const fromFile = JSON.parse(readFileSync(out, 'utf8'));
    expect({ ...fromFile, generatedAt: report.generatedAt }).toEqual(report);
    expect(cli('report', '--out', out)).toEqual({
      status: 0,
      stdout: `wrote ${out}: 1 models, 1 experiments, 0 A/B tests\n`,
      stderr: '',
    });
  });

  describe('bad input: non-zero exit, one line on stderr, nothing changed', () => {
    const snapshot = async () => ({
      models: await store.listModels(),
      versions: await store.listVersions('fraud'),
      events: await store.events('fraud'),
      experiments: await store.listExperiments(),
      artifacts: files(join(home, 'artifacts')),
    });

    const cases: [string, () => string[], number, string | RegExp | (() => string | RegExp)][] = [
      ['an unknown model in history', () => ['history', 'nope'], 3, 'model nope has no versions'],
      ['an unknown model in production', () => ['production', 'nope'], 3, 'model nope has no versions'],
      [
        'an unknown version in compare',
        () => ['compare', 'fraud@1.0.0', 'nope@1.0.0'],
        3,
        'model version nope@1.0.0 does not exist',
      ],
      [
        'a malformed version reference',
        () => ['compare', 'fraud', 'fraud@1.1.0'],
        2,
        'invalid <a>: "fraud" must be <model>@<version>, e.g. fraud@1.4.0',
      ],
      [
        'malformed JSON in --config',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--config', '{"lr":'],
        2,
        /^invalid --config: malformed JSON: .+$/,
      ],
      [
        'malformed JSON in a --metrics file',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--metrics', `@${join(home, 'v1.bin')}`],
        2,
        () => new RegExp(`^invalid --metrics \\(${join(home, 'v1.bin')}\\): malformed JSON: .+$`),
      ],
      [
        'a --config that is not an object',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--config', '[1,2]'],
        2,
        /^invalid --config: .+$/,
      ],
      [
        'a non-numeric --metric',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--metric', 'accuracy=high'],
        2,
        'invalid --metric: 0: "accuracy=high": value must be a finite decimal number such as 0.93',
      ],
      [
        'a missing artifact file',
        () => ['register', 'fraud', join(home, 'missing.bin')],
        6,
        () => `artifact path does not exist: ${join(home, 'missing.bin')}`,
      ],
      [
        'a bad --bump',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--bump', 'huge'],
        2,
        'invalid --bump: must be one of major, minor, patch',
      ],
      [
        'both --version and --bump',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--version', '2.0.0', '--bump', 'major'],
        2,
        'invalid --bump: give either --version or --bump, not both',
      ],
      [
        'a bad semver',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--version', '1.2'],
        2,
        'invalid --version: must be a semantic version like 1.4.2 (MAJOR.MINOR.PATCH[-prerelease])',
      ],
      [
        'a bad parent semver',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--parent', 'v1'],
        2,
        'invalid --parent: must be a semantic version like 1.4.2 (MAJOR.MINOR.PATCH[-prerelease])',
      ],
      [
        'an illegal initial status',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--status', 'PRODUCTION'],
        2,
        'invalid --status: must be one of TRAINING, VALIDATION',
      ],
      [
        'a taken version',
        () => ['register', 'fraud', join(home, 'v2.bin'), '--version', '1.0.0'],
        4,
        'model version fraud@1.0.0 already exists',
      ],
      [
        'a wrong --sha256',
        () => ['register', 'fraud', join(home, 'metrics.json'), '--sha256', 'a'.repeat(64)],
        6,
        /^checksum mismatch for .+metrics\.json: expected sha256 a{64}, actual [0-9a-f]{64}$/,
      ],
      [
        'an unknown parent',
        () => ['register', 'fraud', join(home, 'v1.bin'), '--version', '3.0.0', '--parent', '2.9.0'],
        3,
        /2\.9\.0/,
      ],
      [
        'a bad experiment type',
        () => ['experiment', 'start', 'x', '--type', 'FOO'],
        2,
        'invalid --type: must be one of TRAINING, AB_TEST, VALIDATION, BENCHMARK, HYPERPARAMETER_SWEEP',
      ],
      [
        'an illegal experiment status',
        () => ['experiment', 'end', experimentId, '--status', 'RUNNING'],
        2,
        'invalid --status: must be one of COMPLETED, FAILED, CANCELLED',
      ],
      [
        'a status change of an ended experiment',
        () => ['experiment', 'end', experimentId, '--status', 'FAILED'],
        5,
        /^.*COMPLETED.*FAILED.*$/,
      ],
      [
        'key=value points without --step',
        () => ['experiment', 'log', experimentId, 'loss=0.1'],
        2,
        'invalid --step: required with key=value points',
      ],
      [
        'a malformed line in a .jsonl file',
        () => ['experiment', 'log', experimentId, '--file', join(home, 'bad.jsonl')],
        2,
        () => new RegExp(`^invalid --file ${join(home, 'bad.jsonl')}: line 2: malformed JSON: .+$`),
      ],
      [
        'a bad --at',
        () => ['production', 'fraud', '--at', 'yesterday'],
        2,
        'invalid --at: must be an ISO 8601 timestamp with a time zone, e.g. 2025-03-01T12:00:00Z',
      ],
      [
        'a bad --max-points',
        () => ['experiment', 'show', experimentId, '--max-points', '1'],
        2,
        'invalid --max-points: must be at least 2',
      ],
    ];

    test.each(cases)('%s', async (_what, args, exitCode, message) => {
      writeFileSync(join(home, 'bad.jsonl'), '{"key":"loss","value":0.1,"step":9}\n{"key":\n');
      const before = await snapshot();
      const run = cli(...args(), '--json');
      expect(run.stdout).toBe('');
      expect(run.stderr.endsWith('\n')).toBe(true);
      const lines = run.stderr.slice(0, -1).split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^modelctl: /);
      const line = lines[0]!.slice('modelctl: '.length);
      message = typeof message === 'function' ? message() : message;
      if (typeof message === 'string') expect(line).toBe(message);
      else expect(line).toMatch(message);
      expect(run.status).toBe(exitCode);
      expect(await snapshot()).toEqual(before);
    });
  });
});

test.each([
  'register',
  'experiment start',
  'experiment log',
  'experiment end',
  'experiment show',
  'experiment link',
  'compare',
  'evaluate',
  'trend',
  'history',
  'production',
  'versions',
  'report',
])('%s --help shows an example', (command) => {
  const run = modelctl([...command.split(' '), '--help']);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/Examples?:\n {2}\$ modelctl /);
});

test('output piped into a reader that stops early (| head -1) ends quietly with exit 0', () => {
  buildCli();
  // Help is written in one go; a long listing is what fills the pipe after head has gone.
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `for i in 1 2 3 4 5; do node '${BIN}' --help; done | head -1`], {
    encoding: 'utf8',
  });
  expect([r.status, r.stdout, r.stderr]).toEqual([0, 'Usage: modelctl [options] [command]\n', '']);
});

test("commander's own parse errors take the one-line `modelctl: …` form with exit code 2", () => {
  buildCli();
  const cases: [string[], string][] = [
    [['nosuchcommand'], "modelctl: unknown command 'nosuchcommand'\n"],
    [['rollback', 'digits'], "modelctl: required option '--reason <text>' not specified\n"],
    [['register', 'm', 'x.bin', '--frobnicate'], "modelctl: unknown option '--frobnicate'\n"],
  ];
  for (const [args, line] of cases) {
    const r = modelctl(args);
    expect([args.join(' '), r.status, r.stdout, r.stderr]).toEqual([args.join(' '), 2, '', line]);
  }
});
