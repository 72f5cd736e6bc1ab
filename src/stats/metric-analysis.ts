import { AnalysisStatus, TestName, type MetricAnalysis } from '../domain/ab-analysis';
import type { MetricInput } from './analysis-input';
import { type ArmSummary, summarizeBinary, summarizeSufficient, summarizeValues } from './arm-summary';
import { normalQuantile, tQuantile } from './distributions';
import { absoluteDifference, fiellerLift, logRatioLift, type MeanEstimate, newcombeDifference } from './effects';
import { fisherExact } from './fisher-exact';
import { mannWhitneyU } from './mann-whitney';
import { meansPower, proportionsPower } from './power';
import { msprtInterval, msprtPValue } from './sequential';
import { type ConversionCounts, minimumExpectedCount, twoProportionZTest } from './two-proportion';
import { welchTTest } from './welch';

export { AnalysisStatus, TestName, type Effect } from '../domain/ab-analysis';

/** Smallest units per arm for any test: a variance needs two observations. */
export const MIN_UNITS_PER_ARM = 2;

export type { MetricAnalysis } from '../domain/ab-analysis';

/** Settings shared by every metric of one analysis. */
export interface MetricSettings {
  alpha: number;
  minimumDetectableEffect?: number | undefined;
  sequentialTuning: number;
}

type Parsed = MetricInput & { higherIsBetter: boolean };

