import { parseInput } from '../domain';
import { ANALYSIS_STATUS_WORDS, Decision, type AbTestAnalysis, type GuardrailAnalysis } from '../domain/ab-analysis';
import { AnalyzeInput, type AnalyzeParsed } from './analysis-input';
import { holm } from './holm';
import { AnalysisStatus, analyzeMetric, type MetricAnalysis, type MetricSettings } from './metric-analysis';
import { SRM_THRESHOLD, sampleRatioMismatch } from './srm';

export { Decision, type AbTestAnalysis, type GuardrailAnalysis } from '../domain/ab-analysis';

/** A p-value in words: 4 significant digits, scientific below 1e-4. */
export function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : String(Number(p.toPrecision(4)));
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}

function effectWords(m: MetricAnalysis): string {
  if (m.relative !== null) return `${percent(m.relative.estimate)} relative`;
  return `${m.absolute && m.absolute.estimate >= 0 ? '+' : ''}${m.absolute?.estimate ?? 0} absolute`;
}

/** +1 when the metric moved the good way for treatment, −1 the bad way. */
function goodness(m: MetricAnalysis): number {
  return m.direction * (m.higherIsBetter ? 1 : -1);
}

function strip({ direction: _direction, ...rest }: MetricAnalysis): Omit<MetricAnalysis, 'direction'> {
  return rest;
}

interface Verdict {
  decision: Decision;
  reason: string;
}

function decide(
  input: AnalyzeParsed,
  primary: MetricAnalysis,
  primaryAdjusted: number | null,
  srm: ReturnType<typeof sampleRatioMismatch>,
  guardrails: GuardrailAnalysis[],
): Verdict {
  const { alpha } = input;
  if (srm.mismatch) {
    const detail =
      srm.chi2 === null
        ? 'units reached an arm configured at 0 basis points'
        : `χ² = ${srm.chi2.toPrecision(4)}, p = ${formatP(srm.pValue ?? 0)} < ${SRM_THRESHOLD} against the configured split ${input.split.control}/${input.split.treatment}`;
    return { decision: Decision.INCONCLUSIVE, reason: `SRM detected: analysis not trusted (${detail})` };
  }
  if (primary.status !== AnalysisStatus.OK || primaryAdjusted === null) {
    return {
      decision: Decision.INCONCLUSIVE,
      reason: `${ANALYSIS_STATUS_WORDS[primary.status]} on ${primary.name}: ${primary.statusReason}; no winner declared`,
    };
  }
  const regressions = guardrails.filter((g) => g.regression);
  if (regressions.length > 0) {
    const list = regressions.map((g) => `'${g.name}' (p = ${formatP(g.pValueAdjusted ?? 1)} Holm-adjusted)`).join(', ');
    return {
      decision: Decision.CONTROL,
      reason: `guardrail ${list} got significantly worse under treatment: keep control`,
    };
  }
  const which = input.stopping === 'sequential' ? 'always-valid p' : 'p';
  const pWords = `${which} = ${formatP(primaryAdjusted)}${guardrails.length > 0 ? ' Holm-adjusted' : ''}`;
  if (primaryAdjusted < alpha && goodness(primary) !== 0) {
    const better = goodness(primary) > 0;
    return {
      decision: better ? Decision.TREATMENT : Decision.CONTROL,
      reason: `treatment ${better ? 'better' : 'worse'} on ${primary.name}: ${effectWords(primary)} (${pWords} < ${alpha})`,
    };
  }
  return {
    decision: Decision.INCONCLUSIVE,
    reason: `no significant difference on ${primary.name} (${pWords} ≥ ${alpha})`,
  };
}

/**
 * Analyses an A/B test and decides it.
 * 1. SRM: χ² of the primary metric's units per arm against the configured split; a mismatch (p < 0.001) makes the
 *    result inconclusive ("SRM detected: analysis not trusted").
 * 2. The primary metric and each guardrail are analysed ({@link analyzeMetric}); a primary status other than OK is
 *    inconclusive.
 * 3. The decision p-values (always-valid ones with stopping = 'sequential', else fixed-horizon) of every metric with
 *    status OK are Holm-adjusted together. A guardrail significantly worse → control. Otherwise a significant
 *    primary decides for the arm it favours (respecting higherIsBetter); else inconclusive.
 * @param input an {@link AnalyzeInput} document (validated here, so raw JSON from a file or a workflow is fine).
 * @throws ModelctlError INVALID_INPUT naming the offending field.
 */
export function analyzeAbTest(input: AnalyzeInput | unknown): AbTestAnalysis {
  const parsed = parseInput(AnalyzeInput, input, 'analyze input');
  const settings: MetricSettings = {
    alpha: parsed.alpha,
    minimumDetectableEffect: parsed.minimumDetectableEffect,
    sequentialTuning: parsed.sequentialTuning,
  };
  const primary = analyzeMetric(parsed, parsed.name ?? 'primary', settings);
  const guardrailMetrics = parsed.guardrails.map((g, i) =>
    analyzeMetric(g, g.name ?? `guardrail ${i + 1}`, { ...settings, minimumDetectableEffect: undefined }),
  );
  const all = [primary, ...guardrailMetrics];

  const decisionP = (m: MetricAnalysis) => (parsed.stopping === 'sequential' ? m.sequentialPValue : m.pValue);
  const family = all
    .map((m, i) => ({ i, p: m.status === AnalysisStatus.OK ? decisionP(m) : null }))
    .filter((x): x is { i: number; p: number } => x.p !== null);
  const adjustedValues = holm(family.map((x) => x.p));
  const adjusted = new Map(family.map((x, k) => [x.i, adjustedValues[k]!]));

  const guardrails: GuardrailAnalysis[] = guardrailMetrics.map((g, k) => {
    const pValueAdjusted = adjusted.get(k + 1) ?? null;
    return {
      ...strip(g),
      pValueAdjusted,
      regression: pValueAdjusted !== null && pValueAdjusted < parsed.alpha && goodness(g) < 0,
    };
  });
  const srmResult = sampleRatioMismatch(
    { control: primary.control.units, treatment: primary.treatment.units },
    parsed.split,
  );
  const primaryAdjusted = adjusted.get(0) ?? null;
  const verdict = decide(parsed, primary, primaryAdjusted, srmResult, guardrails);
  const { status, test, statistic, df, pValue, absolute, relative, power, ...rest } = strip(primary);
  const { sequentialPValue, sequentialInterval, sequentialTuning, ...other } = rest;
  // The documented output fields first, in the order the analyze command promises them.
  return {
    status,
    test,
    statistic,
    df,
    pValue,
    absolute,
    relative,
    srm: { chi2: srmResult.chi2, pValue: srmResult.pValue, mismatch: srmResult.mismatch },
    power,
    ...verdict,
    sequentialPValue,
    sequentialInterval,
    sequentialTuning,
    pValueAdjusted: primaryAdjusted,
    alpha: parsed.alpha,
    stopping: parsed.stopping,
    ...other,
    guardrails,
  };
}
