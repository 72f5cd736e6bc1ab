import { AnalysisStatus, type TestName } from '../domain/ab-analysis';
import type { EvaluationSeries } from '../domain/evaluation';
import { holm } from './holm';
import { analyzeMetric } from './metric-analysis';
import { DEFAULT_SEQUENTIAL_TUNING } from './sequential';
import { pairedBinary, pairedContinuous, type PairedOutcome } from './paired';

/** The paired tests; unpaired comparisons use the A/B engine's tests (TestName). */
export const PairedTestName = { MCNEMAR_MID_P: 'mcnemar-mid-p', PAIRED_T: 'paired-t' } as const;
export type PairedTestName = (typeof PairedTestName)[keyof typeof PairedTestName];

/** The verdict on one metric, b against a: the direction when significant after Holm, else why not. */
export type Verdict = 'better' | 'worse' | 'no-difference' | 'insufficient-data' | 'zero-variance' | 'numerical-limit';

/** One metric of one evaluation set compared with significance, b against a. Every number is finite or null. */
export interface MetricSignificance {
  evalSet: string;
  metric: string;
  /** True when both versions were evaluated on exactly the same unit ids of this set: the paired tests run. */
  paired: boolean;
  test: PairedTestName | TestName;
  status: AnalysisStatus;
  statusReason: string | null;
  units: { a: number; b: number };
  a: { mean: number };
  b: { mean: number };
  /** b − a (rates for 0/1 metrics) with its (1 − alpha) interval; the bounds are null when the status is not OK. */
  difference: { estimate: number; ciLow: number | null; ciHigh: number | null };
  pValue: number | null;
  /** Holm-adjusted across every metric of the comparison that could be tested. */
  pValueAdjusted: number | null;
  /** Paired continuous metrics: the Wilcoxon signed-rank p-value beside the paired t (unadjusted). */
  wilcoxonPValue: number | null;
  higherIsBetter: boolean;
  verdict: Verdict;
}

/** Options of {@link compareEvaluations}. */
export interface SignificanceOptions {
  /** Significance level of the tests and the intervals; default 0.05. */
  alpha?: number;
  /** Metrics where a decrease is the improvement (loss, error, latency). */
  lowerIsBetter?: readonly string[];
}

const isBinary = (values: readonly number[]) => values.every((v) => v === 0 || v === 1);
const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

function sameUnits(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((u, i) => u === b[i]);
}

type Tested = Omit<MetricSignificance, 'pValueAdjusted' | 'verdict' | 'evalSet' | 'metric' | 'higherIsBetter'>;

function fromPaired(outcome: PairedOutcome, binary: boolean, a: EvaluationSeries, b: EvaluationSeries): Tested {
  const test = binary ? PairedTestName.MCNEMAR_MID_P : PairedTestName.PAIRED_T;
  const units = { a: a.values.length, b: b.values.length };
  const means = { a: { mean: mean(a.values) }, b: { mean: mean(b.values) } };
  if (!outcome.ok) {
    const status = outcome.units < 2 ? AnalysisStatus.INSUFFICIENT_DATA : AnalysisStatus.ZERO_VARIANCE;
    const estimate = means.b.mean - means.a.mean;
    return {
      paired: true,
      test,
      status,
      statusReason: outcome.reason,
      units,
      ...means,
      difference: { estimate, ciLow: null, ciHigh: null },
      pValue: null,
      wilcoxonPValue: null,
    };
  }
  const r = outcome.result;
  return {
    paired: true,
    test,
    status: AnalysisStatus.OK,
    statusReason: null,
    units,
    a: { mean: r.meanA },
    b: { mean: r.meanB },
    difference: { estimate: r.estimate, ciLow: r.ciLow, ciHigh: r.ciHigh },
    pValue: r.pValue,
    wilcoxonPValue: r.wilcoxonPValue,
  };
}

function paired(a: EvaluationSeries, b: EvaluationSeries, alpha: number): Tested {
  const binary = isBinary(a.values) && isBinary(b.values);
  if (a.values.length < 2) {
    return fromPaired(
      { ok: false, units: a.values.length, reason: 'a paired test needs at least 2 units' },
      binary,
      a,
      b,
    );
  }
  const outcome = binary ? pairedBinary(a.values, b.values, alpha) : pairedContinuous(a.values, b.values, alpha);
  return fromPaired(outcome, binary, a, b);
}

