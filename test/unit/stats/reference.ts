import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reference values from SciPy / statsmodels / mmh3, written by test/fixtures/stats/generate.py. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const reference: any = JSON.parse(readFileSync(join(__dirname, '../../fixtures/stats/reference.json'), 'utf8'));

/** Asserts |actual − expected| ≤ rel·|expected| (absolute `floor` when expected is 0), with a message naming the case. */
export function expectClose(actual: number | null | undefined, expected: number, rel = 1e-6, floor = 1e-12): void {
  expect(typeof actual).toBe('number');
  const diff = Math.abs((actual as number) - expected);
  const bound = Math.max(rel * Math.abs(expected), floor);
  if (!(diff <= bound))
    throw new Error(`expected ${actual} to be within ${rel} relative of ${expected} (difference ${diff})`);
}
