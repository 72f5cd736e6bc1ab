import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, modelctl, type Run } from '../helpers/cli';
import { CLI_MODES, startCliSession, type CliSession } from '../helpers/cli-modes';

/** One line on stderr that equals or matches `line`, no stack, exit 2, nothing on stdout. */
function refused(run: Run, line: string | RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toHaveLength(2);
  if (typeof line === 'string') expect(run.stderr).toBe(`modelctl: ${line}\n`);
  else expect(run.stderr.trimEnd()).toMatch(line);
  expect(run.status).toBe(2);
}

/** `depth` nested objects around a number: {"a":{"a":…1…}}. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

beforeAll(() => buildCli());

describe.each(CLI_MODES)('JSON inputs have size and nesting limits and refuse __proto__ (%s mode)', (mode) => {
  let home: string;
  let weights: string;
  let experiment: string;
  let session: CliSession;
  const cli = (...args: string[]) => modelctl(args, { env: session.env });
  /** The registry is unchanged: still no model and one experiment with no points. */
  const unchanged = () => {
    expect(cli('versions', 'fraud').status).toBe(3);
    const shown = JSON.parse(cli('experiment', 'show', experiment, '--json').stdout) as {
      series: Record<string, unknown>;
    };
    expect(shown.series).toEqual({});
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-hygiene-'));
    weights = join(home, 'w.bin');
    writeFileSync(weights, 'w');
    session = await startCliSession(mode, { MODELCTL_HOME: home, USER: 'alice' });
    const started = cli('experiment', 'start', 'baseline', '--type', 'TRAINING', '--json');
    expect(started.status).toBe(0);
    experiment = (JSON.parse(started.stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await session?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('a --config @file over 1 MiB is refused with the limit', () => {
    const big = JSON.stringify({ blob: 'x'.repeat(1024 * 1024) });
    const file = join(home, 'big.json');
    writeFileSync(file, big);
    refused(
      cli('register', 'fraud', weights, '--git-dir', home, '--config', `@${file}`),
      `invalid --config (${file}): is ${big.length} bytes; the limit is 1048576`,
    );
    unchanged();
  });

  test('a --config nested deeper than 32 levels is refused naming the path (no stack overflow)', () => {
    refused(
      cli('register', 'fraud', weights, '--git-dir', home, '--config', nested(5000)),
      `invalid --config: nested deeper than 32 levels at ${Array(32).fill('a').join('.')}`,
    );
    unchanged();
  });

  test('a __proto__ key is refused, not dropped', () => {
    refused(
      cli('register', 'fraud', weights, '--git-dir', home, '--metrics', '{"accuracy":0.9,"__proto__":{"x":1}}'),
      'invalid --metrics: key "__proto__" is not allowed',
    );
    refused(
      cli('experiment', 'start', 'x', '--type', 'TRAINING', '--config', '{"opt":{"__proto__":{"lr":1}}}'),
      'invalid --config: key "__proto__" is not allowed at opt',
    );
    unchanged();
  });

  test('a non-finite value in a points file names its key, step and line', () => {
    const lines = join(home, 'points.jsonl');
    writeFileSync(lines, '{"key":"loss","value":0.5,"step":0}\n\n{"key":"loss","value":1e999,"step":1}\n');
    refused(
      cli('experiment', 'log', experiment, '--file', lines),
      `invalid --file ${lines}: line 3: loss at step 1: value must be a finite number, got Infinity`,
    );
    const array = join(home, 'points.json');
    writeFileSync(array, '{"points":[{"key":"acc","value":-1e400,"step":7}]}');
    refused(
      cli('experiment', 'log', experiment, '--file', array),
      `invalid --file ${array}: points[0]: acc at step 7: value must be a finite number, got -Infinity`,
    );
    unchanged();
  });

  test.each(['0x10', '', ' 1', '1e3', '1.0', 'Infinity'])('an integer flag refuses %j', (text) => {
    refused(
      cli('experiment', 'show', experiment, '--max-points', text),
      'invalid --max-points: must be a decimal integer such as 100 (no exponent, hex, spaces or empty)',
    );
    refused(
      cli('experiment', 'log', experiment, 'loss=1', '--step', text),
      'invalid --step: must be a decimal integer such as 100 (no exponent, hex, spaces or empty)',
    );
    unchanged();
  });

  test.each(['0x10', '', ' 1', 'Infinity', '1e999'])('a metric value refuses %j', (text) => {
    refused(
      cli('experiment', 'log', experiment, `loss=${text}`, '--step', '1'),
      `invalid <points>: 0: ${JSON.stringify(`loss=${text}`)}: value must be a finite decimal number such as 0.93`,
    );
    unchanged();
  });
});

describe('an empty registry location is an error, not the default', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'modelctl-empty-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  test.each([
    ['--home', 'home'],
    ['--database-url', 'database-url'],
    ['--artifact-store', 'artifact-store'],
    ['--namespace', 'namespace'],
    ['--task-queue', 'task-queue'],
  ])('%s ""', (flag) => {
    refused(
      modelctl([flag, '', 'report'], { cwd }),
      `invalid ${flag}: must not be empty (leave the flag out for the default)`,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  test.each(['MODELCTL_HOME', 'DATABASE_URL', 'ARTIFACT_STORE', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE'])(
    '%s=""',
    (variable) => {
      refused(
        modelctl(['report'], { cwd, env: { [variable]: '' } }),
        `invalid ${variable}: must not be empty (unset it for the default)`,
      );
      expect(existsSync(join(cwd, '.modelctl'))).toBe(false);
    },
  );
});

describe('demo refuses its flags before it trains or writes anything', () => {
  test.each([
    [['--ab-duration', '99999d'], 'invalid --ab-duration: must be at most 3650d (315360000000 ms)'],
    [
      ['--ab-duration', 'soon'],
      `invalid --ab-duration: invalid duration "soon"; use milliseconds or e.g. '20s', '12h', '7d'`,
    ],
    [
      ['--model', 'Bad Name!'],
      "invalid --model: must match ^[a-z0-9][a-z0-9._-]{0,127}$ (lowercase letters, digits, '.', '_', '-'; at most 128 characters)",
    ],
  ])('demo %j', (flags, line) => {
    const home = mkdtempSync(join(tmpdir(), 'modelctl-demo-'));
    try {
      refused(modelctl(['demo', ...flags], { env: { MODELCTL_HOME: home } }), line);
      expect(readdirSync(home)).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
