/**
 * The guard's detection delay: how many checks (minutes, observations) until a +50 % or +100 % relative error-rate
 * regression is rolled back at 1,000 requests/min, beside a fixed-threshold check of the Flagger kind tuned to the
 * same false-alarm rate over the same bake, judged on the same simulated traffic. A seeded simulation through the
 * guard's own check function (see bench/lib/guard-simulation.ts); no server is involved.
 */
import type { Benchmark } from './lib/context';
import {
  guardDetection,
  simulatedPolicy,
  simulateRuns,
  summarizeDelays,
  thresholdDetection,
  tuneThreshold,
  type Deployment,
} from './lib/guard-simulation';
import { MIN_EXPECTED_EVENTS } from '../src/stats/guard-checks';
import { fmt, type Row } from './lib/report';

const REQUESTS_PER_MINUTE = 1000;
const BASELINE_RATE = 0.01;
/** Flagger's `threshold` (failed checks before rollback): 1, and 5 as in Flagger's own canary examples. */
const FAILURES = [1, 5];
const REGRESSIONS = [0.5, 1];
/** Both versions' error rate in a busy hour, against the 1 % the threshold was tuned on (and the reference saw). */
const DRIFT_RATE = 0.013;

const HOLDOUT: Deployment = {
  name: 'holdout 10 %',
  baseline: 'holdout',
  candidatePerMinute: REQUESTS_PER_MINUTE * 0.9,
  holdoutPerMinute: REQUESTS_PER_MINUTE * 0.1,
  referenceMinutes: 0,
  referencePerMinute: 0,
};
const REFERENCE: Deployment = {
  name: 'reference 1 h',
  baseline: 'reference',
  candidatePerMinute: REQUESTS_PER_MINUTE,
  holdoutPerMinute: 0,
  referenceMinutes: 60,
  referencePerMinute: REQUESTS_PER_MINUTE,
};
/**
 * Each traffic set-up with the guard's default policy. The holdout runs twice: as the guard judges now, and without
 * the expected-events rule of 0/1 metrics (as guards started before it do), whose first checks rest on about one
 * expected holdout error.
 */
const SETUPS: { label: string; deployment: Deployment; expectedEvents: boolean }[] = [
  { label: 'holdout 10 %', deployment: HOLDOUT, expectedEvents: true },
  { label: 'holdout 10 %, without the expected-events rule', deployment: HOLDOUT, expectedEvents: false },
  { label: 'reference 1 h', deployment: REFERENCE, expectedEvents: true },
];

const pct = (x: number) => `${Number((100 * x).toFixed(1))} %`;
const minutes = (x: number, checks: number) => (Number.isFinite(x) ? fmt(x) : `> ${checks}`);
const observations = (x: number, perMinute: number) => (Number.isFinite(x) ? fmt(x * perMinute) : '—');

