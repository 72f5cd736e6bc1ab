import {
  absoluteDifference,
  mannWhitneyU,
  meansPower,
  fiellerLift,
  summarizeSufficient,
  summarizeValues,
  tQuantile,
  welchTTest,
} from '../../../src/stats';
import { expectClose, reference } from './reference';

interface RawCase {
  control: number[];
  treatment: number[];
  welch: { statistic: number; df: number; pValue: number; ci: [number, number] };
  mannWhitney: { statistic: number; pValue: number };
  relative: [number, number, number];
  power: number;
  variance: [number, number];
}
interface SufficientCase {
  control: { units: number; mean: number; sd: number };
  treatment: { units: number; mean: number; sd: number };
  statistic: number;
  df: number;
  pValue: number;
  ci: [number, number];
  relative: [number, number] | null;
}

const alpha = reference.alpha as number;
const raw = (reference.continuous as RawCase[]).map(
  (c, i) => [`sample ${i + 1} (${c.treatment.length} vs ${c.control.length})`, c] as const,
);
/** Interval bounds d ∓ q·se are checked relative to the half-width q·se, the part actually computed. */
function expectInterval(ci: { ciLow: number; ciHigh: number }, expected: [number, number], rel = 1e-7): void {
  const half = (expected[1] - expected[0]) / 2;
  expectClose(ci.ciLow, expected[0], 0, rel * half);
  expectClose(ci.ciHigh, expected[1], 0, rel * half);
}
const ofMean = (s: { mean: number; variance: number; units: number }) => ({
  mean: s.mean,
  varianceOfMean: s.variance / s.units,
});

describe.each(raw)('continuous metric from raw values, %s', (_name, c) => {
  const cs = summarizeValues(c.control);
  const ts = summarizeValues(c.treatment);

  test('sample variances match numpy (ddof=1)', () => {
    expectClose(cs.variance, c.variance[0], 1e-12);
    expectClose(ts.variance, c.variance[1], 1e-12);
  });

  test("Welch's t, df, p-value and interval match scipy.stats.ttest_ind(equal_var=False)", () => {
    const w = welchTTest(cs, ts);
    expectClose(w.statistic, c.welch.statistic, 1e-10);
    expectClose(w.df, c.welch.df, 1e-10);
    expectClose(w.pValue, c.welch.pValue, 1e-6);
    const ci = absoluteDifference(ofMean(cs), ofMean(ts), tQuantile(1 - alpha / 2, w.df));
    expectInterval(ci, c.welch.ci);
  });

  test('Mann–Whitney U and its asymptotic p-value match scipy.stats.mannwhitneyu', () => {
    const r = mannWhitneyU(c.control, c.treatment);
    expectClose(r.statistic, c.mannWhitney.statistic, 1e-12);
    expectClose(r.pValue, c.mannWhitney.pValue, 1e-9);
  });

  test("relative lift with Fieller's interval at the Welch t quantile, and power at the observed effect", () => {
    const q = tQuantile(1 - alpha / 2, welchTTest(cs, ts).df);
    const lift = fiellerLift(ofMean(cs), ofMean(ts), q)!;
    expectClose(lift.estimate, c.relative[0], 1e-9);
    expectClose(lift.ciLow!, c.relative[1], 1e-6);
    expectClose(lift.ciHigh!, c.relative[2], 1e-6);
    expectClose(meansPower(ts.mean - cs.mean, welchTTest(cs, ts).standardError, alpha), c.power, 1e-9);
  });
});

describe('Welch from sufficient statistics against scipy.stats.ttest_ind_from_stats', () => {
  test.each(
    (reference.sufficient as SufficientCase[]).map(
      (c) => [`${c.treatment.units} vs ${c.control.units} units`, c] as const,
    ),
  )('%s', (_name, c) => {
    const toStats = (a: { units: number; mean: number; sd: number }) => {
      // Σx and Σx² as a store would hold them; the summary must recover mean and variance from them.
      const sum = a.mean * a.units;
      return summarizeSufficient({ units: a.units, sum, sumSquares: a.sd ** 2 * (a.units - 1) + sum * a.mean });
    };
    const cs = toStats(c.control);
    const ts = toStats(c.treatment);
    const w = welchTTest(cs, ts);
    // Σx² of 4e8 units carries ~1e-16·Σx² of rounding, which reaches the variance at ~1e-9.
    expectClose(w.statistic, c.statistic, 1e-6);
    expectClose(w.df, c.df, 1e-6);
    expectClose(w.pValue, c.pValue, 1e-6);
    const ci = absoluteDifference(ofMean(cs), ofMean(ts), tQuantile(1 - alpha / 2, w.df));
    expectInterval(ci, c.ci, 1e-6);
    const lift = fiellerLift(ofMean(cs), ofMean(ts), tQuantile(1 - alpha / 2, w.df))!;
    expect(lift.unbounded).toBe(c.relative === null);
    if (c.relative === null) {
      expect([lift.ciLow, lift.ciHigh]).toEqual([null, null]);
    } else {
      expectClose(lift.ciLow!, c.relative[0], 1e-6);
      expectClose(lift.ciHigh!, c.relative[1], 1e-6);
    }
  });

  test('a variance lost to cancellation is exactly zero, not rounding noise', () => {
    const s = summarizeSufficient({ units: 3, sum: 0.1 + 0.1 + 0.1, sumSquares: 0.01 + 0.01 + 0.01 });
    expect(s.variance).toBe(0);
    expect(summarizeSufficient({ units: 1e8, sum: 1e8 * 1e6, sumSquares: 1e8 * 1e12 }).variance).toBe(0);
  });
});
