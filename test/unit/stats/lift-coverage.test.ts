import {
  fiellerLift,
  logRatioLift,
  normalQuantile,
  summarizeValues,
  tQuantile,
  welchTTest,
  type MeanEstimate,
} from '../../../src/stats';
import { mulberry32, normals } from './prng';

// Seeded coverage simulation of the relative-lift intervals at small samples: the share of simulated tests whose
// 95 % interval holds the true lift must be at least 0.94. An unbounded Fieller set holds every value, so it counts
// as covering; its share is bounded too, so the coverage is not bought with unbounded sets.
const ALPHA = 0.05;
const REPLICATES = 4000;
const z = normalQuantile(1 - ALPHA / 2);

function binomial(uniform: () => number, n: number, p: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) if (uniform() < p) x++;
  return x;
}

/** The delta-method interval the log-ratio and Fieller intervals replaced, for the contrast below. */
function deltaLift(c: MeanEstimate, t: MeanEstimate): [number, number] {
  const lift = t.mean / c.mean - 1;
  const half = z * Math.sqrt(t.varianceOfMean / c.mean ** 2 + (t.mean ** 2 * c.varianceOfMean) / c.mean ** 4);
  return [lift - half, lift + half];
}

describe('relative lift of proportions: log-ratio interval coverage, 20 units per arm', () => {
  test.each([
    [0.5, 0.5],
    [0.3, 0.4],
    [0.1, 0.15],
    [0.5, 0.7],
  ])('control rate %p, treatment rate %p', (pc, pt) => {
    const uniform = mulberry32(Math.round(pc * 1000 + pt * 10));
    const truth = pt / pc - 1;
    let defined = 0;
    let covered = 0;
    for (let i = 0; i < REPLICATES; i++) {
      const c = { units: 20, conversions: binomial(uniform, 20, pc) };
      const t = { units: 20, conversions: binomial(uniform, 20, pt) };
      const lift = logRatioLift(c, t, z);
      if (lift === null) continue; // no control conversions: the lift is undefined and reported as null
      defined++;
      expect(lift.ciLow!).toBeGreaterThan(-1);
      if (lift.ciLow! <= truth && truth <= lift.ciHigh!) covered++;
    }
    expect(covered / defined).toBeGreaterThanOrEqual(0.94);
  });
});

describe("relative lift of means: Fieller's interval at the Welch t quantile, coverage", () => {
  const lognormal = (normal: () => number, mean: number) => Math.exp(Math.log(mean) - 0.5 + normal());
  const cases: [string, number, number, number, (normal: () => number, mean: number) => number][] = [
    ['normal, sd 2, 20 per arm', 20, 10, 11, (normal, mean) => mean + 2 * normal()],
    ['normal, sd 2, 5 per arm', 5, 10, 11, (normal, mean) => mean + 2 * normal()],
    ['lognormal (σ = 1), 20 per arm', 20, 1, 1.2, lognormal],
    ['lognormal (σ = 1), 200 per arm', 200, 1, 1.1, lognormal],
  ];
  test.each(cases)('%s', (_name, n, meanC, meanT, draw) => {
    const normal = normals(mulberry32(n * 7919 + Math.round(meanT * 100)));
    const truth = meanT / meanC - 1;
    let covered = 0;
    let unbounded = 0;
    let deltaCovered = 0;
    for (let i = 0; i < REPLICATES; i++) {
      const c = summarizeValues(Array.from({ length: n }, () => draw(normal, meanC)));
      const t = summarizeValues(Array.from({ length: n }, () => draw(normal, meanT)));
      const ec = { mean: c.mean, varianceOfMean: c.variance / n };
      const et = { mean: t.mean, varianceOfMean: t.variance / n };
      const lift = fiellerLift(ec, et, tQuantile(1 - ALPHA / 2, welchTTest(c, t).df))!;
      if (lift.unbounded) unbounded++;
      else if (lift.ciLow! <= truth && truth <= lift.ciHigh!) covered++;
      const [lo, hi] = deltaLift(ec, et);
      if (lo <= truth && truth <= hi) deltaCovered++;
    }
    expect((covered + unbounded) / REPLICATES).toBeGreaterThanOrEqual(0.94);
    expect(unbounded / REPLICATES).toBeLessThanOrEqual(0.02);
    if (n === 20 && meanC === 1) {
      // The skewed small-sample case is where the delta method with z falls short; the test would catch a return to it.
      expect(deltaCovered / REPLICATES).toBeLessThan(0.92);
    }
  });
});
