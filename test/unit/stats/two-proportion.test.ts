import {
  absoluteDifference,
  minimumExpectedCount,
  newcombeDifference,
  normalQuantile,
  proportionsPower,
  relativeLift,
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

  test('delta-method relative lift and its interval', () => {
    const lift = relativeLift(rate(c.control), rate(c.treatment), z);
    expect(lift).not.toBeNull();
    expectClose(lift!.estimate, c.relative[0], 1e-9);
    expectClose(lift!.ciLow, c.relative[1], 1e-9);
    expectClose(lift!.ciHigh, c.relative[2], 1e-9);
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

describe('relative lift', () => {
  test('is null, not Infinity or NaN, when the control mean is 0', () => {
    expect(relativeLift({ mean: 0, varianceOfMean: 0 }, { mean: 0.1, varianceOfMean: 0.001 }, 1.96)).toBeNull();
  });
});
