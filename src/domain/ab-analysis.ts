/**
 * The output of the A/B statistics (src/stats computes it): stored in a test's result, sent through workflow
 * history, printed by the CLI. Types only, so every layer reads the same shape.
 */

/** Whether a metric could be tested: OK, or why not (no winner is ever declared then). */
export const AnalysisStatus = {
  OK: 'OK',
  INSUFFICIENT_DATA: 'INSUFFICIENT_DATA',
  ZERO_VARIANCE: 'ZERO_VARIANCE',
  /** Binary: no conversions in one arm and all in the other; the arms share no outcome, so no test is trusted. */
  COMPLETE_SEPARATION: 'COMPLETE_SEPARATION',
  /** Continuous: a mean, variance or statistic lies beyond double precision's range (overflow or underflow). */
  NUMERICAL_LIMIT: 'NUMERICAL_LIMIT',
} as const;
export type AnalysisStatus = (typeof AnalysisStatus)[keyof typeof AnalysisStatus];

/** Each status in words, for reasons ("zero variance on primary: …"). */
export const ANALYSIS_STATUS_WORDS: Record<AnalysisStatus, string> = {
  OK: 'ok',
  INSUFFICIENT_DATA: 'insufficient data',
  ZERO_VARIANCE: 'zero variance',
  COMPLETE_SEPARATION: 'complete separation',
  NUMERICAL_LIMIT: 'numerical limit',
};

/** The test that produced the statistic and p-value. */
export const TestName = {
  TWO_PROPORTION_Z: 'two-proportion-z',
  FISHER_EXACT: 'fisher-exact',
  WELCH_T: 'welch-t',
  MANN_WHITNEY_U: 'mann-whitney-u',
} as const;
export type TestName = (typeof TestName)[keyof typeof TestName];

/** The decision of an A/B test. */
export const Decision = { TREATMENT: 'treatment', CONTROL: 'control', INCONCLUSIVE: 'inconclusive' } as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** How p-values are read: once at the planned end (fixed horizon) or at any look (always-valid, sequential). */
export type StoppingRule = 'fixed-horizon' | 'sequential';

/** An effect estimate; the interval bounds are null when the status is not OK. */
export interface Effect {
  estimate: number;
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * The relative lift treatment/control − 1 with its interval: the log-ratio interval for binary metrics, Fieller's
 * for continuous ones. When Fieller's confidence set is unbounded (the control mean is within noise of 0) the bounds
 * are null and `unbounded` is true; the bounds are also null, with `unbounded` false, when the status is not OK.
 */
export interface RelativeEffect extends Effect {
  unbounded: boolean;
}

/** One metric's analysis. Every number is finite; what cannot be computed is null. */
export interface MetricAnalysis {
  name: string;
  metric: 'binary' | 'continuous';
  status: AnalysisStatus;
  /** Why the status is not OK, in words; null when OK. */
  statusReason: string | null;
  test: TestName;
  /** z (two-proportion), sample odds ratio (Fisher; null with a zero cell), t (Welch) or U of treatment (Mann–Whitney). */
  statistic: number | null;
  /** Welch–Satterthwaite degrees of freedom; null for the other tests. */
  df: number | null;
  /** Two-sided fixed-horizon p-value. */
  pValue: number | null;
  /** Always-valid mSPRT p-value at this look. */
  sequentialPValue: number | null;
  /** Always-valid (1 − alpha) interval of the absolute difference at this look; null when the status is not OK. */
  sequentialInterval: { ciLow: number; ciHigh: number } | null;
  /** The mSPRT tuning N* used: total units at which the always-valid boundary is tightest. */
  sequentialTuning: number;
  /** Treatment − control, in the metric's units (rates for binary). */
  absolute: Effect | null;
  /** Treatment/control − 1; null when the control mean is 0. */
  relative: RelativeEffect | null;
  /** Power at the minimum detectable effect (or the observed effect) for the observed sizes. */
  power: number | null;
  control: { units: number; mean: number };
  treatment: { units: number; mean: number };
  /** +1 when treatment is higher (by the test's own measure), −1 when lower, 0 when equal. */
  direction: -1 | 0 | 1;
  higherIsBetter: boolean;
}

/** A guardrail's analysis with its Holm-adjusted p-value and whether it got significantly worse. */
export interface GuardrailAnalysis extends Omit<MetricAnalysis, 'direction'> {
  pValueAdjusted: number | null;
  regression: boolean;
}

/**
 * The analysis of an A/B test (the `modelctl analyze` output). Every number is finite; what cannot be computed is null.
 * `pValue` is the fixed-horizon p-value of `test`; `sequentialPValue` the always-valid one; `pValueAdjusted` the
 * Holm-adjusted p-value the decision used (sequential or fixed-horizon per `stopping`).
 */
export interface AbTestAnalysis extends Omit<MetricAnalysis, 'direction'> {
  pValueAdjusted: number | null;
  alpha: number;
  stopping: StoppingRule;
  srm: { chi2: number | null; pValue: number | null; mismatch: boolean };
  decision: Decision;
  reason: string;
  guardrails: GuardrailAnalysis[];
}
