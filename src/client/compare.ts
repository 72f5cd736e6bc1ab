import type { MetricMap } from '../domain/json';
import type { ModelVersion } from '../domain/model-version';
import type { MetricSignificance } from '../stats/version-significance';

/** One metric side by side: `b − a` and `(b − a) / |a|`, null where a side lacks the metric or a is 0. */
export interface MetricDifference {
  name: string;
  a: number | null;
  b: number | null;
  absoluteDifference: number | null;
  /** Relative to |a|: 0.05 means b is 5 % of |a| above a. Null when a is 0 or either side is missing. */
  relativeDifference: number | null;
}

/** Result of ModelRegistry.compareVersions. */
export interface VersionComparison {
  a: { model: string; version: string; status: string };
  b: { model: string; version: string; status: string };
  metrics: MetricDifference[];
  /**
   * Per (evaluation set, metric) both versions were evaluated on: the difference with its interval, p-value (Holm
   * across them), whether it was paired, and the verdict. Empty when they share no evaluation samples.
   */
  significance: MetricSignificance[];
  /** Why `significance` is empty, in words; null when it is not. */
  significanceNote: string | null;
}

/** The note of a comparison whose versions share no evaluation samples. */
export const NO_SAMPLES_NOTE =
  'no evaluation samples shared by both versions: no significance is available (attach them with modelctl evaluate)';

/**
 * Compares the final metrics of two versions (b against a).
 * @param names metrics to compare, in this order; default the union of both versions' metric names, sorted.
 */
export function compareMetrics(a: ModelVersion, b: ModelVersion, names?: readonly string[]): VersionComparison {
  const keys = names ?? [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  return {
    a: { model: a.model, version: a.version, status: a.status },
    b: { model: b.model, version: b.version, status: b.status },
    metrics: keys.map((name) => difference(name, a.metrics, b.metrics)),
    significance: [],
    significanceNote: NO_SAMPLES_NOTE,
  };
}

function difference(name: string, a: MetricMap, b: MetricMap): MetricDifference {
  const va = Object.hasOwn(a, name) ? a[name]! : null;
  const vb = Object.hasOwn(b, name) ? b[name]! : null;
  const absolute = va !== null && vb !== null ? vb - va : null;
  return {
    name,
    a: va,
    b: vb,
    absoluteDifference: absolute,
    relativeDifference: absolute !== null && va !== 0 ? absolute / Math.abs(va!) : null,
  };
}
