import {
  binaryEvents,
  combineOutcomes,
  MIN_EXPECTED_EVENTS,
  relativeRegressionCheck,
  sloCheck,
  type MetricSample,
} from '../../../src/stats/guard-checks';
import { msprtInterval, msprtPValue } from '../../../src/stats/sequential';
import { mulberry32 } from './prng';

/** A 0/1 sample: n observations, k ones. */
const binary = (n: number, k: number): MetricSample => {
  const mean = k / n;
  return { count: n, mean, variance: (k - n * mean * mean) / (n - 1), sketchCount: 0, quantiles: {} };
};
const options = { alpha: 0.05, tuning: 5000, minSamples: 100 };

describe('guard checks', () => {
  test('a doubled error rate fails with the mSPRT p-value and interval of the excess', () => {
    const c = binary(5000, 100);
    const b = binary(5000, 50);
    const check = relativeRegressionCheck('error', 'lower_is_better', 0, c, b, options);
    const se = Math.sqrt(c.variance! / 5000 + b.variance! / 5000);
    expect(check).toEqual({
      metric: 'error',
      check: 'relative',
      outcome: 'fail',
      reason: `0.02 vs 0.01 (+100 %), always-valid p = ${Number(msprtPValue(0.01, se, 10000).toPrecision(4))} ≤ 0.05`,
      candidateCount: 5000,
      candidateValue: 0.02,
      baselineCount: 5000,
      baselineValue: 0.01,
      estimate: 0.01,
      relativeChange: 1,
      ...msprtInterval(0.01, se, 10000),
      pValue: msprtPValue(0.01, se, 10000),
    });
  });

  test('a tolerance moves the bar: +8 % is fine under a 10 % tolerance; higher_is_better flips the sign', () => {
    const within = relativeRegressionCheck(
      'error',
      'lower_is_better',
      0.1,
      binary(100000, 2160),
      binary(100000, 2000),
      options,
    );
    expect(within.outcome).toBe('pass');
    expect(within.estimate).toBeCloseTo(0.0216 - 1.1 * 0.02, 12);
    const reward = relativeRegressionCheck(
      'reward',
      'higher_is_better',
      0,
      binary(5000, 50),
      binary(5000, 100),
      options,
    );
    expect([reward.outcome, reward.estimate]).toEqual(['fail', 0.01]);
    const better = relativeRegressionCheck('error', 'lower_is_better', 0, binary(5000, 50), binary(5000, 100), options);
    expect(better.outcome).toBe('pass');
    expect(better.reason).toMatch(/≤ \(better\) 0\.05$/);
  });

  test('too few observations in either arm, or none, is inconclusive, never a failure', () => {
    const check = relativeRegressionCheck('error', 'lower_is_better', 0, binary(99, 99), binary(5000, 0), options);
    expect([check.outcome, check.reason, check.pValue]).toEqual([
      'inconclusive',
      'too few observations (candidate 99; at least 100 per arm)',
      null,
    ]);
    const empty: MetricSample = { count: 0, mean: null, variance: null, sketchCount: 0, quantiles: {} };
    expect(sloCheck({ metric: 'error', check: 'slo', statistic: 'mean', max: 0.01 }, empty, 100).outcome).toBe(
      'inconclusive',
    );
    expect(
      relativeRegressionCheck('error', 'lower_is_better', 0, binary(500, 0), binary(500, 0), options).outcome,
    ).toBe('pass');
  });

  test('a 0/1 metric waits until each arm expects 10 events at the pooled rate; other metrics and the old rule do not', () => {
    // As the store returns it: min and max tell 0/1 values.
    const stored = (n: number, k: number): MetricSample => ({
      ...binary(n, k),
      min: k === n ? 1 : 0,
      max: k === 0 ? 0 : 1,
    });
    const rule = { ...options, minExpectedEvents: MIN_EXPECTED_EVENTS };
    expect(MIN_EXPECTED_EVENTS).toBe(10);
    expect([binaryEvents(stored(900, 9)), binaryEvents(stored(100, 0)), binaryEvents(binary(100, 3))]).toEqual([
      9,
      0,
      null,
    ]);
    // The false alarm of the plug-in variance: 12 errors of 900 against a holdout with none of 100.
    const plugIn = relativeRegressionCheck('error', 'lower_is_better', 0, stored(900, 12), stored(100, 0), options);
    expect(plugIn.outcome).toBe('fail');
    const early = relativeRegressionCheck('error', 'lower_is_better', 0, stored(900, 12), stored(100, 0), rule);
    expect([early.outcome, early.reason, early.pValue]).toEqual([
      'inconclusive',
      'too few events (12 of 900 vs 0 of 100: 1.2 expected events in the smaller arm at the pooled rate 0.012; at least 10)',
      null,
    ]);
    // 2,000 holdout observations at a pooled 1.9 %: 38 expected, so it decides, as without the rule — a doubling fails.
    const later = relativeRegressionCheck('error', 'lower_is_better', 0, stored(18000, 360), stored(2000, 20), rule);
    expect(later).toEqual(
      relativeRegressionCheck('error', 'lower_is_better', 0, stored(18000, 360), stored(2000, 20), options),
    );
    expect(later.outcome).toBe('fail');
    // Non-events count too: at a pooled 99.5 % success rate, 5 expected failures of 1,000.
    const rare = relativeRegressionCheck('ok', 'higher_is_better', 0, stored(9000, 8950), stored(1000, 1000), rule);
    expect(rare.reason).toBe(
      'too few events (8950 of 9000 vs 1000 of 1000: 5 expected non-events in the smaller arm at the pooled rate 0.995; at least 10)',
    );
    // A metric that is not 0/1 (or a sample without min and max) is judged as before.
    const latency = (n: number, mean: number): MetricSample => ({
      count: n,
      mean,
      variance: 400,
      sketchCount: n,
      quantiles: {},
      min: 1,
      max: 900,
    });
    expect(
      relativeRegressionCheck('latency_ms', 'lower_is_better', 0, latency(900, 130), latency(100, 100), rule).outcome,
    ).toBe('fail');
    expect(relativeRegressionCheck('error', 'lower_is_better', 0, binary(900, 12), binary(100, 0), rule).outcome).toBe(
      'fail',
    );
  });

  test('an SLO on a percentile reads the sketch and names the bound', () => {
    const latency: MetricSample = {
      count: 1000,
      mean: 120,
      variance: 900,
      sketchCount: 1000,
      quantiles: { '0.99': 342.5 },
    };
    const check = sloCheck({ metric: 'latency_ms', check: 'slo', statistic: 'p99', max: 300 }, latency, 100);
    expect([check.outcome, check.estimate, check.reason]).toEqual([
      'fail',
      42.5,
      'p99 342.5 breaks ≤ 300 (1000 observations)',
    ]);
    const floor = sloCheck({ metric: 'latency_ms', check: 'slo', statistic: 'mean', min: 100 }, latency, 100);
    expect([floor.outcome, floor.estimate]).toEqual(['pass', -20]);
    expect(combineOutcomes(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(combineOutcomes(['inconclusive', 'fail'])).toBe('fail');
  });

  /**
   * A/A: guards whose candidate and holdout share one error rate, checked every 5 minutes for a 2-hour bake
   * (24 cumulative looks, 500 observations per arm per look). The always-valid check keeps the share of guards that
   * ever roll back at most α; stopping at the first fixed-horizon z-test below α would not.
   */
  test('A/A: over 1,000 simulated guards the false-rollback rate stays at most alpha, and 1 % → 2 % is caught', () => {
    const uniform = mulberry32(20250101);
    const simulate = (candidateRate: number, guards: number) => {
      let alwaysValid = 0;
      let fixedHorizon = 0;
      for (let g = 0; g < guards; g++) {
        let kc = 0;
        let kb = 0;
        let n = 0;
        let av = false;
        let fh = false;
        for (let look = 1; look <= 24; look++) {
          for (let i = 0; i < 500; i++) {
            if (uniform() < candidateRate) kc++;
            if (uniform() < 0.01) kb++;
          }
          n += 500;
          const check = relativeRegressionCheck('error', 'lower_is_better', 0, binary(n, kc), binary(n, kb), options);
          if (check.outcome === 'fail') av = true;
          const se = Math.sqrt(binary(n, kc).variance! / n + binary(n, kb).variance! / n);
          // One-sided z ≥ 1.645: what a check without the sequential correction would do at every look.
          if (se > 0 && (kc - kb) / n / se >= 1.6448536269514722) fh = true;
        }
        if (av) alwaysValid++;
        if (fh) fixedHorizon++;
      }
      return { alwaysValid: alwaysValid / guards, fixedHorizon: fixedHorizon / guards };
    };
    const aa = simulate(0.01, 1000);
    expect(aa.alwaysValid).toBeLessThanOrEqual(0.05);
    expect(aa.fixedHorizon).toBeGreaterThan(0.1);
    const regression = simulate(0.02, 100);
    expect(regression.alwaysValid).toBeGreaterThanOrEqual(0.95);
  });
});
