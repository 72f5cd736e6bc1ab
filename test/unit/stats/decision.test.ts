import { analyzeAbTest, type AbTestAnalysis } from '../../../src/stats';
import { expectClose, reference } from './reference';

const EXAMPLE = {
  metric: 'binary',
  control: { units: 10000, conversions: 200 },
  treatment: { units: 10000, conversions: 250 },
  split: { control: 5000, treatment: 5000 },
  alpha: 0.05,
};

/** Every number anywhere in the output is finite (no NaN, no Infinity). */
function expectAllFinite(value: unknown): void {
  if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
  else if (Array.isArray(value)) value.forEach(expectAllFinite);
  else if (value !== null && typeof value === 'object') Object.values(value).forEach(expectAllFinite);
}

function analyze(doc: unknown): AbTestAnalysis {
  const result = analyzeAbTest(doc);
  expectAllFinite(result);
  return result;
}

describe('analyzeAbTest: the documented example', () => {
  const r = analyze(EXAMPLE);
  const ref = reference.binary[0];

  test('runs the pooled z-test and reports its numbers as statsmodels does', () => {
    expect(r.status).toBe('OK');
    expect(r.test).toBe('two-proportion-z');
    expect(r.df).toBeNull();
    expectClose(r.statistic, ref.z, 1e-9);
    expectClose(r.pValue, ref.pValue, 1e-9);
    expectClose(r.absolute!.ciLow!, ref.wald[0], 1e-9);
    expectClose(r.absolute!.ciHigh!, ref.wald[1], 1e-9);
    expectClose(r.relative!.estimate, 0.25, 1e-12);
    expectClose(r.relative!.ciLow!, ref.relative[1], 1e-9);
    expectClose(r.power, ref.power, 1e-9);
    expect(r.srm).toEqual({ chi2: 0, pValue: 1, mismatch: false });
  });

  test('decides for treatment and says why', () => {
    expect(r.decision).toBe('treatment');
    expect(r.reason).toBe('treatment better on primary: +25.00% relative (p = 0.01713 < 0.05)');
    expect(Object.keys(r).slice(0, 11)).toEqual([
      'status',
      'test',
      'statistic',
      'df',
      'pValue',
      'absolute',
      'relative',
      'srm',
      'power',
      'decision',
      'reason',
    ]);
  });

  test('with sequential stopping the always-valid p-value decides, and one look at 0.017 is not enough', () => {
    const s = analyze({ ...EXAMPLE, stopping: 'sequential' });
    expect(s.sequentialPValue).toBeGreaterThan(0.05);
    expect(s.pValueAdjusted).toBe(s.sequentialPValue);
    expect(s.decision).toBe('inconclusive');
    expect(s.reason).toMatch(/^no significant difference on primary \(always-valid p = 0\.\d+ ≥ 0\.05\)$/);
  });
});

describe('analyzeAbTest: test selection', () => {
  test("small expected counts run Fisher's exact test with the Newcombe interval", () => {
    const ref = reference.binary.find((c: { minExpected: number }) => c.minExpected < 5);
    const r = analyze({ metric: 'binary', control: ref.control, treatment: ref.treatment, name: 'signup' });
    expect(r.test).toBe('fisher-exact');
    expectClose(r.pValue, ref.fisher.pValue, 1e-9);
    expectClose(r.statistic, ref.fisher.oddsRatio, 1e-12);
    expectClose(r.absolute!.ciLow!, ref.newcombe[0], 1e-9);
    expectClose(r.absolute!.ciHigh!, ref.newcombe[1], 1e-9);
    expect(r.decision).toBe('inconclusive');
  });

  test('continuous raw values run Welch with the Welch–Satterthwaite df', () => {
    const ref = reference.continuous[0];
    const r = analyze({ metric: 'continuous', control: { values: ref.control }, treatment: { values: ref.treatment } });
    expect(r.test).toBe('welch-t');
    expectClose(r.df, ref.welch.df, 1e-10);
    expectClose(r.pValue, ref.welch.pValue, 1e-6);
  });

  test('mann-whitney is run on request, with df null', () => {
    const ref = reference.continuous[1];
    const r = analyze({
      metric: 'continuous',
      test: 'mann-whitney',
      control: { values: ref.control },
      treatment: { values: ref.treatment },
    });
    expect(r.test).toBe('mann-whitney-u');
    expect(r.df).toBeNull();
    expectClose(r.statistic, ref.mannWhitney.statistic, 1e-12);
    expectClose(r.pValue, ref.mannWhitney.pValue, 1e-9);
  });

  test('hundreds of millions of units stay finite and exact', () => {
    const ref = reference.binary[4];
    const r = analyze({ metric: 'binary', control: ref.control, treatment: ref.treatment });
    expectClose(r.statistic, ref.z, 1e-9);
    expectClose(r.pValue, ref.pValue, 1e-9);
  });
});

