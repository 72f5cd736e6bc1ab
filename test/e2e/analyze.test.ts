import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectClose, reference } from '../unit/stats/reference';

const ROOT = join(__dirname, '../..');
const BIN = join(ROOT, 'bin/modelctl.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled `modelctl` as a child process, with `input` on stdin. */
function modelctl(args: string[], input = ''): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const EXAMPLE = {
  metric: 'binary',
  control: { units: 10000, conversions: 200 },
  treatment: { units: 10000, conversions: 250 },
  split: { control: 5000, treatment: 5000 },
  alpha: 0.05,
};

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
  });
});

describe('modelctl analyze', () => {
  test('reads a file and prints the analysis as JSON with the documented fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelctl-analyze-'));
    const file = join(dir, 'test.json');
    writeFileSync(file, JSON.stringify(EXAMPLE));
    const r = modelctl(['analyze', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const ref = reference.binary[0];
    expect(out).toMatchObject({
      status: 'OK',
      test: 'two-proportion-z',
      df: null,
      srm: { chi2: 0, pValue: 1, mismatch: false },
      decision: 'treatment',
    });
    expectClose(out.statistic, ref.z, 1e-9);
    expectClose(out.pValue, ref.pValue, 1e-9);
    expectClose(out.absolute.estimate, 0.005, 1e-9);
    expectClose(out.absolute.ciLow, ref.wald[0], 1e-9);
    expectClose(out.absolute.ciHigh, ref.wald[1], 1e-9);
    expectClose(out.relative.estimate, 0.25, 1e-12);
    expectClose(out.relative.ciLow, ref.relative[1], 1e-9);
    expectClose(out.relative.ciHigh, ref.relative[2], 1e-9);
    expectClose(out.power, ref.power, 1e-9);
    expect(out.reason).toBe('treatment better on primary: +25.00% relative (p = 0.01713 < 0.05)');
  });

  test('reads stdin when the file is omitted or -, and prints text for a person by default', () => {
    const doc = JSON.stringify(EXAMPLE);
    const viaDash = modelctl(['analyze', '-'], doc);
    const viaNothing = modelctl(['analyze'], doc);
    expect(viaDash.status).toBe(0);
    expect(viaDash.stdout).toBe(viaNothing.stdout);
    expect(viaDash.stdout.split('\n')[0]).toBe(
      'decision: treatment — treatment better on primary: +25.00% relative (p = 0.01713 < 0.05)',
    );
    expect(viaDash.stdout).toContain('relative: +25.00% [+3.98%, +50.12%] 95% CI');
  });

  test('continuous sufficient statistics with a zero-variance arm pair give a status, nulls and no winner', () => {
    const r = modelctl(
      ['analyze', '--json'],
      JSON.stringify({
        metric: 'continuous',
        control: { units: 4, sum: 8, sumSquares: 16 },
        treatment: { units: 4, sum: 12, sumSquares: 36 },
      }),
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      status: 'ZERO_VARIANCE',
      test: 'welch-t',
      statistic: null,
      df: null,
      pValue: null,
      power: null,
      decision: 'inconclusive',
    });
    expect(out.absolute).toEqual({ estimate: 1, ciLow: null, ciHigh: null });
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  test.each([
    [
      'an unknown metric',
      { ...EXAMPLE, metric: 'ratio' },
      'modelctl: invalid analyze input: metric: must be one of binary, continuous',
    ],
    [
      'negative counts',
      { ...EXAMPLE, control: { units: -1, conversions: 0 } },
      'modelctl: invalid analyze input: control.units: must not be negative',
    ],
    [
      'conversions above units',
      { ...EXAMPLE, treatment: { units: 100, conversions: 101 } },
      'modelctl: invalid analyze input: treatment.conversions: must not exceed units',
    ],
    [
      'a split not summing to 10,000',
      { ...EXAMPLE, split: { control: 5000, treatment: 5001 } },
      'modelctl: invalid analyze input: split: weights must sum to exactly 10000 basis points',
    ],
  ])('%s exits 2 with one line naming the field', (_what, doc, line) => {
    const r = modelctl(['analyze', '--json'], JSON.stringify(doc));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
  });

  test('malformed JSON exits 2 with one line', () => {
    const r = modelctl(['analyze'], '{"metric": "binary",');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^modelctl: invalid analyze input: malformed JSON: [^\n]+\n$/);
  });

  test('a missing file exits 3 (not found) with one line', () => {
    const r = modelctl(['analyze', '/nonexistent/ab.json']);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('modelctl: cannot read analyze input: no such file /nonexistent/ab.json\n');
  });
});
