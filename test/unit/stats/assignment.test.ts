import { assign, bucketOf, chiSquareSf, createAssigner } from '../../../src/stats';
import murmurhash from 'murmurhash';
import { BASIS_POINTS } from '../../../src/domain';
import { reference } from './reference';

interface Vector {
  salt: string;
  unitId: string;
  bucket: number;
}

const HALF = { control: 5000, treatment: 5000 };

describe('assignment hash: frozen vectors', () => {
  test.each((reference.assignment as Vector[]).map((v) => [v.salt.slice(0, 24), v.unitId.slice(0, 12), v.bucket, v]))(
    'salt %s, unit %s → bucket %d (MurmurHash3_x86_32 as computed by Python mmh3)',
    (_salt, _unit, bucket, v) => {
      expect(bucketOf(v.salt, v.unitId)).toBe(bucket);
      expect(assign(v.salt, v.unitId, HALF)).toEqual({ arm: bucket < 5000 ? 'control' : 'treatment', bucket });
    },
  );

  test('these literal buckets never change (a change would re-assign every unit of every running test)', () => {
    expect(bucketOf('checkout-test-1', 'user-1')).toBe(5024);
    expect(bucketOf('checkout-test-1', 'user-2')).toBe(7952);
    expect(bucketOf('checkout-test-2', 'user-1')).toBe(8665);
    expect(bucketOf('ab:fraud-model:2.0.0', '9f1c2d')).toBe(4999);
    expect(bucketOf('ünïcødé-salt', '用户-42')).toBe(4231);
  });
});

describe('assignment properties', () => {
  const N = 1_000_000;
  const ids = Array.from({ length: N }, (_, i) => `user-${i}`);

  test('buckets are uniform over 0..9999: χ² goodness of fit over 1,000,000 ids does not reject at 0.001', () => {
    const counts = new Array<number>(10_000).fill(0);
    for (const id of ids) counts[bucketOf('uniformity', id)]!++;
    const expected = N / 10_000;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chiSquareSf(chi2, 9_999)).toBeGreaterThan(0.001);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  test('a 9000/1000 split sends 10% ± 0.1 point of units to treatment', () => {
    const assignTo = createAssigner('split-share', { control: 9000, treatment: 1000 });
    const treated = ids.filter((id) => assignTo(id).arm === 'treatment').length;
    expect(Math.abs(treated / N - 0.1)).toBeLessThan(0.001);
  });

  test('tests with different salts are independent: bucket correlation and arm overlap', () => {
    const a = createAssigner('test-a', HALF);
    const b = createAssigner('test-b', HALF);
    let sx = 0,
      sy = 0,
      sxx = 0,
      syy = 0,
      sxy = 0,
      bothTreated = 0,
      aTreated = 0;
    for (const id of ids) {
      const x = a(id);
      const y = b(id);
      sx += x.bucket;
      sy += y.bucket;
      sxx += x.bucket ** 2;
      syy += y.bucket ** 2;
      sxy += x.bucket * y.bucket;
      if (x.arm === 'treatment') {
        aTreated++;
        if (y.arm === 'treatment') bothTreated++;
      }
    }
    const r = (N * sxy - sx * sy) / Math.sqrt((N * sxx - sx * sx) * (N * syy - sy * sy));
    // Under independence r ~ N(0, 1/N): |r| < 4/√N fails with probability 6e-5.
    expect(Math.abs(r)).toBeLessThan(4 / Math.sqrt(N));
    // P(treated in B | treated in A) is 1/2 ± 4 standard errors.
    expect(Math.abs(bothTreated / aTreated - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / aTreated));
  });

  test('the same salt and unit always land in the same arm; the edges of the split are honoured', () => {
    expect(assign('t', 'u-17', HALF)).toEqual(assign('t', 'u-17', HALF));
    expect(
      ids.slice(0, 1000).every((id) => assign('t', id, { control: 0, treatment: 10000 }).arm === 'treatment'),
    ).toBe(true);
    expect(ids.slice(0, 1000).every((id) => assign('t', id, { control: 10000, treatment: 0 }).arm === 'control')).toBe(
      true,
    );
    const bucket = bucketOf('t', 'u-17');
    expect(assign('t', 'u-17', { control: bucket, treatment: 10000 - bucket }).arm).toBe('treatment');
    expect(assign('t', 'u-17', { control: bucket + 1, treatment: 9999 - bucket }).arm).toBe('control');
  });
});

describe('assignment rejects bad input, naming the field', () => {
  test.each([
    [
      { control: 5000, treatment: 4999 },
      'invalid traffic split: (root): weights must sum to exactly 10000 basis points',
    ],
    [
      { control: 10500, treatment: -500 },
      'invalid traffic split: control: Too big: expected number to be <=10000; treatment: must not be negative',
    ],
    [
      { control: 5000.5, treatment: 4999.5 },
      'invalid traffic split: control: must be an integer number of basis points; treatment: must be an integer number of basis points',
    ],
    [{ control: 5000, treatment: 5000, other: 0 }, 'invalid traffic split: (root): Unrecognized key: "other"'],
  ])('split %j', (split, message) => {
    expect(() => assign('t', 'u', split as never)).toThrow(message);
  });

  test('an empty salt or unit id', () => {
    expect(() => assign('', 'u', HALF)).toThrow('invalid test salt: must be a non-empty string');
    expect(() => assign('t', '', HALF)).toThrow('invalid unit id: must be a non-empty string');
  });
});

describe('the bytes the hash reads', () => {
  // bucketOf hands the package UTF-8 bytes (ASCII copied into a reused buffer); the package's own path encodes the
  // string itself. Both must read the same bytes, so give the same bucket, for every kind of id.
  const viaPackage = (salt: string, unit: string) => murmurhash.v3(unit, murmurhash.v3(salt, 0)) % BASIS_POINTS;
  test.each([
    ['ascii', 'user-42'],
    ['one character', 'x'],
    ['non-ASCII', 'ünïcødé-😀'],
    ['a lone surrogate', 'a\uD800b'],
    ['longer than the reused buffer', 'u'.repeat(3_000)],
    ['ASCII after a longer id', 'ab'],
  ])('%s', (_kind, unit) => {
    expect(bucketOf('salt-ü', 'a-much-longer-unit-id-first')).toBe(viaPackage('salt-ü', 'a-much-longer-unit-id-first'));
    expect(bucketOf('salt-ü', unit)).toBe(viaPackage('salt-ü', unit));
    expect(bucketOf('plain-salt', unit)).toBe(viaPackage('plain-salt', unit));
  });
});
