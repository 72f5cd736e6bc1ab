import { holm, requiredSampleSize, requiredSampleSizeMeans, sampleRatioMismatch } from '../../../src/stats';
import { expectClose, reference } from './reference';

interface SrmCase {
  observed: number[];
  weights: number[];
  chi2: number;
  pValue: number;
}

const names = ['control', 'treatment', 'c', 'd'];
const record = (xs: number[]) => Object.fromEntries(xs.map((x, i) => [names[i]!, x]));

describe('sample ratio mismatch against scipy.stats.chisquare', () => {
  test.each(
    (reference.srm as SrmCase[]).map((c) => [`${c.observed.join('/')} against ${c.weights.join('/')}`, c] as const),
  )('%s', (_name, c) => {
    const r = sampleRatioMismatch(record(c.observed), record(c.weights));
    expectClose(r.chi2, c.chi2, 1e-12);
    expectClose(r.pValue, c.pValue, 1e-9, 1e-300);
    expect(r.mismatch).toBe(c.pValue < 0.001);
    expect(r.df).toBe(c.observed.length - 1);
  });

  test('is tested against the configured split, not an equal one', () => {
    expect(sampleRatioMismatch({ control: 9000, treatment: 1000 }, { control: 9000, treatment: 1000 }).mismatch).toBe(
      false,
    );
    expect(sampleRatioMismatch({ control: 9000, treatment: 1000 }, { control: 5000, treatment: 5000 }).mismatch).toBe(
      true,
    );
  });

  test('an empty arm counts: all units in one arm of a 50/50 split is a mismatch', () => {
    const r = sampleRatioMismatch({ control: 0, treatment: 120 }, { control: 5000, treatment: 5000 });
    expect(r).toEqual({ chi2: 120, df: 1, pValue: expect.any(Number), mismatch: true });
    expect(sampleRatioMismatch({ treatment: 120 }, { control: 5000, treatment: 5000 }).chi2).toBe(120);
  });

  test('units in an arm configured at 0 basis points are a mismatch without an infinite χ²', () => {
    expect(sampleRatioMismatch({ control: 100, treatment: 1 }, { control: 10000, treatment: 0 })).toEqual({
      chi2: null,
      df: 0,
      pValue: 0,
      mismatch: true,
    });
  });

  test('no units at all is no evidence of mismatch', () => {
    expect(sampleRatioMismatch({ control: 0, treatment: 0 }, { control: 5000, treatment: 5000 })).toEqual({
      chi2: null,
      df: 1,
      pValue: null,
      mismatch: false,
    });
  });

  test('a split that does not sum to 10,000 or has a negative weight is refused, naming the field', () => {
    expect(() => sampleRatioMismatch({ control: 1, treatment: 1 }, { control: 5000, treatment: 4000 })).toThrow(
      'invalid split: (root): weights must sum to exactly 10000 basis points',
    );
    expect(() => sampleRatioMismatch({ control: 1, treatment: 1 }, { control: 10500, treatment: -500 })).toThrow(
      /treatment: must not be negative/,
    );
    expect(() => sampleRatioMismatch({ control: 1, other: 1 }, { control: 5000, treatment: 5000 })).toThrow(
      "arm 'other' is not in the split",
    );
  });
});

describe('Holm correction against statsmodels multipletests(method="holm")', () => {
  test.each(
    (reference.holm as { pValues: number[]; adjusted: number[] }[]).map((c) => [c.pValues.join(', '), c] as const),
  )('p-values %s', (_name, c) => {
    holm(c.pValues).forEach((p, i) => expectClose(p, c.adjusted[i]!, 1e-12));
  });

  test('an empty family stays empty', () => {
    expect(holm([])).toEqual([]);
  });
});

describe('required sample size against statsmodels', () => {
  test.each(
    (reference.sampleSize as { baseline: number; mde: number; alpha: number; power: number; units: number }[]).map(
      (c) => [c.baseline, c.mde, c.alpha, c.power, c.units],
    ),
  )(
    'proportions: baseline %d, effect %d, alpha %d, power %d → %d units per arm',
    (baseline, mde, alpha, power, units) => {
      expect(requiredSampleSize(baseline, mde, alpha, power)).toBe(units);
    },
  );

  test.each(
    (reference.sampleSizeMeans as { sd: number; mde: number; alpha: number; power: number; units: number }[]).map(
      (c) => [c.sd, c.mde, c.alpha, c.power, c.units],
    ),
  )('means: sd %d, effect %d, alpha %d, power %d → %d units per arm', (sd, mde, alpha, power, units) => {
    expect(requiredSampleSizeMeans(sd, mde, alpha, power)).toBe(units);
  });

  test('defaults are alpha 0.05 and power 0.8', () => {
    expect(requiredSampleSize(0.02, 0.005)).toBe(requiredSampleSize(0.02, 0.005, 0.05, 0.8));
  });

  test('out-of-range arguments are refused, naming the argument', () => {
    expect(() => requiredSampleSize(0, 0.01)).toThrow('invalid baseline: must be strictly between 0 and 1, got 0');
    expect(() => requiredSampleSize(0.5, 0.6)).toThrow(/invalid minimumDetectableEffect/);
    expect(() => requiredSampleSize(0.5, 0.1, 1.5)).toThrow('invalid alpha');
    expect(() => requiredSampleSizeMeans(-1, 0.1)).toThrow('invalid standardDeviation');
  });
});
