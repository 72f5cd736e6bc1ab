import { ArmWeights, BASIS_POINTS, ErrorCode, ModelctlError, parseInput } from '../domain';
import { chiSquareSf } from './distributions';

/** Below this p-value the observed allocation is declared a sample ratio mismatch. */
export const SRM_THRESHOLD = 0.001;

/** Result of the sample-ratio-mismatch check. chi2 and pValue are null when there are no units at all. */
export interface SrmResult {
  chi2: number | null;
  df: number;
  pValue: number | null;
  mismatch: boolean;
}

/**
 * Sample ratio mismatch: Pearson's χ² goodness of fit of the observed units per arm against the configured weights.
 * Every configured arm is counted, an empty one included; χ² = Σ (O − E)²/E over arms with positive weight,
 * df = (arms with positive weight) − 1, p = P(χ²_df > χ²); mismatch when p < 0.001.
 * Units in an arm configured at 0 basis points cannot happen under the split: mismatch with pValue 0 and chi2 null.
 * @param observed units per arm name; an arm absent here counts 0.
 * @param weights the configured split in basis points (any number of arms; {@link TrafficSplit} fits).
 * @throws ModelctlError INVALID_INPUT when the weights are not a valid split, or an observed arm is not in it,
 *   or a count is not a non-negative integer.
 * @see Fabijan et al. (2019), "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments", KDD '19;
 *   matches scipy.stats.chisquare(observed, expected).
 */
export function sampleRatioMismatch(
  observed: Readonly<Record<string, number>>,
  weights: Readonly<Record<string, number>>,
): SrmResult {
  const split = parseInput(ArmWeights, weights, 'split');
  for (const [arm, count] of Object.entries(observed)) {
    if (!(arm in split))
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid observed units: arm '${arm}' is not in the split (${Object.keys(split).join(', ')})`,
      );
    if (!Number.isInteger(count) || count < 0)
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid observed units: ${arm}: must be a non-negative integer, got ${count}`,
      );
  }
  const arms = Object.entries(split);
  const total = arms.reduce((sum, [arm]) => sum + (observed[arm] ?? 0), 0);
  const positive = arms.filter(([, w]) => w > 0);
  const df = positive.length - 1;
  if (total === 0) return { chi2: null, df, pValue: null, mismatch: false };
  if (arms.some(([arm, w]) => w === 0 && (observed[arm] ?? 0) > 0))
    return { chi2: null, df, pValue: 0, mismatch: true };
  let chi2 = 0;
  for (const [arm, w] of positive) {
    const expected = (total * w) / BASIS_POINTS;
    chi2 += ((observed[arm] ?? 0) - expected) ** 2 / expected;
  }
  const pValue = df === 0 ? 1 : chiSquareSf(chi2, df);
  return { chi2, df, pValue, mismatch: pValue < SRM_THRESHOLD };
}