function unpaired(a: EvaluationSeries, b: EvaluationSeries, alpha: number, higherIsBetter: boolean): Tested {
  const binary = isBinary(a.values) && isBinary(b.values);
  const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);
  const input = binary
    ? {
        metric: 'binary' as const,
        control: { units: a.values.length, conversions: sum(a.values) },
        treatment: { units: b.values.length, conversions: sum(b.values) },
        higherIsBetter,
      }
    : {
        metric: 'continuous' as const,
        control: { values: a.values },
        treatment: { values: b.values },
        test: 'welch' as const,
        higherIsBetter,
      };
  const m = analyzeMetric(input, a.metric, { alpha, sequentialTuning: DEFAULT_SEQUENTIAL_TUNING });
  return {
    paired: false,
    test: m.test,
    status: m.status,
    statusReason: m.statusReason,
    units: { a: m.control.units, b: m.treatment.units },
    a: { mean: m.control.mean },
    b: { mean: m.treatment.mean },
    difference: m.absolute ?? { estimate: m.treatment.mean - m.control.mean, ciLow: null, ciHigh: null },
    pValue: m.pValue,
    wilcoxonPValue: null,
  };
}

const STATUS_VERDICT: Record<Exclude<AnalysisStatus, 'OK' | 'COMPLETE_SEPARATION'>, Verdict> = {
  INSUFFICIENT_DATA: 'insufficient-data',
  ZERO_VARIANCE: 'zero-variance',
  NUMERICAL_LIMIT: 'numerical-limit',
};

/** The verdict of one tested metric from its (adjusted) p-value and direction, or why it has none. */
export function verdictOf(
  t: Pick<MetricSignificance, 'status' | 'difference'>,
  adjusted: number | null,
  alpha: number,
  higherIsBetter: boolean,
): Verdict {
  if (t.status === AnalysisStatus.COMPLETE_SEPARATION) return 'zero-variance';
  if (t.status !== AnalysisStatus.OK) return STATUS_VERDICT[t.status];
  if (adjusted === null || adjusted >= alpha || t.difference.estimate === 0) return 'no-difference';
  return t.difference.estimate > 0 === higherIsBetter ? 'better' : 'worse';
}

/**
 * Compares version b against version a on every (evaluation set, metric) both were evaluated on. When both hold
 * the same unit ids the comparison is paired (0/1 metrics: McNemar mid-p with the Agresti–Min interval; continuous:
 * paired t with the Wilcoxon signed-rank p beside it); otherwise the A/B engine's unpaired tests run on the two
 * samples (two-proportion z or Fisher; Welch). The p-values of every tested metric are Holm-adjusted together and
 * the verdict reads the adjusted one.
 * @param a,b the versions' evaluation series (units in code-point order, as the store returns them).
 * @returns one entry per shared (set, metric), ordered by set then metric; empty when they share none.
 * @see Holm (1979) for the adjustment; {@link pairedBinary}, {@link pairedContinuous} for the paired tests.
 */
export function compareEvaluations(
  a: readonly EvaluationSeries[],
  b: readonly EvaluationSeries[],
  options: SignificanceOptions = {},
): MetricSignificance[] {
  const alpha = options.alpha ?? 0.05;
  const lower = new Set(options.lowerIsBetter ?? []);
  const tested = a.flatMap((sa) => {
    const sb = b.find((x) => x.evalSet === sa.evalSet && x.metric === sa.metric);
    if (sb === undefined) return [];
    const higherIsBetter = !lower.has(sa.metric);
    const t = sameUnits(sa.units, sb.units) ? paired(sa, sb, alpha) : unpaired(sa, sb, alpha, higherIsBetter);
    return [{ evalSet: sa.evalSet, metric: sa.metric, higherIsBetter, t }];
  });
  const family = tested.flatMap((x, i) => (x.t.status === AnalysisStatus.OK && x.t.pValue !== null ? [i] : []));
  const adjustedValues = holm(family.map((i) => tested[i]!.t.pValue!));
  const adjusted = new Map(family.map((i, k) => [i, adjustedValues[k]!]));
  return tested.map(({ evalSet, metric, higherIsBetter, t }, i) => {
    const pValueAdjusted = adjusted.get(i) ?? null;
    return {
      evalSet,
      metric,
      ...t,
      pValueAdjusted,
      higherIsBetter,
      verdict: verdictOf(t, pValueAdjusted, alpha, higherIsBetter),
    };
  });
}
