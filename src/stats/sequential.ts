import { positivePValue } from './distributions';

/**
 * Default mSPRT tuning N* when a test plans no sample size: the total units (both arms) at which the always-valid
 * boundary is tightest. 5,000 is GrowthBook's default, so the two engines agree out of the box.
 */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/**
 * The mixing parameter ρ² of the normal-mixture boundary that is tightest at N* total units for level α:
 *   ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*.
 * @param alpha the significance level in (0, 1); @param tuning N* > 0, in units over both arms.
 * @returns ρ², per unit (so n·ρ² is the ratio τ²/s² of the mixture variance to the estimate's variance at n units).
 * @see Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2023), "Time-uniform central limit theory and asymptotic
 *   confidence sequences", arXiv:2103.06476v7, eq. (161); Howard, Ramdas, McAuliffe & Sekhon (2021), Annals of
 *   Statistics 49(2):1055–1080, §3.5; the same ρ as gbstats SequentialTwoSidedTTest.rho.
 */
export function mixingParameter(alpha: number, tuning: number): number {
  const logAlpha = Math.log(alpha);
  return (-2 * logAlpha + Math.log1p(-2 * logAlpha)) / tuning;
}

/**
 * Always-valid p-value of the mixture sequential probability ratio test (mSPRT) for a difference in means, at one look.
 *
 * With a normal mixing distribution N(0, τ²) over the effect, the likelihood ratio of the estimate d with
 * variance s² (plug-in: s² = Var x̄_t + Var x̄_c) is
 *   Λ = √(s² / (s² + τ²)) · exp(τ² d² / (2 s² (s² + τ²))),
 * and by Ville's inequality P_H0(∃ look: Λ ≥ 1/α) ≤ α, so p = min(1, 1/Λ) may be read at every look and the test
 * stopped at the first p ≤ α without inflating the false-positive rate. τ² = σ²_unit·ρ² with ρ² from
 * {@link mixingParameter}, σ²_unit = s²·n; then τ²/s² = n·ρ² and Λ depends only on z = d/s and n·ρ².
 * Taking the running minimum over looks gives the classical always-valid p-value; reading the current look alone
 * (as here) is valid and slightly more conservative.
 *
 * @param estimate d, the absolute difference treatment − control; @param standardError s (> 0).
 * @param units n, total units over both arms so far; @param tuning N* > 0 (default 5000);
 * @param alpha the level ρ² is tuned for (default 0.05).
 * @returns the always-valid p-value in (0, 1].
 * @see Waudby-Smith et al. (2023), arXiv:2103.06476v7, eq. (155), as gbstats SequentialTwoSidedTTest.p_value;
 *   Johari, Koomen, Pekelis & Walsh (2017), "Peeking at A/B Tests", KDD '17, eq. (4); Robbins (1970) for the
 *   normal-mixture martingale.
 */
export function msprtPValue(
  estimate: number,
  standardError: number,
  units: number,
  tuning = DEFAULT_SEQUENTIAL_TUNING,
  alpha = 0.05,
): number {
  const r = units * mixingParameter(alpha, tuning);
  const z2 = (estimate / standardError) ** 2;
  const logLambda = -0.5 * Math.log1p(r) + (r * z2) / (2 * (1 + r));
  return positivePValue(Math.exp(-logLambda));
}

/**
 * Always-valid (1 − α) confidence interval of a difference in means: d ± s·√(2(1 + nρ²)/(nρ²) · ln(√(1 + nρ²)/α)),
 * the set of effects the mSPRT at level α does not reject; it covers the true effect at every look at once.
 * @param estimate d; @param standardError s (> 0); @param units n over both arms; @param tuning N*; @param alpha α.
 * @returns the interval in the estimate's units.
 * @see Waudby-Smith et al. (2023), arXiv:2103.06476v7, eq. (9), as gbstats SequentialTwoSidedTTest.confidence_interval.
 */
export function msprtInterval(
  estimate: number,
  standardError: number,
  units: number,
  tuning = DEFAULT_SEQUENTIAL_TUNING,
  alpha = 0.05,
): { ciLow: number; ciHigh: number } {
  const r = units * mixingParameter(alpha, tuning);
  const half = standardError * Math.sqrt(((2 * (1 + r)) / r) * (0.5 * Math.log1p(r) - Math.log(alpha)));
  return { ciLow: estimate - half, ciHigh: estimate + half };
}

/** The always-valid p-value sequence from per-look mSPRT p-values: the running minimum. */
export function alwaysValidPValues(perLook: readonly number[]): number[] {
  let best = 1;
  return perLook.map((p) => (best = Math.min(best, p)));
}
