import { z } from 'zod';
import type { MetricMap } from './json';

/** A metric a gate names: trimmed, not empty, at most 200 characters (the limit of a metric key). */
const GateMetric = z.string().trim().min(1, 'must not be empty or blank').max(200);

/** Comparison of a metric threshold gate. */
export const GateOperator = z.enum(['>=', '>', '<=', '<'], { error: "must be one of '>=', '>', '<=', '<'" });
export type GateOperator = z.infer<typeof GateOperator>;

/**
 * Validation gates of a promotion:
 * - `thresholds`: the candidate's metric must satisfy `op value` (e.g. accuracy >= 0.9);
 * - `notWorseThanProduction`: for each named metric the candidate must be at least as good as the current
 *   production version, within `tolerance` (absolute); `lowerIsBetter` lists metrics where smaller wins (loss, latency).
 */
export const PromotionGates = z
  .object({
    thresholds: z
      .array(
        z
          .object({
            metric: GateMetric,
            op: GateOperator,
            value: z.number().refine(Number.isFinite, 'must be finite'),
          })
          .strict(),
      )
      .default([]),
    notWorseThanProduction: z.array(GateMetric).default([]),
    lowerIsBetter: z.array(GateMetric).default([]),
    tolerance: z.number().min(0, 'must not be negative').default(0),
  })
  .strict()
  .superRefine((g, ctx) => {
    // Alone, lowerIsBetter gates nothing: a metric named only there is a mistake the user would not see.
    const loose = g.lowerIsBetter.filter((m) => !g.notWorseThanProduction.includes(m));
    if (loose.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['lowerIsBetter'],
        message: `${loose.join(', ')} ${loose.length > 1 ? 'are' : 'is'} not in notWorseThanProduction; lowerIsBetter only says which way a not-worse gate compares (modelctl promote --not-worse <metric> --lower-is-better <metric>)`,
      });
    }
  });
export type PromotionGates = z.output<typeof PromotionGates>;

/** The metric names the gates refer to, each once, in order of first mention. */
export function gateMetrics(gates: PromotionGates): string[] {
  return [...new Set([...gates.thresholds.map((t) => t.metric), ...gates.notWorseThanProduction])];
}

/** One gate's verdict, with the numbers it compared. */
export interface GateResult {
  gate: string;
  passed: boolean;
  detail: string;
}

function compare(actual: number, op: GateOperator, bound: number): boolean {
  switch (op) {
    case '>=':
      return actual >= bound;
    case '>':
      return actual > bound;
    case '<=':
      return actual <= bound;
    case '<':
      return actual < bound;
  }
}

/**
 * Evaluates promotion gates against the candidate's final metrics and, when there is one, the production version's.
 * Pure and deterministic (workflows call it). A metric the candidate lacks fails its gate; a "not worse" gate
 * passes when there is no production version or it lacks the metric (nothing to be worse than), and says so.
 * @returns one result per gate, in the order given.
 */
export function evaluateGates(
  gates: PromotionGates,
  candidate: MetricMap,
  production: { version: string; metrics: MetricMap } | null,
): GateResult[] {
  const results: GateResult[] = [];
  for (const t of gates.thresholds) {
    const gate = `${t.metric} ${t.op} ${t.value}`;
    const actual = candidate[t.metric];
    if (actual === undefined) results.push({ gate, passed: false, detail: `candidate has no metric '${t.metric}'` });
    else results.push({ gate, passed: compare(actual, t.op, t.value), detail: `${t.metric} = ${actual}` });
  }
  for (const metric of gates.notWorseThanProduction) {
    const lower = gates.lowerIsBetter.includes(metric);
    const gate = `${metric} not worse than production${gates.tolerance > 0 ? ` (tolerance ${gates.tolerance})` : ''}`;
    const actual = candidate[metric];
    if (actual === undefined) {
      results.push({ gate, passed: false, detail: `candidate has no metric '${metric}'` });
      continue;
    }
    const baseline = production?.metrics[metric];
    if (production === null || baseline === undefined) {
      results.push({
        gate,
        passed: true,
        detail:
          production === null
            ? 'no production version to compare with'
            : `production ${production.version} has no metric '${metric}'`,
      });
      continue;
    }
    const passed = lower ? actual <= baseline + gates.tolerance : actual >= baseline - gates.tolerance;
    results.push({
      gate,
      passed,
      detail: `${metric} = ${actual} vs production ${production.version} = ${baseline} (${lower ? 'lower' : 'higher'} is better)`,
    });
  }
  return results;
}
