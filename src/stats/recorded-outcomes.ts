import type { AbTestParsed, AbTestVerdict, ArmAggregate } from '../domain/ab-test';
import type { AnalyzeInput } from './analysis-input';
import { analyzeAbTest } from './decision';
import { DEFAULT_SEQUENTIAL_TUNING } from './sequential';

/** N* of a test: its own, else its planned (minimum) sample size, else the default. */
export function sequentialTuningOf(def: Pick<AbTestParsed, 'sequentialTuning' | 'minimumSampleSize'>): number {
  return def.sequentialTuning ?? (def.minimumSampleSize > 0 ? def.minimumSampleSize : DEFAULT_SEQUENTIAL_TUNING);
}

/**
 * Builds the statistics module's input from the per-arm sufficient statistics the store aggregated
 * (binary outcomes are 0/1, so their sum is the conversions), runs the analysis and names the winner.
 * Below `minimumSampleSize` total units the verdict is inconclusive whatever the p-value says.
 */
export function analyzeRecordedOutcomes(
  def: AbTestParsed,
  agg: { control: ArmAggregate; treatment: ArmAggregate },
  sequential: boolean,
): AbTestVerdict {
  const common = {
    name: def.metric.name,
    higherIsBetter: def.metric.higherIsBetter,
    split: def.split,
    alpha: def.alpha,
    stopping: sequential ? ('sequential' as const) : ('fixed-horizon' as const),
    sequentialTuning: sequentialTuningOf(def),
  };
  const input: AnalyzeInput =
    def.metric.kind === 'binary'
      ? {
          metric: 'binary',
          ...common,
          control: { units: agg.control.units, conversions: Math.round(agg.control.sum) },
          treatment: { units: agg.treatment.units, conversions: Math.round(agg.treatment.sum) },
        }
      : { metric: 'continuous', ...common, control: { ...agg.control }, treatment: { ...agg.treatment } };
  const analysis = analyzeAbTest(input);
  const units = { control: agg.control.units, treatment: agg.treatment.units };
  const total = units.control + units.treatment;
  let { decision, reason } = analysis;
  if (total < def.minimumSampleSize) {
    decision = 'inconclusive';
    reason = `only ${total} units recorded, below the minimum sample size ${def.minimumSampleSize}; no winner declared (${analysis.reason})`;
  }
  const winner = decision === 'treatment' ? def.treatment : decision === 'control' ? def.control : null;
  const pValue = sequential ? analysis.sequentialPValue : analysis.pValue;
  return { decision, reason, winner, pValue, units, analysis };
}