export const guard: Benchmark = {
  name: 'guard',
  async run(ctx) {
    const runs = ctx.quick ? 1000 : 5000;
    const policy = simulatedPolicy();
    const checks = policy.bakeTime / policy.checkInterval;
    const rows: Row[] = [];
    for (const { label, deployment: d, expectedEvents } of SETUPS) {
      // One seed per traffic set-up: the holdout's two policies judge the very same runs.
      let seed = d.baseline === 'holdout' ? 17 : 117;
      ctx.log(`guard: ${label}, ${fmt(runs)} runs per scenario`);
      // Tuned on A/A runs of their own, then measured on the A/A runs every check sees.
      const tuning = simulateRuns(d, BASELINE_RATE, BASELINE_RATE, checks, runs, seed++);
      const thresholds = FAILURES.map((n) => tuneThreshold(tuning, n, policy.alpha));
      const aa = simulateRuns(d, BASELINE_RATE, BASELINE_RATE, checks, runs, seed++);
      const guardAlarms = aa.filter((r) => guardDetection(r, d, policy, expectedEvents) !== null).length / runs;
      for (const t of thresholds) {
        const alarms = aa.filter((r) => thresholdDetection(r.candidateErrors, t) !== null).length / runs;
        rows.push({
          group: 'guard',
          case: `${label}: A/A, false rollbacks in the bake (N = ${t.failures})`,
          modelctl: pct(guardAlarms),
          peer: `${pct(alarms)} (bound ${pct(t.maxErrors / d.candidatePerMinute)})`,
          note: `threshold: > ${t.maxErrors} errors of ${fmt(d.candidatePerMinute)} a minute, tuned to ${pct(t.falseAlarms)} ≤ α (${t.maxErrors - 1}: ${pct(t.falseAlarmsOneLower)})`,
        });
      }
      // No regression, but the error rate of both versions moved since the threshold was tuned and the reference
      // window was taken: what a bound fixed in advance, or a baseline from another hour, counts as a regression.
      const drift = simulateRuns(d, DRIFT_RATE, DRIFT_RATE, checks, runs, seed++, BASELINE_RATE);
      const guardDrift = drift.filter((r) => guardDetection(r, d, policy, expectedEvents) !== null).length / runs;
      for (const t of thresholds) {
        const alarms = drift.filter((r) => thresholdDetection(r.candidateErrors, t) !== null).length / runs;
        rows.push({
          group: 'guard',
          case: `${label}: both versions at ${pct(DRIFT_RATE)} (no regression), rollbacks in the bake (N = ${t.failures})`,
          modelctl: pct(guardDrift),
          peer: pct(alarms),
          note: d.baseline === 'reference' ? 'the reference window saw 1 %' : 'the holdout sees the same 1.3 %',
        });
      }
      for (const lift of REGRESSIONS) {
        const rate = BASELINE_RATE * (1 + lift);
        const sims = simulateRuns(d, BASELINE_RATE, rate, checks, runs, seed++);
        const g = summarizeDelays(sims.map((r) => guardDetection(r, d, policy, expectedEvents)));
        for (const t of thresholds) {
          const f = summarizeDelays(sims.map((r) => thresholdDetection(r.candidateErrors, t)));
          rows.push({
            group: 'guard',
            case: `${label}: +${fmt(100 * lift)} % (1 % → ${pct(rate)}), minutes to rollback, median / p90 (N = ${t.failures})`,
            modelctl: `${minutes(g.median, checks)} / ${minutes(g.p90, checks)} min`,
            peer: `${minutes(f.median, checks)} / ${minutes(f.p90, checks)} min`,
            note: `caught within the bake: ${pct(g.detected)} vs ${pct(f.detected)}; candidate observations at the median: ${observations(g.median, d.candidatePerMinute)} vs ${observations(f.median, d.candidatePerMinute)}`,
          });
        }
      }
    }
    return [
      {
        title: 'Guard: detection delay of an error-rate regression',
        peerName: 'fixed threshold (Flagger kind)',
        method: `Seeded simulation (mulberry32, ${fmt(runs)} guards per scenario; \`bench/guard.ts\`). ${fmt(REQUESTS_PER_MINUTE)} requests/min, baseline error rate 1 %, the guard's default policy with \`checkInterval\` 1m and \`bakeTime\` 1h (${checks} checks, α ${policy.alpha}, N* ${fmt(policy.sequentialTuning)}, minSamples ${fmt(policy.minSamples)}), one relative \`error\` check judged by \`relativeRegressionCheck\`, the function guardModel calls, on the observations since the start; it waits until each arm expects ${MIN_EXPECTED_EVENTS} errors at the pooled rate (the expected-events rule), except in the rows that say "without". Holdout 10 %: the candidate serves 900 requests/min and the previous version 100 over the same minutes; reference 1 h: the candidate serves all 1,000 against the previous version's 60,000 observations of the hour before. The threshold check sees the candidate's errors of each minute and fails when the minute's error rate is above a fixed bound (a Flagger \`thresholdRange.max\`), rolling back at N failed checks in a row (\`threshold\`; N = 1, and 5 as in Flagger's examples); the bound is the lowest whose false-alarm rate over the bake, on a separate set of A/A runs, is at most α. Both judge the same simulated traffic in each scenario. "> 60" means not caught within the bake.`,
        rows,
      },
    ];
  },
};
