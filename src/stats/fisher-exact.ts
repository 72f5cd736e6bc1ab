import type { ConversionCounts } from './two-proportion';
import { positivePValue } from './distributions';

/** Result of Fisher's exact test: the sample odds ratio (null when a cell is 0) and the two-sided pValue. */
export interface FisherResult {
  oddsRatio: number | null;
  pValue: number;
}

/** scipy's relative tolerance for "as extreme as observed", so that ties in probability are not lost to rounding. */
const TIE_TOLERANCE = 1 + 1e-7;

/**
 * Fisher's exact test of the 2×2 table [[x_t, n_t − x_t], [x_c, n_c − x_c]], two-sided: the probability, under the
 * hypergeometric law with all margins fixed, of every table no more probable than the observed one.
 * Probabilities are built by the ratio recurrence P(k+1)/P(k) = (K−k)(n−k) / ((k+1)(N−K−n+k+1)) from the mode,
 * so large counts cost no precision (no log-factorials of huge numbers are differenced).
 * @see Fisher (1935), J. R. Stat. Soc. 98:39–82; Agresti, Categorical Data Analysis (3rd ed.) §3.5.1;
 *   matches scipy.stats.fisher_exact(table, alternative='two-sided').
 */
export function fisherExact(control: ConversionCounts, treatment: ConversionCounts): FisherResult {
  const a = treatment.conversions;
  const b = treatment.units - treatment.conversions;
  const c = control.conversions;
  const d = control.units - control.conversions;
  const oddsRatio = b * c === 0 ? null : (a * d) / (b * c);

  const n = treatment.units; // row margin of the cell k = a
  const K = a + c; // column margin (conversions)
  const N = treatment.units + control.units;
  const low = Math.max(0, n + K - N);
  const high = Math.min(n, K);
  const mode = Math.floor(((n + 1) * (K + 1)) / (N + 2));

  // Unnormalised probabilities relative to the mode (value 1 there), so nothing under- or overflows.
  const weights = new Float64Array(high - low + 1);
  weights[mode - low] = 1;
  for (let k = mode; k < high; k++) {
    weights[k + 1 - low] = weights[k - low]! * (((K - k) * (n - k)) / ((k + 1) * (N - K - n + k + 1)));
  }
  for (let k = mode; k > low; k--) {
    weights[k - 1 - low] = weights[k - low]! * ((k * (N - K - n + k)) / ((K - k + 1) * (n - k + 1)));
  }
  let total = 0;
  for (const w of weights) total += w;
  const observed = weights[a - low]! * TIE_TOLERANCE;
  let extreme = 0;
  for (const w of weights) if (w <= observed) extreme += w;
  return { oddsRatio, pValue: positivePValue(extreme / total) };
}