describe('analyzeAbTest: honest edge cases', () => {
  test('no units: INSUFFICIENT_DATA, nulls instead of numbers, no winner', () => {
    const r = analyze({
      metric: 'binary',
      control: { units: 0, conversions: 0 },
      treatment: { units: 0, conversions: 0 },
    });
    expect(r).toMatchObject({
      status: 'INSUFFICIENT_DATA',
      statistic: null,
      df: null,
      pValue: null,
      absolute: null,
      relative: null,
      power: null,
      srm: { chi2: null, pValue: null, mismatch: false },
      decision: 'inconclusive',
      reason:
        'insufficient data on primary: each arm needs at least 2 units; control has 0, treatment has 0; no winner declared',
    });
  });

  test('a single unit per arm: INSUFFICIENT_DATA with the estimate but no interval', () => {
    const r = analyze({ metric: 'continuous', control: { values: [3] }, treatment: { values: [5] } });
    expect(r.status).toBe('INSUFFICIENT_DATA');
    expect(r.absolute).toEqual({ estimate: 2, ciLow: null, ciHigh: null });
    expect(r.pValue).toBeNull();
    expect(r.decision).toBe('inconclusive');
  });

  test('no conversions in either arm: ZERO_VARIANCE, never a p-value of 0 or NaN', () => {
    const r = analyze({
      metric: 'binary',
      control: { units: 1000, conversions: 0 },
      treatment: { units: 1000, conversions: 0 },
    });
    expect(r.status).toBe('ZERO_VARIANCE');
    expect(r.pValue).toBeNull();
    expect(r.relative).toBeNull();
    expect(r.reason).toBe('zero variance on primary: no conversions in either arm; no winner declared');
  });

  test('constant values in both arms, even different ones: ZERO_VARIANCE and no winner', () => {
    const r = analyze({
      metric: 'continuous',
      control: { units: 100, sum: 100, sumSquares: 100 },
      treatment: { values: [2, 2, 2] },
    });
    expect(r.status).toBe('ZERO_VARIANCE');
    expect(r.absolute).toEqual({ estimate: 1, ciLow: null, ciHigh: null });
    expect(r.relative).toEqual({ estimate: 1, ciLow: null, ciHigh: null, unbounded: false });
    expect(r.decision).toBe('inconclusive');
  });

  test('a control mean of 0 gives a null relative lift, not Infinity', () => {
    const r = analyze({
      metric: 'continuous',
      control: { values: [-1, 1, -2, 2] },
      treatment: { values: [1, 2, 3, 4] },
    });
    expect(r.status).toBe('OK');
    expect(r.relative).toBeNull();
    expect(r.absolute!.estimate).toBe(2.5);
  });
});

describe('analyzeAbTest: SRM and the configured split', () => {
  test('a mismatch against the configured split makes the result untrusted', () => {
    const r = analyze({
      ...EXAMPLE,
      control: { units: 10000, conversions: 200 },
      treatment: { units: 10500, conversions: 300 },
    });
    expect(r.srm.mismatch).toBe(true);
    expect(r.decision).toBe('inconclusive');
    expect(r.reason).toBe(
      'SRM detected: analysis not trusted (χ² = 12.20, p = 0.0004791 < 0.001 against the configured split 5000/5000)',
    );
  });

  test('an unequal split is honoured: 9000/1000 traffic is not a mismatch', () => {
    const r = analyze({
      metric: 'binary',
      split: { control: 9000, treatment: 1000 },
      control: { units: 90000, conversions: 1800 },
      treatment: { units: 10010, conversions: 200 },
    });
    expect(r.srm.mismatch).toBe(false);
    expect(r.srm.pValue).toBeGreaterThan(0.9);
  });

  test('an empty arm is counted', () => {
    const r = analyze({
      metric: 'binary',
      control: { units: 500, conversions: 20 },
      treatment: { units: 0, conversions: 0 },
    });
    expect(r.srm).toEqual({ chi2: 500, pValue: expect.any(Number), mismatch: true });
    expect(r.reason).toMatch(/^SRM detected/);
  });
});

