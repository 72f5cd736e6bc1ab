import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VersionComparison } from '../../src/client/compare';
import { reference } from '../unit/stats/reference';
import { buildCli, modelctl } from '../helpers/cli';
import { CLI_MODES, startCliSession, type CliSession } from '../helpers/cli-modes';

beforeAll(() => buildCli());

describe.each(CLI_MODES)('modelctl evaluate and compare with significance (%s mode)', (mode) => {
  let home: string;
  let session: CliSession;
  /** Each test's own model: the registry (and in remote mode its server) is the suite's. */
  let model: string;
  let tests = 0;
  const cli = (...args: string[]) => modelctl(args, { env: session.env });
  const json = <T>(...args: string[]): T => {
    const run = cli(...args, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const file = (name: string, text: string) => {
    const path = join(home, name);
    writeFileSync(path, text);
    return path;
  };
  const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  // 1,000 held-out examples where b is right 4 points less often (reference case: mid-p 0.0007).
  const bits = reference.pairedBinary[3] as { a: number[]; b: number[]; pValue: number; ci: [number, number] };
  const samples = (values: number[]) => values.map((value, i) => ({ unit: `x${i}`, metric: 'correct', value }));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-evaluate-'));
    session = await startCliSession(mode, {
      MODELCTL_HOME: home,
      DATABASE_URL: undefined,
      ARTIFACT_STORE: undefined,
      USER: 'ada',
    });
  });
  afterAll(async () => {
    await session?.close();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    model = `digits${++tests}`;
    const artifact = file('model.bin', 'weights');
    expect(cli('register', model, artifact, '--metric', 'accuracy=0.8', '--git-dir', home).status).toBe(0);
  });

  test('register --eval-samples and evaluate attach samples; compare runs the paired test with Holm and a verdict', () => {
    const evalB = file('b.jsonl', jsonl(samples(bits.b)));
    const registered = json<{ version: string; evaluation: unknown }>(
      'register',
      model,
      join(home, 'model.bin'),
      '--metric',
      'accuracy=0.76',
      '--git-dir',
      home,
      '--eval-samples',
      evalB,
      '--eval-set',
      'heldout',
    );
    expect(registered).toMatchObject({
      version: '1.0.1',
      evaluation: { evalSet: 'heldout', samples: 1000, metrics: ['correct'] },
    });
    const evalA = file('a.jsonl', jsonl(samples(bits.a)));
    const attached = cli('evaluate', `${model}@1.0.0`, evalA, '--eval-set', 'heldout');
    expect(attached.stdout).toBe(`attached 1000 evaluation samples (correct) on set heldout to ${model}@1.0.0\n`);
    expect(attached.status).toBe(0);

    const c = json<VersionComparison>('compare', `${model}@1.0.0`, `${model}@1.0.1`);
    expect(c.significanceNote).toBeNull();
    expect(c.significance).toHaveLength(1);
    const s = c.significance[0]!;
    expect(s).toMatchObject({
      evalSet: 'heldout',
      metric: 'correct',
      paired: true,
      test: 'mcnemar-mid-p',
      status: 'OK',
      units: { a: 1000, b: 1000 },
      a: { mean: 0.8 },
      b: { mean: 0.76 },
      verdict: 'worse',
    });
    expect(s.difference.estimate).toBeCloseTo(-0.04, 12);
    expect(s.difference.ciLow).toBeCloseTo(bits.ci[0], 8);
    expect(s.pValueAdjusted).toBeCloseTo(bits.pValue, 8);

    const table = cli('compare', `${model}@1.0.0`, `${model}@1.0.1`).stdout.split('\n');
    expect(table.slice(3, 6)).toEqual([
      'significance, b against a:',
      'set      metric   test           units    a     b  b − a [95% CI]                          p   p (Holm)  verdict',
      'heldout  correct  mcnemar-mid-p   1000  0.8  0.76  -0.04 [-0.0630151, -0.0168252]  0.0006994  0.0006994  worse',
    ]);
    // Evaluating again with the same file changes nothing.
    expect(cli('evaluate', `${model}@1.0.0`, evalA, '--eval-set', 'heldout').status).toBe(0);
    expect(json<VersionComparison>('compare', `${model}@1.0.0`, `${model}@1.0.1`).significance).toEqual(c.significance);
  });

  test.each([
    ['a line that is not a sample', '{"unit":"x1","metric":"correct"}\n', 'line 1: value: expected a finite number'],
    [
      'a unit given twice',
      jsonl([...samples([1, 0]), { unit: 'x0', metric: 'correct', value: 1 }]),
      'line 3: unit "x0" already has a value of "correct" on line 1',
    ],
    [
      'an unknown field',
      '{"unit":"x1","metric":"correct","value":1,"weight":2}\n',
      'line 1: (root): Unrecognized key: "weight"',
    ],
  ])('evaluate refuses %s with one line and exit 2, storing nothing', (_what, text, message) => {
    const path = file('bad.jsonl', text);
    const run = cli('evaluate', `${model}@1.0.0`, path);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`modelctl: invalid evaluation file ${path}: ${message}\n`);
    expect(json<VersionComparison>('compare', `${model}@1.0.0`, `${model}@1.0.0`).significance).toEqual([]);
  });

  test('register with a bad --eval-samples file registers nothing; --eval-set alone is refused', () => {
    const bad = file('bad.jsonl', '{"unit":"x1","metric":"correct","value":"yes"}\n');
    const run = cli('register', model, join(home, 'model.bin'), '--git-dir', home, '--eval-samples', bad);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`modelctl: invalid evaluation file ${bad}: line 1: value: expected a finite number\n`);
    const lone = cli('register', model, join(home, 'model.bin'), '--git-dir', home, '--eval-set', 'heldout');
    expect(lone.status).toBe(2);
    expect(lone.stderr).toMatch(/--eval-set: names the set of --eval-samples; give that too/);
    expect(json<unknown[]>('versions', model)).toHaveLength(1);
  });

  test('trend: the metric across versions, each against its parent, a regression flagged (Holm across the trend)', () => {
    const artifact = join(home, 'model.bin');
    expect(cli('evaluate', `${model}@1.0.0`, file('a.jsonl', jsonl(samples(bits.a)))).status).toBe(0);
    const child = (parent: string, values: number[], name: string) =>
      cli(
        'register',
        model,
        artifact,
        '--git-dir',
        home,
        '--parent',
        parent,
        '--eval-samples',
        file(name, jsonl(samples(values))),
      );
    expect(child('1.0.0', bits.b, 'b.jsonl').status).toBe(0); // 1.0.1: 4 points worse than 1.0.0
    expect(child('1.0.1', bits.a, 'c.jsonl').status).toBe(0); // 1.0.2: back to 1.0.0's answers
    const t = json<{
      evalSet: string;
      points: { version: string; regression: boolean; vsParent: { verdict: string; pValueAdjusted: number } | null }[];
    }>('trend', model, '--metric', 'correct');
    expect(t.evalSet).toBe('default');
    expect(t.points.map((p) => [p.version, p.regression, p.vsParent?.verdict ?? null])).toEqual([
      ['1.0.0', false, null],
      ['1.0.1', true, 'worse'],
      ['1.0.2', false, 'better'],
    ]);
    // Two parent comparisons with the same mid-p: Holm doubles the smaller and keeps the larger at least as big.
    expect(t.points[1]!.vsParent!.pValueAdjusted).toBeCloseTo(2 * bits.pValue, 8);
    const text = cli('trend', model, '--metric', 'correct').stdout.split('\n');
    expect(text[0]).toBe(`${model} correct (higher is better; evaluation set default):`);
    expect(text[3]).toMatch(
      /^1\.0\.1 .* 0\.76 \(1000\) +1\.0\.0 +-0\.04 \[-0\.0630151, -0\.0168252\] +0\.001399 +REGRESSION$/,
    );
    const unknown = cli('trend', model, '--metric', 'acuracy');
    expect([unknown.status, unknown.stderr]).toEqual([
      3,
      `modelctl: no version of ${model} has metric acuracy; its metrics: accuracy, correct\n`,
    ]);
  });

  test('an unknown version is NOT_FOUND (exit 3)', () => {
    const path = file('a.jsonl', jsonl(samples([1, 0])));
    const run = cli('evaluate', `${model}@9.0.0`, path);
    expect(run.stderr).toBe(`modelctl: model version ${model}@9.0.0 does not exist\n`);
    expect(run.status).toBe(3);
  });
});
