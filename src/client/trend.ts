import type { EvaluationSeries } from '../domain/evaluation';
import type { ModelVersion } from '../domain/model-version';
import { holm } from '../stats/holm';
import { meanConfidenceInterval, type MeanInterval } from '../stats/mean-interval';
import { compareEvaluations, verdictOf, type MetricSignificance } from '../stats/version-significance';

/** One version in a metric's trend. */
export interface TrendPoint {
  version: string;
  status: string;
  createdAt: string;
  parentVersion: string | null;
  /** The version's final metric of that name; null when it has none. */
  value: number | null;
  /**
   * Its evaluation samples of the metric (on the trend's set): units, mean and the mean's Student t confidence
   * interval at 1 − alpha (meanConfidenceInterval; null under 2 units); null without samples.
   */
  evaluation: { evalSet: string; units: number; mean: number; interval: MeanInterval | null } | null;
  /**
   * Against the parent version, where both carry samples of the metric on the same set: the comparison of
   * compareVersions, with `pValueAdjusted` Holm-adjusted across every parent comparison of the trend.
   */
  vsParent: MetricSignificance | null;
  /** True when the version is significantly worse than its parent (Holm across the trend). */
  regression: boolean;
}

/** A metric across the versions of a model, in semver order. */
export interface MetricTrend {
  model: string;
  metric: string;
  /** The evaluation set the samples come from; null when no version has samples of the metric. */
  evalSet: string | null;
  higherIsBetter: boolean;
  points: TrendPoint[];
}

/**
 * The trend of one metric across versions (already in semver order): each version's final value and evaluation
 * mean, and where a version and its parent both carry samples of the metric on `evalSet`, the difference against
 * the parent with its interval and test (paired when the unit ids match). The regression flags are Holm-adjusted
 * across the trend's parent comparisons, so a long history does not multiply false alarms. Each version's own
 * samples also get the t interval of their mean (x̄ ± t_{n−1}(1 − α/2)·s/√n), which the dashboard draws as error bars.
 * @param series each version's evaluation series, by version string.
 */
export function metricTrend(
  model: string,
  metric: string,
  versions: readonly Pick<ModelVersion, 'version' | 'status' | 'createdAt' | 'parentVersion' | 'metrics'>[],
  series: ReadonlyMap<string, readonly EvaluationSeries[]>,
  options: { evalSet?: string; lowerIsBetter?: boolean; alpha?: number } = {},
): MetricTrend {
  const alpha = options.alpha ?? 0.05;
  const higherIsBetter = options.lowerIsBetter !== true;
  const ofMetric = (version: string) => (series.get(version) ?? []).filter((s) => s.metric === metric);
  const evalSet =
    options.evalSet ?? versions.flatMap((v) => ofMetric(v.version).map((s) => s.evalSet)).sort()[0] ?? null;
  const samplesOf = (version: string) => ofMetric(version).filter((s) => s.evalSet === evalSet);
  const points = versions.map((v) => {
    const own = samplesOf(v.version)[0];
    const parent = v.parentVersion === null ? [] : samplesOf(v.parentVersion);
    const [vsParent] =
      own === undefined || parent.length === 0
        ? []
        : compareEvaluations(parent, [own], { alpha, ...(higherIsBetter ? {} : { lowerIsBetter: [metric] }) });
    return {
      version: v.version,
      status: v.status,
      createdAt: v.createdAt,
      parentVersion: v.parentVersion,
      value: Object.hasOwn(v.metrics, metric) ? v.metrics[metric]! : null,
      evaluation:
        own === undefined
          ? null
          : {
              evalSet: own.evalSet,
              units: own.values.length,
              mean: own.values.reduce((s, x) => s + x, 0) / own.values.length,
              interval: meanConfidenceInterval(own.values, alpha),
            },
      vsParent: vsParent ?? null,
      regression: false,
    };
  });
  const tested = points.flatMap((p, i) => (p.vsParent?.pValue != null ? [i] : []));
  const adjusted = holm(tested.map((i) => points[i]!.vsParent!.pValue!));
  tested.forEach((i, k) => {
    const p = points[i]!;
    const vsParent = p.vsParent!;
    const verdict = verdictOf(vsParent, adjusted[k]!, alpha, higherIsBetter);
    points[i] = {
      ...p,
      vsParent: { ...vsParent, pValueAdjusted: adjusted[k]!, verdict },
      regression: verdict === 'worse',
    };
  });
  return { model, metric, evalSet, higherIsBetter, points };
}
