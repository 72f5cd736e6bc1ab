import { ErrorCode, ModelctlError } from '../domain';
import { normalQuantile, normalSf } from './distributions';

/**
 * Power of a two-sided level-α z-test when the true effect is δ, with standard errors se₀ of the estimate under H0
 * and se₁ under the alternative: P(reject) = Φ̄(z_{1−α/2}·se₀/se₁ − |δ|/se₁) + Φ̄(z_{1−α/2}·se₀/se₁ + |δ|/se₁).
 * @see Chow, Shao & Wang, Sample Size Calculations in Clinical Research (2nd ed. 2008) §4.2;
 *   matches statsmodels.stats.power.normal_power_het(δ, 1, α, std_null=se₀, std_alternative=se₁).
 */
export function zTestPower(effect: number, seNull: number, seAlternative: number, alpha: number): number {
  const crit = normalQuantile(1 - alpha / 2);
  const ratio = seNull / seAlternative;
  const shift = Math.abs(effect) / seAlternative;
  return Math.min(1, normalSf(crit * ratio - shift) + normalSf(crit * ratio + shift));
}

/**
 * Achieved power of the pooled two-proportion z-test for the observed sizes.
 * @param baseline control conversion rate p_c; @param effect absolute difference δ = p_t − p_c to detect.
 * @param units units of control and treatment.
 * @returns power in [0, 1], or null when p_c + δ leaves [0, 1] or the null variance is 0.
 * @see Fleiss, Levin & Paik (2003) §4.2; matches statsmodels.stats.proportion.power_proportions_2indep
 *   (δ, p_c, nobs1 = n_t, ratio = n_c/n_t, alpha).
 */
export function proportionsPower(
  baseline: number,
  effect: number,
  units: { control: number; treatment: number },
  alpha: number,
): number | null {
  const pc = baseline;
  const pt = baseline + effect;
  if (pt < 0 || pt > 1) return null;
  const pooled = (units.treatment * pt + units.control * pc) / (units.treatment + units.control);
  const seNull = Math.sqrt(pooled * (1 - pooled) * (1 / units.treatment + 1 / units.control));
  const seAlt = Math.sqrt((pt * (1 - pt)) / units.treatment + (pc * (1 - pc)) / units.control);
  if (seNull === 0 || seAlt === 0) return null;
  return zTestPower(effect, seNull, seAlt, alpha);
}

/**
 * Achieved power of the Welch test for the observed sizes, by the normal approximation (the t correction is
 * negligible at the sample sizes where power is worth reading).
 * @param standardError √(s_t²/n_t + s_c²/n_c); @param effect the absolute difference in means to detect.
 */
export function meansPower(effect: number, standardError: number, alpha: number): number {
  return zTestPower(effect, standardError, standardError, alpha);
}

function checkProbability(name: string, value: number): void {
  if (!(value > 0 && value < 1)) {
    throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${name}: must be strictly between 0 and 1, got ${value}`);
  }
}

/**
 * Units needed in each arm (equal allocation) for a two-sided level-α pooled two-proportion z-test to detect an
 * absolute change δ from the baseline rate with the given power:
 * n = (z_{1−α/2}·√(2p̄(1−p̄)) + z_{power}·√(p_c(1−p_c) + p_t(1−p_t)))² / δ², p_t = p_c + δ, p̄ = (p_c + p_t)/2.
 * @param baseline control conversion rate in (0, 1); @param minimumDetectableEffect δ ≠ 0, absolute (0.01 = one point).
 * @param alpha significance level in (0, 1), default 0.05; @param power in (0, 1), default 0.8.
 * @returns the per-arm sample size, rounded up.
 * @throws ModelctlError INVALID_INPUT naming the argument out of range.
 * @see Fleiss, Levin & Paik (2003) eq. 4.14 (without continuity correction); matches
 *   statsmodels.stats.proportion.samplesize_proportions_2indep_onetail(δ, p_c, power, alpha=α) rounded up.
 */
export function requiredSampleSize(
  baseline: number,
  minimumDetectableEffect: number,
  alpha = 0.05,
  power = 0.8,
): number {
  checkProbability('baseline', baseline);
  checkProbability('alpha', alpha);
  checkProbability('power', power);
  const pt = baseline + minimumDetectableEffect;
  if (minimumDetectableEffect === 0 || !(pt > 0 && pt < 1)) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid minimumDetectableEffect: must be non-zero with baseline + effect strictly between 0 and 1, got ${minimumDetectableEffect}`,
    );
  }
  const pooled = (baseline + pt) / 2;
  const a = normalQuantile(1 - alpha / 2) * Math.sqrt(2 * pooled * (1 - pooled));
  const b = normalQuantile(power) * Math.sqrt(baseline * (1 - baseline) + pt * (1 - pt));
  return Math.ceil(((a + b) / minimumDetectableEffect) ** 2);
}

/**
 * Units needed in each arm (equal allocation) for a two-sided level-α test of means to detect an absolute difference δ
 * when the metric's standard deviation is σ in both arms: n = 2σ²(z_{1−α/2} + z_{power})²/δ².
 * @throws ModelctlError INVALID_INPUT naming the argument out of range.
 * @see Chow, Shao & Wang (2008) §3.2.1; matches statsmodels normal_sample_size_one_tail(δ, power, α/2, σ√2) rounded up.
 */
export function requiredSampleSizeMeans(
  standardDeviation: number,
  minimumDetectableEffect: number,
  alpha = 0.05,
  power = 0.8,
): number {
  checkProbability('alpha', alpha);
  checkProbability('power', power);
  if (!(standardDeviation > 0 && Number.isFinite(standardDeviation))) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid standardDeviation: must be a positive finite number, got ${standardDeviation}`,
    );
  }
  if (minimumDetectableEffect === 0 || !Number.isFinite(minimumDetectableEffect)) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid minimumDetectableEffect: must be a non-zero finite number, got ${minimumDetectableEffect}`,
    );
  }
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.ceil((2 * standardDeviation ** 2 * z * z) / minimumDetectableEffect ** 2);
}
