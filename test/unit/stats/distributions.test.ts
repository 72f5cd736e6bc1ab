import { chiSquareSf, normalQuantile, normalSf, normalTwoSidedP, tQuantile, tTwoSidedP } from '../../../src/stats';
import { expectClose, reference } from './reference';

const d = reference.distributions;

describe('distribution functions against SciPy', () => {
  test.each(d.tTwoSided as [number, number, number][])('two-sided t p-value at df %d, t %d', (df, t, p) => {
    // jStat's continued fraction stops at 3e-7; above 1e7 df the normalising transform is exact to O(1/df²).
    expectClose(tTwoSidedP(t, df), p, 1e-6, 0);
    expectClose(tTwoSidedP(-t, df), p, 1e-6, 0);
  });

  test.each(d.tQuantile as [number, number, number][])('t quantile at df %d, q %d', (df, q, x) => {
    expectClose(tQuantile(q, df), x, 1e-7);
    expectClose(tQuantile(1 - q, df), -x, 1e-6);
  });

  test.each(d.normalSf as [number, number][])('normal upper tail at z = %d, precise far into the tail', (z, p) => {
    expectClose(normalSf(z), p, 1e-12, 0);
  });

  test.each(d.normalQuantile as [number, number][])('normal quantile at q = %d', (q, x) => {
    expectClose(normalQuantile(q), x, 1e-12);
  });

  test.each(d.chiSquareSf as [number, number, number][])('χ² upper tail with %d df at %d', (k, x, p) => {
    expectClose(chiSquareSf(x, k), p, 1e-12, 0);
  });

  test('a huge statistic gives a tiny positive p-value, never 0 where the double range allows it', () => {
    expect(normalTwoSidedP(37)).toBeGreaterThan(0);
    expect(tTwoSidedP(30, 1e9)).toBeGreaterThan(0);
    expect(normalTwoSidedP(0)).toBeCloseTo(1, 15);
  });
});