describe('analyzeAbTest: direction and guardrails', () => {
  test('when lower is better, a significant drop wins for treatment', () => {
    const r = analyze({
      ...EXAMPLE,
      name: 'churn',
      higherIsBetter: false,
      control: { units: 10000, conversions: 250 },
      treatment: { units: 10000, conversions: 200 },
    });
    expect(r.decision).toBe('treatment');
    expect(r.reason).toBe('treatment better on churn: -20.00% relative (p = 0.01713 < 0.05)');
  });

  test('a significantly worse primary decides for control', () => {
    const r = analyze({
      ...EXAMPLE,
      control: { units: 10000, conversions: 250 },
      treatment: { units: 10000, conversions: 200 },
    });
    expect(r.decision).toBe('control');
  });

  test('guardrails are Holm-corrected with the primary, and a regression keeps control', () => {
    const latency = {
      metric: 'continuous',
      name: 'latency',
      higherIsBetter: false,
      control: { units: 10000, sum: 1_000_000, sumSquares: 1_000_000 * 100 + 9999 * 400 },
      treatment: { units: 10000, sum: 1_020_000, sumSquares: 1_020_000 * 102 + 9999 * 400 },
    };
    const r = analyze({ ...EXAMPLE, guardrails: [latency] });
    expect(r.guardrails).toHaveLength(1);
    const g = r.guardrails[0]!;
    expect(g.name).toBe('latency');
    expect(g.regression).toBe(true);
    // Holm over two: the smaller p doubled, the larger max(itself, the first adjusted).
    expectClose(g.pValueAdjusted, Math.min(1, 2 * g.pValue!), 1e-12);
    expectClose(r.pValueAdjusted, Math.max(r.pValue!, 2 * g.pValue!), 1e-12);
    expect(r.decision).toBe('control');
    expect(r.reason).toMatch(
      /^guardrail 'latency' \(p = .+ Holm-adjusted\) got significantly worse under treatment: keep control$/,
    );
  });

  test('a guardrail that did not move leaves the decision to the primary, at the Holm-adjusted level', () => {
    const flat = {
      metric: 'binary',
      name: 'errors',
      higherIsBetter: false,
      control: { units: 10000, conversions: 100 },
      treatment: { units: 10000, conversions: 100 },
    };
    const r = analyze({ ...EXAMPLE, guardrails: [flat] });
    expect(r.guardrails[0]!.regression).toBe(false);
    expectClose(r.pValueAdjusted, 2 * r.pValue!, 1e-12);
    expect(r.decision).toBe('treatment');
    expect(r.reason).toBe('treatment better on primary: +25.00% relative (p = 0.03425 Holm-adjusted < 0.05)');
  });
});

describe('analyzeAbTest: bad input names the field', () => {
  test.each([
    [{ ...EXAMPLE, metric: 'ratio' }, 'invalid analyze input: metric: must be one of binary, continuous'],
    [
      { ...EXAMPLE, control: { units: -5, conversions: 0 } },
      'invalid analyze input: control.units: must not be negative',
    ],
    [
      { ...EXAMPLE, treatment: { units: 10, conversions: 11 } },
      'invalid analyze input: treatment.conversions: must not exceed units',
    ],
    [
      { ...EXAMPLE, split: { control: 5000, treatment: 4000 } },
      'invalid analyze input: split: weights must sum to exactly 10000 basis points',
    ],
    [{ ...EXAMPLE, alpha: 0 }, 'invalid analyze input: alpha: must be greater than 0'],
    [
      {
        metric: 'continuous',
        test: 'mann-whitney',
        control: { units: 3, sum: 3, sumSquares: 5 },
        treatment: { values: [1, 2] },
      },
      'invalid analyze input: control.values: mann-whitney needs the raw values',
    ],
    [
      { metric: 'continuous', control: { units: 3, sum: 30, sumSquares: 5 }, treatment: { values: [1, 2] } },
      'invalid analyze input: control.sumSquares: must be at least sum²/units (negative variance otherwise)',
    ],
    [
      { metric: 'continuous', control: { units: 3, sum: 30 }, treatment: { values: [1, 2] } },
      'invalid analyze input: control.sumSquares: required (or give values)',
    ],
    [
      { ...EXAMPLE, control: { units: 2 ** 53, conversions: 1 } },
      'invalid analyze input: control.units: must be a non-negative integer count of at most 9007199254740991',
    ],
  ])('%j', (doc, message) => {
    expect(() => analyzeAbTest(doc)).toThrow(message);
  });
});