function sign(x: number): -1 | 0 | 1 {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function estimateOnly(control: ArmSummary, treatment: ArmSummary): Pick<MetricAnalysis, 'absolute' | 'relative'> {
  if (control.units === 0 || treatment.units === 0) return { absolute: null, relative: null };
  const absolute = { estimate: treatment.mean - control.mean, ciLow: null, ciHigh: null };
  const relative =
    control.mean === 0
      ? null
      : { estimate: treatment.mean / control.mean - 1, ciLow: null, ciHigh: null, unbounded: false };
  return { absolute, relative };
}

function degenerate(
  base: Omit<MetricAnalysis, 'status' | 'statusReason' | 'absolute' | 'relative'>,
  control: ArmSummary,
  treatment: ArmSummary,
  status: AnalysisStatus,
  reason: string,
): MetricAnalysis {
  return { ...base, status, statusReason: reason, ...estimateOnly(control, treatment) };
}

const NUMERICAL_LIMIT_REASON =
  'the values are too large or too finely spread for double precision (a mean, variance or statistic overflows or underflows); rescale the metric';

/** Every number an OK analysis reports, so none can slip out as NaN or ±Infinity. */
function reportedNumbers(m: MetricAnalysis): (number | null | undefined)[] {
  const interval = (e: { ciLow: number | null; ciHigh: number | null } | null) => [e?.ciLow, e?.ciHigh];
  return [
    m.statistic,
    m.df,
    m.pValue,
    m.sequentialPValue,
    m.power,
    m.control.mean,
    m.treatment.mean,
    m.absolute?.estimate,
    m.relative?.estimate,
    ...interval(m.absolute),
    ...interval(m.relative),
    ...interval(m.sequentialInterval),
  ];
}

/**
 * The analysis as computed when every number it reports is finite; otherwise NUMERICAL_LIMIT with the statistics
 * null (a last line of defence behind the scaled summaries and Welch's ν: a difference of two means near ±1.8e308
 * still overflows).
 */
function withinRange(m: MetricAnalysis): MetricAnalysis {
  if (reportedNumbers(m).every((x) => x === null || x === undefined || Number.isFinite(x))) return m;
  const nulls = { statistic: null, df: null, pValue: null, sequentialPValue: null, sequentialInterval: null };
  // The means stay: a mean of finite values (raw, scaled, or Σx/n) is always finite.
  return {
    ...m,
    ...nulls,
    power: null,
    status: AnalysisStatus.NUMERICAL_LIMIT,
    statusReason: NUMERICAL_LIMIT_REASON,
    absolute: null,
    relative: null,
  };
}

function insufficientReason(control: ArmSummary, treatment: ArmSummary): string | null {
  const short = (
    [
      ['control', control],
      ['treatment', treatment],
    ] as const
  ).filter(([, s]) => s.units < MIN_UNITS_PER_ARM);
  if (short.length === 0) return null;
  return `each arm needs at least ${MIN_UNITS_PER_ARM} units; ${short.map(([arm, s]) => `${arm} has ${s.units}`).join(', ')}`;
}

/** The always-valid p-value and interval of a difference with standard error `se` after `units` units in all. */
function alwaysValid(difference: number, se: number, units: number, settings: MetricSettings) {
  const { sequentialTuning: tuning, alpha } = settings;
  return {
    sequentialPValue: msprtPValue(difference, se, units, tuning, alpha),
    sequentialInterval: msprtInterval(difference, se, units, tuning, alpha),
  };
}

/** The fields every analysis starts from, before the test has run (statistics null). */
function baseAnalysis(
  name: string,
  m: { metric: Parsed['metric']; higherIsBetter: boolean },
  test: TestName,
  cs: ArmSummary,
  ts: ArmSummary,
  settings: MetricSettings,
) {
  return {
    name,
    metric: m.metric,
    test,
    statistic: null,
    df: null,
    pValue: null,
    sequentialPValue: null,
    sequentialInterval: null,
    sequentialTuning: settings.sequentialTuning,
    power: null,
    control: { units: cs.units, mean: cs.mean },
    treatment: { units: ts.units, mean: ts.mean },
    direction: sign(ts.mean - cs.mean),
    higherIsBetter: m.higherIsBetter,
  };
}

function analyzeBinary(
  m: Extract<Parsed, { metric: 'binary' }>,
  name: string,
  settings: MetricSettings,
): MetricAnalysis {
  const c: ConversionCounts = m.control;
  const t: ConversionCounts = m.treatment;
  const cs = summarizeBinary(c.units, c.conversions);
  const ts = summarizeBinary(t.units, t.conversions);
  const smallCounts = cs.units > 0 && ts.units > 0 && minimumExpectedCount(c, t) < 5;
  const base = baseAnalysis(name, m, smallCounts ? TestName.FISHER_EXACT : TestName.TWO_PROPORTION_Z, cs, ts, settings);
  const insufficient = insufficientReason(cs, ts);
  if (insufficient !== null) return degenerate(base, cs, ts, AnalysisStatus.INSUFFICIENT_DATA, insufficient);
  const converted = c.conversions + t.conversions;
  if (converted === 0) return degenerate(base, cs, ts, AnalysisStatus.ZERO_VARIANCE, 'no conversions in either arm');
  if (converted === c.units + t.units)
    return degenerate(base, cs, ts, AnalysisStatus.ZERO_VARIANCE, 'every unit converted in both arms');
  // Each arm at 0 % or 100 %, on opposite ends: the data hold no variation within an arm to test against, and a
  // z or Fisher p-value there (often below any double) would crown a winner from what is usually broken logging.
  if (cs.variance === 0 && ts.variance === 0) {
    const reason = `control converted ${c.conversions} of ${c.units}, treatment ${t.conversions} of ${t.units} (no variation within either arm; check the outcome logging)`;
    return degenerate(base, cs, ts, AnalysisStatus.COMPLETE_SEPARATION, reason);
  }

  const z = normalQuantile(1 - settings.alpha / 2);
  // Effects use the binomial variance p(1 − p)/n of each rate (Wald / delta method conventions).
  const estimate = (s: ArmSummary): MeanEstimate => ({
    mean: s.mean,
    varianceOfMean: (s.mean * (1 - s.mean)) / s.units,
  });
  const zTest = twoProportionZTest(c, t);
  const fisher = smallCounts ? fisherExact(c, t) : null;
  const difference = ts.mean - cs.mean;
  const unpooled = Math.sqrt(estimate(cs).varianceOfMean + estimate(ts).varianceOfMean);
  return withinRange({
    ...base,
    status: AnalysisStatus.OK,
    statusReason: null,
    statistic: fisher ? fisher.oddsRatio : zTest.statistic,
    pValue: fisher ? fisher.pValue : zTest.pValue,
    // Each arm's own binomial variance, as gbstats; positive here, as complete separation was set aside above.
    ...alwaysValid(difference, unpooled, cs.units + ts.units, settings),
    absolute: fisher ? newcombeDifference(c, t, z) : absoluteDifference(estimate(cs), estimate(ts), z),
    relative: logRatioLift(c, t, z),
    power: finiteOrNull(
      proportionsPower(
        cs.mean,
        settings.minimumDetectableEffect ?? difference,
        { control: cs.units, treatment: ts.units },
        settings.alpha,
      ),
    ),
  });
}

function summarizeContinuous(arm: Extract<Parsed, { metric: 'continuous' }>['control']): ArmSummary {
  if (arm.values !== undefined) return summarizeValues(arm.values);
  return summarizeSufficient({ units: arm.units ?? 0, sum: arm.sum ?? 0, sumSquares: arm.sumSquares ?? 0 });
}

function analyzeContinuous(
  m: Extract<Parsed, { metric: 'continuous' }>,
  name: string,
  settings: MetricSettings,
): MetricAnalysis {
  const cs = summarizeContinuous(m.control);
  const ts = summarizeContinuous(m.treatment);
  const ranks = m.test === 'mann-whitney';
  const base = baseAnalysis(name, m, ranks ? TestName.MANN_WHITNEY_U : TestName.WELCH_T, cs, ts, settings);
  const insufficient = insufficientReason(cs, ts);
  if (insufficient !== null) return degenerate(base, cs, ts, AnalysisStatus.INSUFFICIENT_DATA, insufficient);
  const lost = [cs, ts].some((s) => s.representable === false || !Number.isFinite(s.mean));
  if (lost) return degenerate(base, cs, ts, AnalysisStatus.NUMERICAL_LIMIT, NUMERICAL_LIMIT_REASON);
  if (cs.variance === 0 && ts.variance === 0) {
    return degenerate(base, cs, ts, AnalysisStatus.ZERO_VARIANCE, 'the metric does not vary within either arm');
  }

  const welch = welchTTest(cs, ts);
  const ranked = ranks ? mannWhitneyU(m.control.values ?? [], m.treatment.values ?? []) : null;
  const estimate = (s: ArmSummary): MeanEstimate => ({ mean: s.mean, varianceOfMean: s.variance / s.units });
  const difference = ts.mean - cs.mean;
  const q = tQuantile(1 - settings.alpha / 2, welch.df);
  return withinRange({
    ...base,
    status: AnalysisStatus.OK,
    statusReason: null,
    statistic: ranked ? ranked.statistic : welch.statistic,
    df: ranked ? null : welch.df,
    pValue: ranked ? ranked.pValue : welch.pValue,
    ...alwaysValid(difference, welch.standardError, cs.units + ts.units, settings),
    absolute: absoluteDifference(estimate(cs), estimate(ts), q),
    relative: fiellerLift(estimate(cs), estimate(ts), q),
    power: meansPower(settings.minimumDetectableEffect ?? difference, welch.standardError, settings.alpha),
    direction: ranked ? sign(ranked.shift) : base.direction,
  });
}

/**
 * Analyses one metric of an A/B test: chooses the test (two-proportion z, or Fisher's exact test when an expected
 * cell count is below 5; Welch's t, or Mann–Whitney U when asked), and computes the effects, the power and the
 * always-valid sequential p-value. Degenerate data gives status INSUFFICIENT_DATA (fewer than 2 units in an arm)
 * or ZERO_VARIANCE (no conversions, or all conversions, in both arms; no spread within either arm), with
 * statistic, p-values, intervals and power null — never NaN, never a p-value of 0 from a degenerate case.
 * For Mann–Whitney, effects and power are still those of the difference in means (Welch), and the direction is
 * the rank shift's.
 * @param metric a parsed {@link MetricInput}; @param name the metric's name in reports.
 */
export function analyzeMetric(metric: Parsed, name: string, settings: MetricSettings): MetricAnalysis {
  return metric.metric === 'binary' ? analyzeBinary(metric, name, settings) : analyzeContinuous(metric, name, settings);
}
