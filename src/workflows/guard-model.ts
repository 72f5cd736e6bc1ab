import {
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { GuardObservationQuery } from '../activities/types';
import type { CheckOutcome, GuardAlert, GuardCheck, GuardStatus, MetricCheck } from '../domain/guard';
import { innermostCause } from '../domain/errors';
import { SLO_QUANTILES, type GuardPolicyParsed } from '../domain/guard-policy';
import { OBSERVATION_BUCKET_MS } from '../domain/observation';
import {
  combineOutcomes,
  MIN_EXPECTED_EVENTS,
  relativeRegressionCheck,
  sloCheck,
  type MetricSample,
} from '../stats/guard-checks';
import {
  acknowledgeGuardUpdate,
  GuardControl,
  GuardInput,
  guardModelContract,
  guardRecordId,
  guardStateQuery,
  pauseGuardUpdate,
  resumeGuardUpdate,
  stopGuardUpdate,
  type GuardResult,
  type GuardState,
} from './guard-model.contract';
import { rollbackWorkflowId } from './rollback.contract';
import { parseWorkflowInput } from './workflow-errors';
import { guardReads, registry, webhooks } from './activity-options';
import { tagRun } from './search-attributes';
import { rollback } from './rollback';

/** Checks kept in the state (and carried over continueAsNew); every check is in the store. */
const RECENT = 20;
/** Checks per run before continueAsNew, so a long bake's history stays small (also on the server's suggestion). */
const CHECKS_PER_RUN = 200;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The windows one check reads, in order; `reading` tells which metric and role each answer is. The store sums
 * buckets by their start, so a check interval shorter than a bucket would read windows that hold no bucket start at
 * all: then every window starts at the start of the bucket it begins in (the guard counts the minute it started in,
 * and the last-interval window is at least the current bucket). Intervals of a bucket or more read exact windows.
 */
function checkQueries(
  policy: GuardPolicyParsed,
  version: string,
  baselineVersion: string | null,
  startedAtMs: number,
  nowMs: number,
): GuardObservationQuery[] {
  const queries: GuardObservationQuery[] = [];
  const align =
    policy.checkInterval < OBSERVATION_BUCKET_MS
      ? (ms: number) => Math.floor(ms / OBSERVATION_BUCKET_MS) * OBSERVATION_BUCKET_MS
      : (ms: number) => ms;
  const windowFrom = iso(align(nowMs - policy.checkInterval));
  const since = iso(align(startedAtMs));
  const to = iso(nowMs);
  for (const m of policy.metrics) {
    if (m.check === 'relative') {
      const b = policy.baseline;
      queries.push({ version, metric: m.metric, from: since, to, quantiles: [] });
      queries.push(
        b.kind === 'holdout'
          ? { version: baselineVersion!, metric: m.metric, from: since, to, quantiles: [] }
          : {
              version: baselineVersion!,
              metric: m.metric,
              from: iso(align(startedAtMs - b.window)),
              to: since,
              quantiles: [],
            },
      );
    }
    const quantiles = m.check === 'slo' && m.statistic !== 'mean' ? [SLO_QUANTILES[m.statistic]] : [];
    queries.push({ version, metric: m.metric, from: windowFrom, to, quantiles });
  }
  return queries;
}

/**
 * Patch id of the expected-events rule of 0/1 metrics in relative checks ({@link MIN_EXPECTED_EVENTS}): guards
 * recorded before it judged without it and replay so.
 */
export const EXPECTED_EVENTS_PATCH = 'guard-min-expected-events';

/**
 * Judges one check from the samples {@link checkQueries} asked for, in the same order; `expectedEvents` turns on the
 * rule of {@link EXPECTED_EVENTS_PATCH}.
 */
function judge(
  policy: GuardPolicyParsed,
  samples: MetricSample[],
  expectedEvents: boolean,
): { metrics: MetricCheck[]; noData: boolean } {
  const metrics: MetricCheck[] = [];
  let i = 0;
  let lastInterval = 0;
  for (const m of policy.metrics) {
    if (m.check === 'relative') {
      const candidate = samples[i++]!;
      const baseline = samples[i++]!;
      metrics.push(
        relativeRegressionCheck(m.metric, m.direction, m.tolerance, candidate, baseline, {
          alpha: policy.alpha,
          tuning: policy.sequentialTuning,
          minSamples: policy.minSamples,
          minExpectedEvents: expectedEvents ? MIN_EXPECTED_EVENTS : undefined,
        }),
      );
      lastInterval += samples[i++]!.count;
    } else {
      const window = samples[i++]!;
      metrics.push(sloCheck(m, window, policy.minSamples));
      lastInterval += window.count;
    }
  }
  return { metrics, noData: lastInterval === 0 };
}

/** The evidence of a failed check in one line: each failing metric with its statistics. */
function evidence(model: string, version: string, check: GuardCheck): string {
  const failing = check.metrics.filter((m) => m.outcome === 'fail');
  const parts = failing.map((m) => {
    const interval =
      m.ciLow === null
        ? ''
        : `, always-valid interval of the excess [${m.ciLow.toPrecision(3)}, ${m.ciHigh!.toPrecision(3)}]`;
    const samples =
      m.baselineCount === null ? `n = ${m.candidateCount}` : `n = ${m.candidateCount} vs ${m.baselineCount}`;
    return `${m.metric} (${m.check}): ${m.reason}${interval}; ${samples}`;
  });
  return `guard check ${check.seq} of ${model}@${version} failed: ${parts.join('; ')}`;
}

/**
 * Guards a production version: every `checkInterval` (a durable timer) read its observations from the store → one
 * relative always-valid test per relative metric against the baseline, one bound per SLO → pass / fail /
 * inconclusive, kept in the state and the store. A failed check runs the action once — a child `rollback`
 * (workflow id `rollback-<model>`, so it is serialized with every other rollback and compare-and-swaps production)
 * whose reason carries the evidence, or a notification, or a retraining experiment — and ends the guard. No
 * observations for `noDataPeriod`: alert and hold, never act on absence. `errorBudget` failed reads in a row: alert
 * and hold. After `bakeTime`, the first passing check ends it PASSED. Updates pause, resume, stop, acknowledge;
 * continueAsNew every {@link CHECKS_PER_RUN} checks.
 */
export async function guardModel(rawInput: GuardInput): Promise<GuardResult> {
  const input = parseWorkflowInput(GuardInput, rawInput, 'guardModel input');
  const { policy, model, version } = input;
  const info = workflowInfo();
  tagRun(guardModelContract.kind, model, version);
  // Decided once per run, so every check of a run is judged by one rule (a run replayed from before the patch
  // keeps the old one to its end; the next run after continueAsNew takes the new one).
  const expectedEvents = patched(EXPECTED_EVENTS_PATCH);
  const carry = input.carry;
  const startedAtMs = carry === undefined ? Date.now() : Date.parse(carry.startedAt);
  const guardId = carry?.guardId ?? guardRecordId(model, version, info.firstExecutionRunId);

  // Everything the handlers change, in one object: the code after each `await` reads it afresh.
  const run = {
    terminal: null as GuardStatus | null,
    baselineVersion: carry?.baselineVersion ?? null,
    seq: carry?.seq ?? 0,
    lastDataAtMs: carry === undefined ? startedAtMs : Date.parse(carry.lastDataAt),
    consecutiveErrors: carry?.consecutiveErrors ?? 0,
    hold: (carry?.hold ?? null) as 'NO_DATA' | 'OBSERVATIONS_UNREADABLE' | null,
    paused: carry?.paused ?? false,
    stop: null as GuardControl | null,
    checks: (carry?.checks ?? []) as GuardCheck[],
    alerts: (carry?.alerts ?? []) as GuardAlert[],
    rollbackWorkflowId: null as string | null,
    rollbackError: null as string | null,
    retrainExperimentId: null as string | null,
  };
  const status = (): GuardStatus =>
    run.terminal ?? (run.paused ? 'PAUSED' : run.hold !== null ? 'HOLDING' : 'WATCHING');
  const state = (): GuardState => ({
    guardId,
    model,
    version,
    baselineVersion: run.baselineVersion,
    status: status(),
    action: policy.action,
    startedAt: iso(startedAtMs),
    bakeEndsAt: iso(startedAtMs + policy.bakeTime),
    checkCount: run.seq,
    checks: run.checks.slice(-RECENT),
    lastDataAt: iso(run.lastDataAtMs),
    consecutiveErrors: run.consecutiveErrors,
    alerts: run.alerts.slice(-RECENT),
    rollbackWorkflowId: run.rollbackWorkflowId,
    rollbackError: run.rollbackError,
    retrainExperimentId: run.retrainExperimentId,
  });
  const live = (verb: string) => {
    if (run.terminal !== null || run.stop !== null)
      throw new Error(`guard ${guardId} has ended (${status()}); cannot ${verb}`);
  };
  setHandler(guardStateQuery, state);
  setHandler(pauseGuardUpdate, () => ((run.paused = true), state()), {
    validator: (c) => {
      GuardControl.parse(c);
      live('pause');
      if (run.paused) throw new Error(`guard ${guardId} is already paused`);
    },
  });
  setHandler(resumeGuardUpdate, () => ((run.paused = false), state()), {
    validator: (c) => {
      GuardControl.parse(c);
      live('resume');
      if (!run.paused) throw new Error(`guard ${guardId} is not paused (${status()})`);
    },
  });
  setHandler(stopGuardUpdate, (c) => ((run.stop = c), state()), {
    validator: (c) => {
      GuardControl.parse(c);
      live('stop');
    },
  });
  setHandler(
    acknowledgeGuardUpdate,
    (c) => {
      for (const a of run.alerts) a.acknowledgedBy ??= c.actor;
      return state();
    },
    { validator: (c) => void GuardControl.parse(c) },
  );

  const alert = async (kind: GuardAlert['kind'], message: string): Promise<void> => {
    const a: GuardAlert = {
      seq: (run.alerts.at(-1)?.seq ?? 0) + 1,
      at: iso(Date.now()),
      kind,
      message,
      acknowledgedBy: null,
    };
    run.alerts.push(a);
    await registry.recordGuardEvent({ guardId, kind: 'alert', seq: a.seq, at: a.at, outcome: kind, detail: a });
    for (const hook of policy.webhooks) {
      try {
        await webhooks.deliverGuardWebhook({ guardId, model, version, alert: a, url: hook.url, secret: hook.secret });
      } catch (err) {
        // Every attempt is in the store; the alert stands in the state and the store whether it was delivered or not.
        if (isCancellation(err)) throw err;
      }
    }
  };
  const finish = async (terminal: GuardStatus, reason: string): Promise<GuardResult> => {
    run.terminal = terminal;
    const result: GuardResult = { ...state(), reason };
    await registry.updateGuard({ guardId, status: terminal, endedAt: iso(Date.now()), result });
    return result;
  };

  if (carry === undefined) {
    const started = await registry.startGuard({
      guardId,
      model,
      version,
      policy,
      actor: input.actor,
      workflowId: info.workflowId,
      startedAt: iso(startedAtMs),
    });
    run.baselineVersion = started.baselineVersion;
  }

  for (let checksThisRun = 0; ; checksThisRun++) {
    if (checksThisRun >= CHECKS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof guardModel>({
        ...rawInput,
        carry: {
          guardId,
          startedAt: iso(startedAtMs),
          baselineVersion: run.baselineVersion,
          seq: run.seq,
          lastDataAt: iso(run.lastDataAtMs),
          consecutiveErrors: run.consecutiveErrors,
          hold: run.hold,
          paused: run.paused,
          checks: run.checks.slice(-RECENT),
          alerts: run.alerts.slice(-RECENT),
        },
      });
    }
    await condition(() => run.stop !== null, policy.checkInterval);
    if (run.paused) await condition(() => !run.paused || run.stop !== null);
    if (run.stop !== null) {
      const c = run.stop;
      return finish('STOPPED', `stopped by ${c.actor}${c.reason ? `: ${c.reason}` : ''}`);
    }

    const nowMs = Date.now();
    let read: Awaited<ReturnType<typeof guardReads.readGuardObservations>>;
    const queries = checkQueries(policy, version, run.baselineVersion, startedAtMs, nowMs);
    try {
      read = await guardReads.readGuardObservations({ model, queries });
      run.consecutiveErrors = 0;
      if (run.hold === 'OBSERVATIONS_UNREADABLE') run.hold = null;
    } catch (err) {
      if (isCancellation(err)) throw err;
      run.consecutiveErrors += 1;
      if (run.consecutiveErrors === policy.errorBudget) {
        run.hold = 'OBSERVATIONS_UNREADABLE';
        const cause =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        await alert(
          'OBSERVATIONS_UNREADABLE',
          `${run.consecutiveErrors} checks in a row could not read observations: ${cause}; holding`,
        );
      }
      continue;
    }
    if (read.productionVersion !== version) {
      return finish(
        'SUPERSEDED',
        `${model}@${version} is no longer in production (now ${read.productionVersion ?? 'none'}); nothing to guard`,
      );
    }

    const judged = judge(policy, read.samples, expectedEvents);
    run.seq += 1;
    const outcome: CheckOutcome = judged.noData
      ? 'inconclusive'
      : combineOutcomes(judged.metrics.map((m) => m.outcome));
    const check: GuardCheck = {
      seq: run.seq,
      at: iso(nowMs),
      outcome,
      from: iso(startedAtMs),
      to: iso(nowMs),
      noData: judged.noData,
      metrics: judged.metrics,
    };
    run.checks.push(check);
    if (run.checks.length > RECENT) run.checks.splice(0, run.checks.length - RECENT);
    await registry.recordGuardEvent({ guardId, kind: 'check', seq: check.seq, at: check.at, outcome, detail: check });

    if (judged.noData) {
      if (run.hold === null && nowMs - run.lastDataAtMs >= policy.noDataPeriod) {
        run.hold = 'NO_DATA';
        await alert(
          'NO_DATA',
          `no observations of ${model}@${version} since ${iso(run.lastDataAtMs)}; holding (absence of data never rolls back)`,
        );
      }
      continue;
    }
    run.lastDataAtMs = nowMs;
    if (run.hold === 'NO_DATA') run.hold = null;

    if (outcome === 'fail') {
      const why = evidence(model, version, check);
      await alert('REGRESSION', why);
      if (policy.action === 'rollback') {
        const rollbackId = rollbackWorkflowId(model);
        try {
          const rolled = await executeChild(rollback, {
            workflowId: rollbackId,
            args: [
              {
                model,
                ...(run.baselineVersion !== null ? { toVersion: run.baselineVersion } : {}),
                reason: why.slice(0, 2000),
                actor: `guard ${guardId} (started by ${input.actor})`.slice(0, 200),
              },
            ],
          });
          run.rollbackWorkflowId = rollbackId;
          await alert('ROLLED_BACK', `${model} rolled back from ${version} to ${rolled.version}`);
          return finish('ROLLED_BACK', why);
        } catch (err) {
          if (isCancellation(err)) throw err;
          const cause = innermostCause(err);
          run.rollbackError = cause instanceof Error ? cause.message : String(cause);
          await alert(
            'ROLLBACK_REFUSED',
            `rollback of ${model} refused: ${run.rollbackError}; ${version} stays flagged`,
          );
          return finish('ROLLBACK_REFUSED', `${why}; rollback refused: ${run.rollbackError}`);
        }
      }
      if (policy.action === 'retrain') {
        run.retrainExperimentId = await registry.openRetrainExperiment({ guardId, model, version, evidence: why });
        await alert('RETRAIN', `opened TRAINING experiment ${run.retrainExperimentId} for ${model}@${version}`);
      }
      return finish('REGRESSED', why);
    }
    if (outcome === 'pass' && nowMs - startedAtMs >= policy.bakeTime) {
      await alert('PASSED', `${model}@${version} passed ${run.seq} checks over its bake time`);
      return finish('PASSED', `bake time over and check ${run.seq} passed`);
    }
  }
}
