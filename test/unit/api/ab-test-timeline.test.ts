import { abTestTimeline } from '../../../src/api/routes/dashboard';

const batch = (at: string, arm: 'control' | 'treatment', values: number[]) => ({
  at,
  arm,
  units: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumSquares: values.reduce((a, b) => a + b * b, 0),
});

describe('abTestTimeline: cumulative units and effect after each batch of outcomes', () => {
  test('one point per recording time, both arms summed into it; the effect waits for 2 units per arm', () => {
    const points = abTestTimeline([
      batch('2026-01-01T00:00:00.000Z', 'control', [1]),
      batch('2026-01-01T00:00:00.000Z', 'treatment', [2, 4]),
      batch('2026-01-01T00:01:00.000Z', 'control', [3]),
    ]);
    expect(points).toHaveLength(2);
    expect(points[0]).toEqual({ at: '2026-01-01T00:00:00.000Z', units: { control: 1, treatment: 2 }, effect: null });
    // control 1, 3: mean 2, s² 2; treatment 2, 4: mean 3, s² 2 → 1 ± 1.959964·√(2/2 + 2/2).
    const effect = points[1]!.effect!;
    expect(points[1]!.units).toEqual({ control: 2, treatment: 2 });
    expect(effect.estimate).toBe(1);
    expect(effect.ciLow).toBeCloseTo(1 - 1.959963984540054 * Math.SQRT2, 12);
    expect(effect.ciHigh).toBeCloseTo(1 + 1.959963984540054 * Math.SQRT2, 12);
  });

  test('more than 500 batches are thinned to 500 points, the last one the totals', () => {
    const batches = Array.from({ length: 1234 }, (_, i) =>
      batch(new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), i % 2 === 0 ? 'control' : 'treatment', [i % 3]),
    );
    const points = abTestTimeline(batches);
    expect(points).toHaveLength(500);
    expect(points.at(-1)!.at).toBe(batches.at(-1)!.at);
    expect(points.at(-1)!.units).toEqual({ control: 617, treatment: 617 });
    const times = points.map((p) => p.at);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(500);
  });

  test('no outcomes: no points', () => {
    expect(abTestTimeline([])).toEqual([]);
  });
});
