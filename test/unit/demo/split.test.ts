import { DIGITS_SPLIT, splitTrainTest } from '../../../src/demo';
import { labelCounts, loadDemoDigits } from '../../helpers/digits';

describe('splitTrainTest', () => {
  it('holds out round(30 %) of the digits, disjoint from the training rows and together all of them', async () => {
    const { rows, train, test } = await loadDemoDigits();
    expect([train.length, test.length]).toEqual([1258, 539]);
    expect(new Set([...train, ...test]).size).toBe(1797);
    expect(new Set([...train, ...test])).toEqual(new Set(rows));
  });

  it('gives the same split for the same seed, down to the order of the rows', async () => {
    const { rows, train, test } = await loadDemoDigits();
    const again = splitTrainTest(rows, DIGITS_SPLIT);
    expect(again.test).toEqual(test);
    expect(again.train).toEqual(train);
    expect(again.test.map((r) => rows.indexOf(r)).slice(0, 2)).toEqual([315, 661]);
    expect(labelCounts(test)).toEqual([46, 55, 45, 56, 56, 58, 61, 51, 53, 58]);
    expect(labelCounts(train)).toEqual([132, 127, 132, 127, 125, 124, 120, 128, 121, 122]);
  });

  it('gives a different split for a different seed and leaves the input unchanged', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const a = splitTrainTest(rows, { testFraction: 0.25, seed: 1 });
    const b = splitTrainTest(rows, { testFraction: 0.25, seed: 2 });
    expect(a.test).toHaveLength(25);
    expect(a.test).not.toEqual(b.test);
    expect(splitTrainTest(rows, { testFraction: 0.25, seed: '1' })).toEqual(a);
    expect(rows).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('refuses a fraction outside (0, 1) naming the field', () => {
    expect(() => splitTrainTest([1, 2, 3], { testFraction: 1, seed: 1 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^invalid split options: testFraction: /),
      }),
    );
  });

  it('refuses a split that leaves one side empty', () => {
    expect(() => splitTrainTest([1, 2, 3], { testFraction: 0.1, seed: 1 })).toThrow(
      'invalid split options: testFraction 0.1 of 3 rows leaves the test set empty',
    );
  });
});
