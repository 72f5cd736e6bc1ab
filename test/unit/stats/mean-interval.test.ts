import { meanConfidenceInterval } from '../../../src/stats/mean-interval';

// Quantiles from R: qt(0.975, 4) = 2.7764451051977987, qt(0.975, 1) = 12.706204736174707, qt(0.95, 4) = 2.131846786326649.
describe('meanConfidenceInterval: x̄ ± t_{n−1}(1 − α/2)·s/√n', () => {
  test('1..5 at 95 %: 3 ± 2.7764451·√(2.5/5)', () => {
    const ci = meanConfidenceInterval([1, 2, 3, 4, 5])!;
    const half = 2.7764451051977987 * Math.sqrt(0.5);
    expect(ci.level).toBe(0.95);
    expect(ci.low).toBeCloseTo(3 - half, 7);
    expect(ci.high).toBeCloseTo(3 + half, 7);
  });

  test('alpha sets the level: 1..5 at 90 % uses qt(0.95, 4)', () => {
    const ci = meanConfidenceInterval([5, 4, 3, 2, 1], 0.1)!;
    const half = 2.131846786326649 * Math.sqrt(0.5);
    expect(ci.level).toBeCloseTo(0.9, 15);
    expect(ci.low).toBeCloseTo(3 - half, 7);
    expect(ci.high).toBeCloseTo(3 + half, 7);
  });

  test('two units: one degree of freedom, the wide interval 0.5 ± 12.7062047·0.5', () => {
    const ci = meanConfidenceInterval([0, 1])!;
    expect(ci.low).toBeCloseTo(0.5 - 12.706204736174707 * 0.5, 6);
    expect(ci.high).toBeCloseTo(0.5 + 12.706204736174707 * 0.5, 6);
  });

  test('identical values: a zero-width interval at the mean', () => {
    expect(meanConfidenceInterval([0.25, 0.25, 0.25])).toEqual({ low: 0.25, high: 0.25, level: 0.95 });
  });

  test('fewer than two values have no spread to estimate: null', () => {
    expect(meanConfidenceInterval([])).toBeNull();
    expect(meanConfidenceInterval([0.9])).toBeNull();
  });
});
