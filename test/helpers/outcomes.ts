import seedrandom from 'seedrandom';
import { assign } from '../../src/stats/assignment';
import type { TrafficSplit } from '../../src/domain/traffic-split';

/**
 * Simulated traffic for an A/B test: `units` unit ids assigned by the real hash, each converting with its arm's rate
 * (a seeded PRNG, so the data is the same on every run). Returns the outcomes to record and the counts per arm.
 */
export function simulateBinaryOutcomes(
  salt: string,
  split: TrafficSplit,
  units: number,
  rates: { control: number; treatment: number },
  seed = 'outcomes',
): {
  outcomes: { unitId: string; arm: 'control' | 'treatment'; value: number }[];
  conversions: { control: number; treatment: number };
} {
  const rng = seedrandom(seed);
  const conversions = { control: 0, treatment: 0 };
  const outcomes = Array.from({ length: units }, (_, i) => {
    const unitId = `user-${i}`;
    const { arm } = assign(salt, unitId, split);
    const value = rng() < rates[arm] ? 1 : 0;
    conversions[arm] += value;
    return { unitId, arm, value };
  });
  return { outcomes, conversions };
}