describe('analyzeAbTest: degenerate and extreme inputs never give p = 0, NaN or a winner', () => {
  test.each([
    [
      { units: 10000, conversions: 0 },
      { units: 10000, conversions: 10000 },
    ],
    [
      { units: 20, conversions: 20 },
      { units: 20, conversions: 0 },
    ],
  ])('complete separation %j vs %j: COMPLETE_SEPARATION, no test, no winner', (control, treatment) => {
    const r = analyze({ metric: 'binary', control, treatment });
    expect(r.status).toBe('COMPLETE_SEPARATION');
    expect([r.pValue, r.sequentialPValue, r.statistic, r.power]).toEqual([null, null, null, null]);
    expect(r.absolute).toEqual({
      estimate: treatment.conversions / treatment.units - control.conversions / control.units,
      ciLow: null,
      ciHigh: null,
    });
    expect(r.decision).toBe('inconclusive');
    expect(r.reason).toBe(
      `complete separation on primary: control converted ${control.conversions} of ${control.units}, treatment ${treatment.conversions} of ${treatment.units} (no variation within either arm; check the outcome logging); no winner declared`,
    );
  });

  test('a p-value below the smallest double is reported as 5e-324, not 0', () => {
    // z ≈ 58: the two-sided tail is ~1e-740, far below any double.
    const r = analyze({
      metric: 'binary',
      control: { units: 100_000_000, conversions: 1_000_000 },
      treatment: { units: 100_000_000, conversions: 1_100_000 },
      stopping: 'sequential',
    });
    expect(r.status).toBe('OK');
    expect(r.pValue).toBe(Number.MIN_VALUE);
    expect(r.sequentialPValue).toBe(Number.MIN_VALUE);
    expect(r.decision).toBe('treatment');
  });

  test('values near ±1.8e308 whose sums overflow: NUMERICAL_LIMIT, means still exact, no winner', () => {
    const r = analyze({
      metric: 'continuous',
      control: { values: [1e308, 1.5e308, 1.7e308] },
      treatment: { values: [1.6e308, 1.7e308, 1.79e308] },
    });
    expect(r.status).toBe('NUMERICAL_LIMIT');
    expect(r.control.mean).toBe(1.4e308);
    expect([r.pValue, r.df, r.statistic, r.sequentialPValue]).toEqual([null, null, null, null]);
    // The estimates are still reported (the difference of two finite means), without intervals.
    expect(r.absolute!.ciLow).toBeNull();
    expectClose(r.absolute!.estimate, 1.6966666666666667e308 - 1.4e308, 1e-12);
    expect(r.decision).toBe('inconclusive');
    expect(r.reason).toMatch(/^numerical limit on primary: the values are too large or too finely spread/);
  });

  test('a real spread of subnormal values is NUMERICAL_LIMIT, not a false ZERO_VARIANCE', () => {
    const r = analyze({
      metric: 'continuous',
      control: { values: [1e-320, 2e-320, 3e-320] },
      treatment: { values: [4e-320, 5e-320, 6e-320] },
    });
    expect(r.status).toBe('NUMERICAL_LIMIT');
    expect(r.decision).toBe('inconclusive');
  });

  test('variances beyond 1e154 (their squares overflow) keep a finite Welch ν: the same test as the rescaled data', () => {
    const control = [1, 1.2, 0.9, 1.1, 1.05];
    const treatment = [2, 2.2, 1.9, 2.1, 1.6];
    const big = analyze({
      metric: 'continuous',
      control: { values: control.map((x) => x * 1e80) },
      treatment: { values: treatment.map((x) => x * 1e80) },
    });
    const unit = analyze({ metric: 'continuous', control: { values: control }, treatment: { values: treatment } });
    expect(big.status).toBe('OK');
    expectClose(big.df!, unit.df!, 1e-12);
    expectClose(big.statistic!, unit.statistic!, 1e-12);
    expectClose(big.pValue!, unit.pValue!, 1e-12);
    expectClose(big.relative!.ciLow!, unit.relative!.ciLow!, 1e-12);
    expect(big.decision).toBe(unit.decision);
  });
});
