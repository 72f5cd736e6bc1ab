import seedrandom from 'seedrandom';
import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';

/** Options of {@link splitTrainTest}. */
export const SplitOptions = z.object({
  /** Share of rows held out for testing, strictly between 0 and 1. */
  testFraction: z.number().gt(0).lt(1).default(0.3),
  /** Seed of the shuffle: the same seed and rows give the same split. */
  seed: z.union([z.number().int(), z.string().min(1)]),
});
export type SplitOptions = z.input<typeof SplitOptions>;

/** A train/test partition of the rows; both sides are in shuffled order. */
export interface TrainTestSplit<T> {
  train: T[];
  test: T[];
}

/**
 * Seeded random train/test split: a Fisher–Yates shuffle driven by seedrandom's ARC4 generator, then the first
 * `round(n × testFraction)` shuffled rows are the test set and the rest the training set.
 * Deterministic: the same rows (in the same order) and seed always give the same split, on any machine.
 * @param rows the rows to split; not modified.
 * @returns `{ train, test }`, disjoint, together all rows.
 * @throws ModelctlError INVALID_INPUT when testFraction is not in (0, 1) or the seed is missing, or when either
 *   side would be empty.
 * @see Knuth, TAOCP vol. 2, §3.4.2, Algorithm P (the shuffle).
 */
export function splitTrainTest<T>(rows: readonly T[], options: SplitOptions): TrainTestSplit<T> {
  const { testFraction, seed } = parseInput(SplitOptions, options, 'split options');
  const testSize = Math.round(rows.length * testFraction);
  if (testSize === 0 || testSize === rows.length) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid split options: testFraction ${testFraction} of ${rows.length} rows leaves ${testSize === 0 ? 'the test set' : 'the training set'} empty`,
    );
  }
  const random = seedrandom(String(seed));
  const shuffled = [...rows];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
  }
  return { test: shuffled.slice(0, testSize), train: shuffled.slice(testSize) };
}
