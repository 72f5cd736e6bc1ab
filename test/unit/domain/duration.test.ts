import { DurationMs, MAX_DURATION_MS } from '../../../src/domain';

describe('DurationMs: from 1 ms to 3650 days', () => {
  test.each([
    ['1', 1],
    [1, 1],
    ['20s', 20_000],
    ['3650d', MAX_DURATION_MS],
    [MAX_DURATION_MS, MAX_DURATION_MS],
  ])('accepts %j as %d ms', (input, ms) => {
    expect(DurationMs.parse(input)).toBe(ms);
  });

  test.each([
    ['3651d', 'must be at most 3650d (315360000000 ms)'],
    [MAX_DURATION_MS + 1, 'must be at most 3650d (315360000000 ms)'],
    [8.64e15, 'must be at most 3650d (315360000000 ms)'],
    [0, 'must be a positive duration'],
    [-5, 'must be a positive duration'],
    [Number.POSITIVE_INFINITY, "expected milliseconds or a duration string like '20s', '12h', '7d'"],
  ])('refuses %p: %s', (input, message) => {
    const r = DurationMs.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([message]);
  });
});
