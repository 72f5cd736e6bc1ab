import { alwaysValidPValues, analyzeAbTest, msprtPValue } from '../../../src/stats';
import { mulberry32, normals } from './prng';
import { expectClose, reference } from './reference';

interface MsprtCase {
  estimate: number;
  standardError: number;
  units: number;
  tuning: number;
  pValue: number;
}

describe('mSPRT always-valid p-value', () => {
  test.each((reference.msprt as MsprtCase[]).map((c) => [c.estimate, c.standardError, c.units, c.tuning, c]))(
    'estimate %d, standard error %d, %d units, tuning %d matches the formula of Johari et al.',
    (_d, _se, _n, _tuning, c) => {
      expectClose(msprtPValue(c.estimate, c.standardError, c.units, c.tuning), c.pValue, 1e-12);
    },
  );

  test('the always-valid sequence is the running minimum and never rises', () => {
    expect(alwaysValidPValues([1, 0.4, 0.6, 0.2, 0.3])).toEqual([1, 0.4, 0.4, 0.2, 0.2]);
  });
});

const ALPHA = 0.05;
const TESTS = 1000;
const LOOKS = 28;
const UNITS_PER_ARM_PER_DAY = 100;

interface Arm {
  units: number;
  sum: number;
  sumSquares: number;
}

/**
 * Runs `TESTS` simulated tests with daily looks; returns the share that declared a winner at some look under the
 * given stopping rule, stopping at the first look where `wins` holds for the decision.
 */
function simulate(
  seed: number,
  effect: number,
  tests: number,
  wins: (decision: string) => boolean,
): { sequential: number; naive: number } {
  const z = normals(mulberry32(seed));
  let sequentialWinners = 0;
  let naiveWinners = 0;
  for (let test = 0; test < tests; test++) {
    const control: Arm = { units: 0, sum: 0, sumSquares: 0 };
    const treatment: Arm = { units: 0, sum: 0, sumSquares: 0 };
    let sequentialStopped = false;
    let naiveStopped = false;
    for (let look = 0; look < LOOKS; look++) {
      for (let i = 0; i < UNITS_PER_ARM_PER_DAY; i++) {
        const c = 10 + 2 * z();
        const t = 10 + effect + 2 * z();
        control.units++;
        control.sum += c;
        control.sumSquares += c * c;
        treatment.units++;
        treatment.sum += t;
        treatment.sumSquares += t * t;
      }
      const doc = { metric: 'continuous', control, treatment };
      if (!sequentialStopped && wins(analyzeAbTest({ ...doc, stopping: 'sequential' }).decision))
        sequentialStopped = true;
      if (!naiveStopped && wins(analyzeAbTest(doc).decision)) naiveStopped = true;
      if (sequentialStopped && naiveStopped) break;
    }
    if (sequentialStopped) sequentialWinners++;
    if (naiveStopped) naiveWinners++;
  }
  return { sequential: sequentialWinners / tests, naive: naiveWinners / tests };
}

describe('peeking: 1,000 A/A tests, 28 daily looks, stop at the first significant look', () => {
  const result = simulate(20240601, 0, TESTS, (decision) => decision !== 'inconclusive');
  // Monte Carlo standard error of a rate of alpha over 1,000 tests: √(0.05·0.95/1000) ≈ 0.0069.
  const mcError = Math.sqrt((ALPHA * (1 - ALPHA)) / TESTS);

  test('the mSPRT always-valid p-value keeps the false-winner rate at alpha (within 3 Monte Carlo errors)', () => {
    expect(result.sequential).toBeLessThanOrEqual(ALPHA + 3 * mcError);
  });

  test('the fixed-horizon p-value read at every look does not: its false-winner rate is several times alpha', () => {
    expect(result.naive).toBeGreaterThan(ALPHA + 10 * mcError);
  });
});

describe('the sequential test still finds a real effect', () => {
  test('a 0.15 standard deviation lift is declared for treatment by day 28 in most of 200 tests', () => {
    expect(simulate(7, 0.3, 200, (decision) => decision === 'treatment').sequential).toBeGreaterThan(0.8);
  });
});
