import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, SQLITE_FILE } from '../../src/store';
import { buildCli, modelctl } from '../helpers/cli';
import { CLI_MODES, startCliSession, type CliSession } from '../helpers/cli-modes';

beforeAll(() => buildCli());

describe.each(CLI_MODES)('modelctl observe (%s mode)', (mode) => {
  let home: string;
  let session: CliSession;
  /** Each test's own model: the registry (and in remote mode its server) is the suite's. */
  let model: string;
  let tests = 0;
  const cli = (...args: string[]) => modelctl(args, { env: session.env });
  const aggregate = async (metric: string) => {
    const store = await openStore({ home, sqlitePath: join(home, SQLITE_FILE) });
    try {
      return await store.aggregateObservations({ model, version: '1.1.0', metric, quantiles: [0.5] });
    } finally {
      await store.close();
    }
  };
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-observe-'));
    session = await startCliSession(mode, { MODELCTL_HOME: home, DATABASE_URL: undefined, ARTIFACT_STORE: undefined });
  });
  afterAll(async () => {
    await session?.close();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    model = `fraud${++tests}`;
  });

  test('metric=value pairs are recorded at the given time and reported with --json', async () => {
    const run = cli(
      'observe',
      model,
      '--version',
      '1.1.0',
      'error=1',
      'latency_ms=41.5',
      '--timestamp',
      '2025-01-01T00:03:10Z',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ model, version: '1.1.0', recorded: 2 });
    const latency = await aggregate('latency_ms');
    expect([latency.count, latency.sum, latency.firstBucket]).toEqual([1, 41.5, '2025-01-01T00:03:00.000Z']);
    expect((await aggregate('error')).sum).toBe(1);
  });

  test('a JSON Lines file of values and windows is recorded whole, with a line for people', async () => {
    const file = join(home, 'obs.jsonl');
    writeFileSync(
      file,
      [
        '{"metric":"error","value":0,"timestamp":"2025-01-01T00:00:01Z"}',
        '',
        '{"metric":"error","window":{"count":99,"sum":3,"sumSquares":3,"min":0,"max":1},"timestamp":"2025-01-01T00:00:30Z"}',
      ].join('\n'),
    );
    const run = cli('observe', model, '--version', '1.1.0', '--file', file);
    expect([run.status, run.stdout, run.stderr]).toEqual([0, `recorded 2 observations of ${model}@1.1.0\n`, '']);
    const errors = await aggregate('error');
    expect([errors.count, errors.sum, errors.sketchCount]).toEqual([100, 3, 1]);
  });

  test('bad input is one line naming the flag, line or field, exit 2, and nothing is recorded', async () => {
    const file = join(home, 'obs.jsonl');
    writeFileSync(file, '{"metric":"error","value":0}\n{"metric":"error","value":"high"}\n');
    const cases: [string[], string][] = [
      [
        ['observe', model, '--version', '1.1.0'],
        'modelctl: invalid <observations>: give at least one metric=value, or --file\n',
      ],
      [['observe', model, '--version', 'v1', 'error=1'], /^modelctl: invalid --version: /.source],
      [
        ['observe', model, '--version', '1.1.0', 'error=0x1'],
        'modelctl: invalid <observations>: 0: "error=0x1": value must be a finite decimal number such as 0.93\n',
      ],
      [
        ['observe', model, '--version', '1.1.0', '--file', file],
        'modelctl: invalid --file ' + file + ': line 2: value: expected a finite number\n',
      ],
      [
        ['observe', model, '--version', '1.1.0', '--file', file, 'error=1'],
        'modelctl: invalid --file: give metric=value observations or --file, not both\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const run = cli(...args);
      expect(run.status).toBe(2);
      if (stderr.startsWith('^')) expect(run.stderr).toMatch(new RegExp(stderr));
      else expect(run.stderr).toBe(stderr);
      expect(run.stderr.split('\n')).toHaveLength(2);
    }
    expect((await aggregate('error')).count).toBe(0);
  });
});
