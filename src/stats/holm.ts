/**
 * Holm's step-down adjustment of a family of p-values (strong control of the family-wise error rate).
 * Sorted ascending p₍₁₎ ≤ … ≤ p₍ₘ₎: adj₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎); returned in the input order.
 * @param pValues values in [0, 1]; an empty family gives an empty array.
 * @see Holm (1979), Scand. J. Statist. 6:65–70; matches statsmodels.stats.multitest.multipletests(p, method='holm').
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
