import {
  binomial,
  guardDetection,
  mulberry32,
  simulatedPolicy,
  simulateRuns,
  summarizeDelays,
  thresholdDetection,
  tuneThreshold,
  type Deployment,
} from '../../../bench/lib/guard-simulation';

const reference: Deployment = {
  name: 'reference 1 h',
  baseline: 'reference',
  candidatePerMinute: 1000,
  holdoutPerMinute: 0,
  referenceMinutes: 60,
  referencePerMinute: 1000,
};
const holdout: Deployment = {
  name: 'holdout 10 %',
  baseline: 'holdout',
  candidatePerMinute: 900,
  holdoutPerMinute: 100,
  referenceMinutes: 0,
  referencePerMinute: 0,
};

describe('guard detection-delay simulation (bench/guard.ts)', () => {
  test('binomial draws by inversion have the binomial mean and variance', () => {
    const uniform = mulberry32(1);
    const draws = Array.from({ length: 20_000 }, () => binomial(900, 0.01, uniform));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    expect(Math.abs(mean - 9)).toBeLessThan(0.1);
    expect(Math.abs(variance - 8.91)).toBeLessThan(0.4);
    expect(binomial(10, 0, uniform)).toBe(0);
  });

  test('a threshold check acts at the N-th failed check in a row; a passing check resets the streak', () => {
    const counts = [5, 12, 13, 4, 14, 15, 16];
    expect(thresholdDetection(counts, { maxErrors: 10, failures: 1 })).toBe(2);
    expect(thresholdDetection(counts, { maxErrors: 10, failures: 2 })).toBe(3);
    expect(thresholdDetection(counts, { maxErrors: 10, failures: 3 })).toBe(7);
    expect(thresholdDetection(counts, { maxErrors: 16, failures: 1 })).toBeNull();
    expect(summarizeDelays([2, 3, null, 4])).toEqual({ detected: 0.75, median: 3, p90: Infinity });
  });

  test('the tuned threshold keeps A/A false alarms at most alpha, one error lower exceeds it, and it holds out of sample', () => {
    const tuning = simulateRuns(reference, 0.01, 0.01, 60, 1000, 11);
    const t = tuneThreshold(tuning, 1, 0.05);
    expect(t.falseAlarms).toBeLessThanOrEqual(0.05);
    expect(t.falseAlarmsOneLower).toBeGreaterThan(0.05);
    const fresh = simulateRuns(reference, 0.01, 0.01, 60, 1000, 12);
    const alarms = fresh.filter((r) => thresholdDetection(r.candidateErrors, t) !== null).length / fresh.length;
    expect(Math.abs(alarms - t.falseAlarms)).toBeLessThan(0.02);
    // Five in a row: a lower bar for the same false-alarm rate.
    expect(tuneThreshold(tuning, 5, 0.05).maxErrors).toBeLessThan(t.maxErrors);
  });

  test("the guard's false-rollback rate over the bake stays at most alpha with a reference window, and +100 % is caught", () => {
    const policy = simulatedPolicy();
    expect([policy.alpha, policy.checkInterval, policy.bakeTime, policy.minSamples]).toEqual([
      0.05, 60_000, 3_600_000, 100,
    ]);
    const aa = simulateRuns(reference, 0.01, 0.01, 60, 400, 21);
    expect(aa.filter((r) => guardDetection(r, reference, policy) !== null).length / aa.length).toBeLessThanOrEqual(
      0.05,
    );
    const doubled = simulateRuns(reference, 0.01, 0.02, 60, 100, 22);
    expect(summarizeDelays(doubled.map((r) => guardDetection(r, reference, policy))).detected).toBe(1);
  });

  test('with a 10 % holdout and the default minSamples the expected-events rule keeps false rollbacks at most alpha; without it they exceed it', () => {
    // Without the rule the holdout's first checks hold ~1 expected error: a holdout with none has zero plug-in
    // variance, and the normal approximation behind the always-valid p-value does not hold.
    const policy = simulatedPolicy();
    const aa = simulateRuns(holdout, 0.01, 0.01, 60, 1000, 31);
    const rate = (expectedEvents: boolean) =>
      aa.filter((r) => guardDetection(r, holdout, policy, expectedEvents) !== null).length / aa.length;
    expect(rate(false)).toBeGreaterThan(0.15);
    expect(rate(true)).toBeLessThanOrEqual(0.05);
    const doubled = simulateRuns(holdout, 0.01, 0.02, 60, 200, 32);
    const caught = summarizeDelays(doubled.map((r) => guardDetection(r, holdout, policy)));
    expect(caught.detected).toBeGreaterThanOrEqual(0.95);
    // The rule waits for ~10 expected holdout errors (10 minutes at 1 %, fewer when the candidate's errors raise
    // the pooled rate): a doubling is caught within a quarter of an hour at the median.
    expect(caught.median).toBeLessThanOrEqual(15);
  });

  test('a deployment without a baseline is refused naming the field', () => {
    expect(() => simulateRuns({ ...holdout, holdoutPerMinute: 0 }, 0.01, 0.01, 1, 1, 1)).toThrow(/baseline/);
  });
});
