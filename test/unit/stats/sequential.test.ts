import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alwaysValidPValues,
  analyzeAbTest,
  type ConversionCounts,
  DEFAULT_SEQUENTIAL_TUNING,
  mixingParameter,
  msprtInterval,
  msprtPValue,
} from '../../../src/stats';
import { mulberry32, normals } from './prng';
import { expectClose, reference } from './reference';

interface GbstatsCase {
  estimate: number;
  standardError: number;
  units: number;
  tuning: number;
  alpha: number;
  pValue: number;
  ciLow: number;
  ciHigh: number;
  control: { units: number; conversions?: number; sum?: number; sumSquares?: number };
  treatment: { units: number; conversions?: number; sum?: number; sumSquares?: number };
}

const gbBinary = reference.gbstatsSequential.binary as GbstatsCase[];
const gbContinuous = reference.gbstatsSequential.continuous as GbstatsCase[];
const label = (c: GbstatsCase) => [c.units, c.tuning, c.alpha, c] as const;

describe('mSPRT always-valid p-value and interval against gbstats SequentialTwoSidedTTest', () => {
  test('the mixing parameter is the optimal one for (alpha, N*) of Waudby-Smith et al. eq. (161)', () => {
    // (−2 ln 0.05 + ln(1 − 2 ln 0.05)) / 5000
    expectClose(mixingParameter(0.05, 5000), 0.001587230920347513, 1e-12);
    expectClose(mixingParameter(0.01, 1000), (-2 * Math.log(0.01) + Math.log(1 - 2 * Math.log(0.01))) / 1000, 1e-15);
  });

  test.each([...gbBinary, ...gbContinuous].map(label))(
    '%d units, N* %d, alpha %d: p-value and interval equal gbstats for the same estimate and standard error',
    (_n, _tuning, _alpha, c) => {
      expectClose(msprtPValue(c.estimate, c.standardError, c.units, c.tuning, c.alpha), c.pValue, 1e-10);
      const ci = msprtInterval(c.estimate, c.standardError, c.units, c.tuning, c.alpha);
      expectClose(ci.ciLow, c.ciLow, 1e-10);
      expectClose(ci.ciHigh, c.ciHigh, 1e-10);
    },
  );

  test.each(gbContinuous.map(label))(
    'continuous analysis, %d units, N* %d, alpha %d: always-valid p and interval equal gbstats',
    (_n, _tuning, _alpha, c) => {
      const r = analyzeAbTest({
        metric: 'continuous',
        control: c.control,
        treatment: c.treatment,
        stopping: 'sequential',
        sequentialTuning: c.tuning,
        alpha: c.alpha,
      });
      expect(r.sequentialTuning).toBe(c.tuning);
      expectClose(r.sequentialPValue, c.pValue, 1e-8);
      expectClose(r.sequentialInterval?.ciLow, c.ciLow, 1e-8);
      expectClose(r.sequentialInterval?.ciHigh, c.ciHigh, 1e-8);
    },
  );

  test.each(gbBinary.map(label))(
    'binary analysis, %d units, N* %d, alpha %d: always-valid p and interval equal gbstats',
    (_n, _tuning, _alpha, c) => {
      const { control, treatment } = c as unknown as { control: ConversionCounts; treatment: ConversionCounts };
      const r = analyzeAbTest({
        metric: 'binary',
        control,
        treatment,
        stopping: 'sequential',
        sequentialTuning: c.tuning,
        alpha: c.alpha,
      });
      expectClose(r.sequentialInterval?.ciLow, c.ciLow, 1e-10);
      expectClose(r.sequentialInterval?.ciHigh, c.ciHigh, 1e-10);
      expectClose(r.sequentialPValue, c.pValue, 1e-10);
    },
  );

  test('without a tuning the analysis uses the documented default N* and says so', () => {
    const r = analyzeAbTest({
      metric: 'binary',
      control: { units: 1000, conversions: 100 },
      treatment: { units: 1000, conversions: 130 },
    });
    expect(r.sequentialTuning).toBe(DEFAULT_SEQUENTIAL_TUNING);
  });

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

interface SimulationScenario {
  lift: number;
  tests: number;
  control: string[];
  treatment: string[];
  gbstats: { significant: number; medianFirstLook: number | null };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const peeking: any = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/stats/sequential-simulation.json'), 'utf8'),
);

/** Per test, the first look (1-based) with an always-valid p ≤ alpha, or null; daily conversions as char codes − 48. */
function firstSignificantLooks(scenario: SimulationScenario): (number | null)[] {
  const daily: number = peeking.unitsPerArmPerDay;
  return scenario.control.map((controlDays, i) => {
    const treatmentDays = scenario.treatment[i]!;
    let c = 0;
    let t = 0;
    for (let look = 0; look < peeking.looks; look++) {
      c += controlDays.charCodeAt(look) - 48;
      t += treatmentDays.charCodeAt(look) - 48;
      const units = daily * (look + 1);
      const r = analyzeAbTest({
        metric: 'binary',
        control: { units, conversions: c },
        treatment: { units, conversions: t },
        stopping: 'sequential',
        sequentialTuning: peeking.tuning,
        alpha: peeking.alpha,
      });
      if (r.sequentialPValue !== null && r.sequentialPValue <= peeking.alpha) return look + 1;
    }
    return null;
  });
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe('peeking at binary tests side by side with gbstats (same simulated data, 28 daily looks, N* = planned total)', () => {
  const scenarios = peeking.scenarios as SimulationScenario[];
  const results = scenarios.map((s) => {
    const looks = firstSignificantLooks(s);
    const hits = looks.filter((x): x is number => x !== null);
    return { scenario: s, significant: hits.length / s.tests, medianFirstLook: median(hits) };
  });

  test('A/A: the false-positive rate over 1,000 tests is at most alpha', () => {
    const aa = results.find((r) => r.scenario.lift === 0)!;
    expect(aa.scenario.tests).toBe(1000);
    expect(aa.significant).toBeLessThanOrEqual(peeking.alpha);
  });

  test.each(results.filter((r) => r.scenario.lift > 0).map((r) => [r.scenario.lift * 100, r] as const))(
    'a true lift of +%d%%: power by the last look and the median first significant look at least as good as gbstats',
    (_lift, r) => {
      expect(r.significant).toBeGreaterThanOrEqual(r.scenario.gbstats.significant);
      expect(r.medianFirstLook).not.toBeNull();
      expect(r.medianFirstLook!).toBeLessThanOrEqual(r.scenario.gbstats.medianFirstLook!);
    },
  );
});
