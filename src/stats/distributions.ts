import { jStat } from 'jstat';

/*
 * Distribution functions with jStat's weak spots guarded:
 * - jStat.erfc is 1 − erf, which loses every digit in the tail (normal p-values below ~1e-10); erfc here evaluates
 *   the same Chebyshev series for the tail directly.
 * - jStat.studentt.cdf calls ibeta(·, ν/2, ν/2), which fails for large ν; the two-sided t tail is computed as
 *   I_{ν/(ν+t²)}(ν/2, 1/2) instead, and above ν = 1e7 by a normal approximation accurate to O(1/ν²).
 * - jStat.studentt.inv breaks down above ν ≈ 1e6; the Cornish–Fisher expansion takes over there.
 */

/** Chebyshev coefficients of erfc (Press et al., Numerical Recipes 3rd ed. §6.2.2; the same ones jStat.erf uses). */
const ERFC_COF = [
  -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4,
  3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8,
  -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12,
  -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];

/** erfc(x) for x ≥ 0 by the Chebyshev series, relative precision ~1e-15 far into the tail. */
function erfcNonNegative(x: number): number {
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = ERFC_COF.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + ERFC_COF[j]!;
    dd = tmp;
  }
  return t * Math.exp(-x * x + 0.5 * (ERFC_COF[0]! + ty * d) - dd);
}

/** The complementary error function erfc(x) = 1 − erf(x), precise in both tails. */
export function erfc(x: number): number {
  return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x);
}

/** Standard normal upper tail P(Z > z), precise for large z (no 1 − cdf cancellation). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Standard normal cdf P(Z ≤ z). */
export function normalCdf(z: number): number {
  return normalSf(-z);
}

/**
 * A p-value kept inside (0, 1]: a tail probability below the smallest positive double (5e-324) underflows to 0,
 * which would read as certainty; it is reported as that smallest double instead.
 */
export function positivePValue(p: number): number {
  return Math.min(1, Math.max(Number.MIN_VALUE, p));
}

/** Two-sided p-value of a standard normal statistic: 2·P(Z > |z|), computed on the small tail; in (0, 1]. */
export function normalTwoSidedP(z: number): number {
  return positivePValue(2 * normalSf(Math.abs(z)));
}

/**
 * Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (jStat's erfcinv with one Newton polish on the precise erfc).
 */
export function normalQuantile(p: number): number {
  let x = jStat.normal.inv(p, 0, 1);
  // One Newton step on the tail-precise cdf: brings jStat's ~1e-10 to machine precision.
  const density = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  if (density > 0) x -= (normalCdf(x) - p) / density;
  return x;
}

/** Above this many degrees of freedom the t distribution is computed from the normal with a 1/ν correction. */
const LARGE_DF = 1e7;

/**
 * Two-sided p-value of a Student t statistic: P(|T_ν| > |t|) = I_{ν/(ν+t²)}(ν/2, 1/2).
 * Above ν = 1e7 uses Fisher's normalising transform z = t(1 − 1/(4ν)) / √(1 + t²/(2ν)) (error O(1/ν²)).
 * @see Abramowitz & Stegun (1964) 26.5.27 and 26.7.8; matches 2·scipy.stats.t.sf(|t|, ν) to ~3e-7 relative
 *   (jStat's continued fraction stops at that tolerance).
 */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(df) || df > LARGE_DF) {
    const z = Number.isFinite(df) ? (t * (1 - 1 / (4 * df))) / Math.sqrt(1 + (t * t) / (2 * df)) : t;
    return normalTwoSidedP(z);
  }
  return positivePValue(jStat.ibeta(df / (df + t * t), df / 2, 0.5));
}

/** Above this many degrees of freedom the Cornish–Fisher expansion is exact to double precision. */
const CORNISH_FISHER_DF = 1e5;

/**
 * Student t quantile t_ν(p) for 0 < p < 1. jStat's inverse for ν ≤ 1e5 (~3e-8 relative), else the Cornish–Fisher
 * expansion in powers of 1/ν (Abramowitz & Stegun 26.7.5), whose omitted terms are below 1e-13 there.
 */
export function tQuantile(p: number, df: number): number {
  if (df <= CORNISH_FISHER_DF) return jStat.studentt.inv(p, df);
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

/**
 * Upper tail of the χ² distribution with k degrees of freedom, P(X > x), y = x/2.
 * Integer k uses the finite series, every term positive, so the far tail keeps its digits:
 *   k even: e^{−y} Σ_{j<k/2} y^j/j!;   k odd: erfc(√y) + e^{−y} Σ_{j≤(k−3)/2} y^{j+1/2}/Γ(j+3/2).
 * Other k fall back to 1 − jStat's regularised lower incomplete gamma (~1e-15 absolute).
 * @see Abramowitz & Stegun (1964) 26.4.4 and 26.4.5; matches scipy.stats.chi2.sf(x, k).
 */
export function chiSquareSf(x: number, k: number): number {
  if (x <= 0) return 1;
  const y = x / 2;
  if (!Number.isInteger(k) || k < 1) return Math.max(0, Math.min(1, 1 - jStat.lowRegGamma(k / 2, y)));
  const logY = Math.log(y);
  let sum = 0;
  if (k % 2 === 0) {
    // Terms in logs: e^{−y} alone underflows long before the sum it multiplies does.
    let logTerm = -y;
    for (let j = 0; j < k / 2; j++) {
      if (j > 0) logTerm += logY - Math.log(j);
      sum += Math.exp(logTerm);
    }
    return Math.min(1, sum);
  }
  let logTerm = -y + 0.5 * logY - Math.log(Math.sqrt(Math.PI) / 2); // j = 0: e^{−y} y^{1/2} / Γ(3/2)
  for (let j = 0; j <= (k - 3) / 2; j++) {
    if (j > 0) logTerm += logY - Math.log(j + 0.5);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, erfc(Math.sqrt(y)) + sum);
}
