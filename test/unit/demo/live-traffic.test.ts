import {
  DEMO_GUARD_POLICY,
  HOLDOUT_BASIS_POINTS,
  driftedTraffic,
  serveUnderGuard,
  shiftRight,
  type DigitRow,
} from '../../../src/demo';
import { GuardPolicy } from '../../../src/domain/guard-policy';
import { holdoutRouter } from '../../../src/client';
import { expectModelctlError } from '../../helpers/errors';

const image = Array.from({ length: 64 }, (_, i) => i + 1);

describe('the demo live traffic: drifted digits served under a guard with a holdout', () => {
  it('shifts every row of the image one pixel right, the left column blank', () => {
    const shifted = shiftRight(image);
    expect(shifted.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(shifted.slice(56, 64)).toEqual([0, 57, 58, 59, 60, 61, 62, 63]);
    expect(shiftRight(image, 8)).toEqual(Array.from({ length: 64 }, () => 0));
    expect(shiftRight(image, 0)).toEqual(image);
  });

  it('drifts every row and keeps its label', () => {
    const rows: DigitRow[] = [{ label: 3, pixels: image }];
    expect(driftedTraffic(rows)).toEqual([{ label: 3, pixels: shiftRight(image) }]);
    expect(rows[0]!.pixels).toEqual(image);
  });

  it('routes each unit by the salted hash: the same side each time, the holdout near its share', () => {
    const route = holdoutRouter('guard-digits', HOLDOUT_BASIS_POINTS);
    const sides = Array.from({ length: 10_000 }, (_, i) => route(`live-${i}`));
    expect(Array.from({ length: 10_000 }, (_, i) => route(`live-${i}`))).toEqual(sides);
    const baseline = sides.filter((s) => s === 'baseline').length;
    // 20 % of 10,000, binomial standard deviation 40: within five standard deviations.
    expect(Math.abs(baseline - 2000)).toBeLessThan(200);
    expect(holdoutRouter('another-salt', HOLDOUT_BASIS_POINTS)('live-0')).toMatch(/^(baseline|candidate)$/);
  });

  it('refuses a holdout share outside [1, 5000] basis points or an empty salt', async () => {
    await expectModelctlError(
      Promise.resolve().then(() => holdoutRouter('s', 0)),
      'INVALID_INPUT',
      'invalid holdout: holdoutBasisPoints: must be in [1, 5000] basis points',
    );
    await expectModelctlError(
      Promise.resolve().then(() => holdoutRouter('s', 5001)),
      'INVALID_INPUT',
      /must be in \[1, 5000\] basis points/,
    );
    await expectModelctlError(
      Promise.resolve().then(() => holdoutRouter('s', 0.5)),
      'INVALID_INPUT',
      /must be an integer number of basis points/,
    );
    await expectModelctlError(
      Promise.resolve().then(() => holdoutRouter('', 2000)),
      'INVALID_INPUT',
      /salt/,
    );
  });

  it('records one error observation per request for the version that served it', () => {
    const rows: DigitRow[] = Array.from({ length: 50 }, (_, i) => ({ label: i % 10, pixels: image }));
    const predictions = { baseline: rows.map((r) => r.label), candidate: rows.map(() => 0) };
    const { observations, served } = serveUnderGuard(
      'digits',
      'guard-digits',
      rows,
      { baseline: '1.0.0', candidate: '1.0.1' },
      predictions,
    );
    const route = holdoutRouter('guard-digits', HOLDOUT_BASIS_POINTS);
    expect(observations).toEqual(
      rows.map((r, i) =>
        route(`live-${i}`) === 'baseline'
          ? { model: 'digits', version: '1.0.0', metric: 'error', value: 0 }
          : { model: 'digits', version: '1.0.1', metric: 'error', value: r.label === 0 ? 0 : 1 },
      ),
    );
    expect(served.baseline + served.candidate).toBe(50);
    expect(served.baseline).toBe(observations.filter((o) => o.version === '1.0.0').length);
  });

  it('uses a guard policy the guard accepts: relative and SLO checks of the error rate every 10 s', () => {
    const policy = GuardPolicy.parse(DEMO_GUARD_POLICY);
    expect(policy).toMatchObject({ checkInterval: 10_000, bakeTime: 600_000, minSamples: 100, alpha: 0.05 });
    expect(policy.metrics.map((m) => m.check)).toEqual(['relative', 'slo']);
  });
});
