import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketOf } from '../../../src/stats/assignment';

interface Vectors {
  cases: { salt: string; units: string[]; buckets: number[] }[];
}

// The Python client checks its own hash against the same file: a change here re-assigns units in one language only.
test('the cross-language assignment vectors still match bucketOf for all 100,000 unit ids', () => {
  const vectors = JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/assignment/vectors.json'), 'utf8'),
  ) as Vectors;
  expect(vectors.cases.reduce((n, c) => n + c.units.length, 0)).toBe(100_000);
  for (const { salt, units, buckets } of vectors.cases) {
    const mismatches = units.filter((unit, i) => bucketOf(salt, unit) !== buckets[i]);
    expect(mismatches).toEqual([]);
  }
});
