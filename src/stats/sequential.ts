/** Default mSPRT tuning: the total sample size at which the mixture is most sensitive (GrowthBook's default). */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/**
 * Always-valid p-value of the mixture sequential probability ratio test (mSPRT) for a difference in means, at one look.
 *
 * With a normal mixing distribution H = N(0, τ²) over the effect, the likelihood ratio of the estimate d with
 * variance s² (s² = Var x̄_t + Var x̄_c, plug-in) is
 *   Λ = √(s² / (s² + τ²)) · exp(τ² d² / (2 s² (s² + τ²))),
 * and by Ville's inequality P_H0(∃ look: Λ ≥ 1/α) ≤ α, so p = min(1, 1/Λ) may be read at every look and the test
 * stopped at the first p ≤ α without inflating the false-positive rate. τ² is set scale-free as σ²_unit / N*, where
 * σ²_unit = s²·n is the per-unit variance of the difference, n the total units so far and N* the tuning; then
 * τ²/s² = n/N* and Λ depends only on z = d/s and n/N*. Taking the running minimum over looks gives the classical
 * always-valid p-value; reading the current look alone (as here) is valid and slightly more conservative.
 *
 * @param estimate d, the absolute difference treatment − control; @param standardError s (> 0).
 * @param units n, total units over both arms so far; @param tuning N* > 0 (default 5000).
 * @returns the always-valid p-value in (0, 1].
 * @see Johari, Koomen, Pekelis & Walsh (2017), "Peeking at A/B Tests", KDD '17, eq. (4);
 *   Johari, Koomen, Pekelis & Walsh (2022), "Always Valid Inference", Operations Research 70(3):1806–1821
 *   (plug-in variance, §5); Robbins (1970) for the normal-mixture martingale.
 */
export function msprtPValue(
  estimate: number,
  standardError: number,
  units: number,
  tuning = DEFAULT_SEQUENTIAL_TUNING,
): number {
  const r = units / tuning; // τ²/s²
  const z2 = (estimate / standardError) ** 2;
  const logLambda = -0.5 * Math.log1p(r) + (r * z2) / (2 * (1 + r));
  return Math.min(1, Math.exp(-logLambda));
}

/** The always-valid p-value sequence from per-look mSPRT p-values: the running minimum. */
export function alwaysValidPValues(perLook: readonly number[]): number[] {
  let best = 1;
  return perLook.map((p) => (best = Math.min(best, p)));
}
