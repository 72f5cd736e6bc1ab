import type { GuardPolicy } from '../domain/guard-policy';
import type { ObservationInput } from '../domain/observation';
import { holdoutRouter } from '../client/holdout';
import { PIXEL_COUNT, type DigitRow } from './digits';

/** Side of the square digit images (8×8 pixels). */
const SIDE = Math.sqrt(PIXEL_COUNT);

/**
 * The image as a camera moved `dx` pixels right sees it: every pixel moves `dx` columns, the columns that come in
 * are blank (0). Shape: PIXEL_COUNT values in row-major order, in and out.
 */
export function shiftRight(pixels: readonly number[], dx = 1): number[] {
  return pixels.map((_, i) => {
    const x = (i % SIDE) - dx;
    return x >= 0 && x < SIDE ? pixels[i - dx]! : 0;
  });
}

/**
 * The demo's production traffic after the winner is promoted: every digit of the data set as a camera one pixel to
 * the right sees it (a drifted input distribution). Version 2 reads the 64 raw pixels and loses more on it than
 * version 1, whose 4×4 block averages blur the shift.
 */
export function driftedTraffic(rows: readonly DigitRow[]): DigitRow[] {
  return rows.map((row) => ({ ...row, pixels: shiftRight(row.pixels) }));
}

/** Share of production traffic the guard's holdout keeps on the previous version, in basis points. */
export const HOLDOUT_BASIS_POINTS = 2000;

/**
 * The demo's guard on the A/B winner: error rate (0/1 per request) no worse than on the holdout (one-sided
 * always-valid test at α = 0.05) and at most 25 % over each 10 s check; 100 requests before either decides; a
 * 10-minute bake.
 */
export const DEMO_GUARD_POLICY: GuardPolicy = {
  metrics: [
    { metric: 'error', check: 'relative', direction: 'lower_is_better' },
    { metric: 'error', check: 'slo', statistic: 'mean', max: 0.25 },
  ],
  baseline: { kind: 'holdout' },
  checkInterval: '10s',
  bakeTime: '10m',
  noDataPeriod: '5m',
  minSamples: 100,
};

/**
 * Serves `rows` the way a serving system under a guard does: each unit routed by the hash of its id with the guard's
 * workflow id as salt (HOLDOUT_BASIS_POINTS to `baseline`, the rest to `candidate`), and one observation `error`
 * (1 when the served version's prediction is not the label) per unit. `predictions.baseline[i]` /
 * `predictions.candidate[i]` are each version's predicted class of `rows[i]`.
 * @returns the observations, and how many requests each version served.
 */
export function serveUnderGuard(
  model: string,
  salt: string,
  rows: readonly DigitRow[],
  versions: { baseline: string; candidate: string },
  predictions: { baseline: readonly number[]; candidate: readonly number[] },
): { observations: ObservationInput[]; served: { baseline: number; candidate: number } } {
  const route = holdoutRouter(salt, HOLDOUT_BASIS_POINTS);
  const served = { baseline: 0, candidate: 0 };
  const observations = rows.map((row, i): ObservationInput => {
    const side = route(`live-${i}`);
    served[side]++;
    return {
      model,
      version: versions[side],
      metric: 'error',
      value: predictions[side][i] === row.label ? 0 : 1,
    };
  });
  return { observations, served };
}
