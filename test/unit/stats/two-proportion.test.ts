import {
  absoluteDifference,
  minimumExpectedCount,
  newcombeDifference,
  normalQuantile,
  proportionsPower,
  logRatioLift,
  twoProportionZTest,
} from '../../../src/stats';
import { expectClose, reference } from './reference';

interface BinaryCase {
  control: { units: number; conversions: number };
  treatment: { units: number; conversions: number };
  z: number;
  pValue: number;
  minExpected: number;
  wald: [number, number];
  newcombe: [number, number];
  relative: [number, number, number];
  power: number;
}

const cases = reference.binary as BinaryCase[];
const z = normalQuantile(1 - reference.alpha / 2);
const label = (c: BinaryCase) =>
  `${c.treatment.conversions}/${c.treatment.units} vs ${c.control.conversions}/${c.control.units}`;
const rate = (a: { units: number; conversions: number }) => {
  const p = a.conversions / a.units;
  return { mean: p, varianceOfMean: (p * (1 - p)) / a.units };
};

describe.each(cases.map((c) => [label(c), c] as const))('binary metric %s against statsmodels', (_name, c) => {
  test('pooled z statistic and two-sided p-value (proportions_ztest)', () => {
    const r = twoProportionZTest(c.control, c.treatment);
    expectClose(r.statistic, c.z, 1e-9);
    expectClose(r.pValue, c.pValue, 1e-9);
    expectClose(minimumExpectedCount(c.control, c.treatment), c.minExpected, 1e-12);
  });

  test('Wald and Newcombe intervals of the difference (confint_proportions_2indep)', () => {
    const wald = absoluteDifference(rate(c.control), rate(c.treatment), z);
    expectClose(wald.ciLow, c.wald[0], 1e-9);
    expectClose(wald.ciHigh, c.wald[1], 1e-9);
    const newcombe = newcombeDifference(c.control, c.treatment, z);
    expectClose(newcombe.ciLow, c.newcombe[0], 1e-9);
    expectClose(newcombe.ciHigh, c.newcombe[1], 1e-9);
  });

  test("relative lift with the log-ratio interval (confint_proportions_2indep compare='ratio')", () => {
    const lift = logRatioLift(c.control, c.treatment, z);
    expect(lift).not.toBeNull();
    expectClose(lift!.estimate, c.relative[0], 1e-9);
    expectClose(lift!.ciLow, c.relative[1], 1e-9);
    expectClose(lift!.ciHigh, c.relative[2], 1e-9);
    expect(lift!.ciLow!).toBeGreaterThan(-1);
    expect(lift!.unbounded).toBe(false);
  });

  test('achieved power at the observed effect (power_proportions_2indep)', () => {
    const pc = c.control.conversions / c.control.units;
    const pt = c.treatment.conversions / c.treatment.units;
    expectClose(
      proportionsPower(pc, pt - pc, { control: c.control.units, treatment: c.treatment.units }, reference.alpha),
      c.power,
      1e-9,
    );
  });
});

describe('relative lift of proportions', () => {
  test('is null, not Infinity or NaN, when the control has no conversions', () => {
    expect(logRatioLift({ units: 100, conversions: 0 }, { units: 100, conversions: 10 }, 1.96)).toBeNull();
  });

  test('stays above −100 % where the delta method goes below it', () => {
    // 20 per arm, 10 vs 1 conversions: the delta interval's lower end is −1.096 (an impossible −109.6 %).
    const lift = logRatioLift({ units: 20, conversions: 10 }, { units: 20, conversions: 1 }, 1.959963984540054)!;
    expect(lift.estimate).toBeCloseTo(-0.9, 12);
    expect(lift.ciLow!).toBeGreaterThan(-1);
    expect(lift.ciHigh!).toBeLessThan(0);
  });
});
