import { join } from 'node:path';
import { DIGITS_SPLIT, type DigitRow, loadDigits, splitTrainTest, type TrainTestSplit } from '../../src/demo';

/** The committed handwritten-digits data file. */
export const DIGITS_PATH = join(__dirname, '..', '..', 'examples', 'data', 'digits.csv.gz');

/** All 1,797 digits and the demo's held-out split of them. */
export async function loadDemoDigits(): Promise<{ rows: DigitRow[] } & TrainTestSplit<DigitRow>> {
  const rows = await loadDigits(DIGITS_PATH);
  return { rows, ...splitTrainTest(rows, DIGITS_SPLIT) };
}

/** Number of rows per label 0..9. */
export function labelCounts(rows: readonly DigitRow[]): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const r of rows) counts[r.label] = (counts[r.label] ?? 0) + 1;
  return counts;
}
