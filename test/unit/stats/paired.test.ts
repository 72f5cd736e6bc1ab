import { compareEvaluations, pairedBinary, pairedContinuous, type MetricSignificance } from '../../../src/stats';
import type { EvaluationSeries } from '../../../src/domain';
import { expectClose, reference } from './reference';

interface BinaryCase {
  a: number[];
  b: number[];
  estimate: number;
  pValue: number;
  exactPValue: number;
  ci: [number, number];
}
interface ContinuousCase {
  a: number[];
  b: number[];
  statistic: number;
  df: number;
  pValue: number;
  ci: [number, number];
  wilcoxonPValue: number;
}
const alpha = reference.alpha as number;

describe('paired 0/1 metric: McNemar mid-p and the Agresti–Min interval', () => {
  test.each((reference.pairedBinary as BinaryCase[]).map((c) => [`${c.a.length} units`, c] as const))(
    '%s, against scipy.stats.binom and the interval written out',
    (_name, c) => {
      const r = pairedBinary(c.a, c.b, alpha);
      if (!r.ok) throw new Error(r.reason);
      expectClose(r.result.estimate, c.estimate, 1e-12);
      expectClose(r.result.pValue, c.pValue, 1e-8); // jStat's incomplete beta: ~5e-9
      // The mid-p test is never more conservative than the exact one it refines.
      expect(r.result.pValue).toBeLessThanOrEqual(c.exactPValue);
      expectClose(r.result.ciLow, c.ci[0], 1e-9);
      expectClose(r.result.ciHigh, c.ci[1], 1e-9);
    },
  );

  test('versions that agree on every unit have no test, and say so', () => {
    expect(pairedBinary([1, 0, 1], [1, 0, 1], alpha)).toEqual({
      ok: false,
      units: 3,
      reason: 'the versions agree on all 3 units (no discordant pairs)',
    });
  });
});

describe('paired continuous metric: paired t and Wilcoxon signed-rank', () => {
  test.each((reference.pairedContinuous as ContinuousCase[]).map((c) => [`${c.a.length} units`, c] as const))(
    '%s, against scipy.stats.ttest_rel and scipy.stats.wilcoxon',
    (_name, c) => {
      const r = pairedContinuous(c.a, c.b, alpha);
      if (!r.ok) throw new Error(r.reason);
      expect(r.result.df).toBe(c.df);
      expectClose(r.result.pValue, c.pValue, 1e-7);
      expectClose(r.result.ciLow, c.ci[0], 1e-7);
      expectClose(r.result.ciHigh, c.ci[1], 1e-7);
      expectClose(r.result.wilcoxonPValue!, c.wilcoxonPValue, 1e-9);
    },
  );

  test('identical differences on every unit: no test', () => {
    expect(pairedContinuous([1, 2, 3], [2, 3, 4], alpha)).toEqual({
      ok: false,
      units: 3,
      reason: 'every one of the 3 paired differences is 1',
    });
  });
});

describe('compareEvaluations: b against a on every shared set and metric', () => {
  const bits = reference.pairedBinary as BinaryCase[];
  const units = (n: number) => Array.from({ length: n }, (_, i) => `u${String(i).padStart(4, '0')}`);
  const series = (evalSet: string, metric: string, values: number[], ids = units(values.length)): EvaluationSeries => ({
    evalSet,
    metric,
    units: ids,
    values,
  });

  test('same unit ids: paired tests, Holm across the metrics, verdicts from the adjusted p-values', () => {
    const big = bits[3]!; // 1,000 units, b worse by 4 points, mid-p 0.0007
    const returns = reference.pairedContinuous[0] as ContinuousCase; // 20 units, b higher, p 0.019
    const result = compareEvaluations(
      [series('heldout', 'correct', big.a), series('seeds', 'return', returns.a)],
      [series('heldout', 'correct', big.b), series('seeds', 'return', returns.b)],
    );
    const [correct, ret] = result as [MetricSignificance, MetricSignificance];
    expect(correct).toMatchObject({ paired: true, test: 'mcnemar-mid-p', status: 'OK', verdict: 'worse' });
    expect(ret).toMatchObject({ paired: true, test: 'paired-t', status: 'OK', verdict: 'better' });
    // Holm with two p-values: the smaller doubled, the larger kept (but never below the first).
    expectClose(correct.pValueAdjusted!, 2 * big.pValue, 1e-8);
    expectClose(ret.pValueAdjusted!, Math.max(returns.pValue, 2 * big.pValue), 1e-7);
    expectClose(ret.wilcoxonPValue!, returns.wilcoxonPValue, 1e-9);
  });

  test('a metric where lower is better flips the verdict', () => {
    const big = bits[3]!;
    const [r] = compareEvaluations([series('s', 'error', big.a)], [series('s', 'error', big.b)], {
      lowerIsBetter: ['error'],
    });
    expect(r!.verdict).toBe('better');
  });

  test('different unit ids: the unpaired A/B tests run instead', () => {
    const a = series('heldout', 'correct', [1, 1, 0, 1, 0, 1, 1, 1, 0, 1], units(10));
    const b = series(
      'heldout',
      'correct',
      [1, 1, 1, 1, 0, 1, 1, 1, 1, 1],
      units(10).map((u) => `${u}x`),
    );
    const [r] = compareEvaluations([a], [b]);
    expect(r).toMatchObject({ paired: false, test: 'fisher-exact', units: { a: 10, b: 10 } });
    expect(r!.a.mean).toBe(0.7);
    expect(r!.b.mean).toBe(0.9);
  });

  test('sets or metrics only one version has are left out; none shared gives an empty list', () => {
    expect(compareEvaluations([series('a', 'm', [1, 0])], [series('b', 'm', [1, 0])])).toEqual([]);
  });

  test('versions that agree everywhere: zero-variance, no p-value, and not in the Holm family', () => {
    const big = bits[3]!;
    const [same, other] = compareEvaluations(
      [series('s', 'correct', [1, 0, 1]), series('s', 'z', big.a)],
      [series('s', 'correct', [1, 0, 1]), series('s', 'z', big.b)],
    );
    expect(same).toMatchObject({
      status: 'ZERO_VARIANCE',
      verdict: 'zero-variance',
      pValue: null,
      pValueAdjusted: null,
    });
    expectClose(other!.pValueAdjusted!, big.pValue, 1e-8);
  });
});
