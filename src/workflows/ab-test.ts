import {
  condition,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { AbTestGuardStart, AbTestParsed, AbTestStatus } from '../domain/ab-test';
import type { GuardPolicyParsed } from '../domain/guard-policy';
import {
  abortAbTestUpdate,
  AbTestControl,
  abTestContract,
  abTestIdOfWorkflowId,
  AbTestInput,
  abTestStateQuery,
  stopAbTestUpdate,
  type AbTestResult,
  type AbTestState,
} from './ab-test.contract';
import { promotionWorkflowId, type PromotionResult } from './promote-model.contract';
import { parseWorkflowInput } from './workflow-errors';
import { registry } from './activity-options';
import { tagRun } from './search-attributes';
import { promoteModel } from './promote-model';
import { mirrorToWandb } from './side-effects';
import { guardModel } from './guard-model';
import { guardWorkflowId } from './guard-model.contract';

/**
 * Marks the runs that start a guard on the winner they promoted: histories recorded before (the replay fixture
 * test/fixtures/histories/ab-test.json) have no such command and replay without it.
 */
export const GUARD_WINNER_PATCH = 'ab-test-guards-promoted-winner';

/**
 * Marks the runs that auto-promote only over their control (abTestPromotionCheck, then a promotion that expects
 * that production): histories recorded before promoted without the check and replay without it.
 */
export const PROMOTE_OVER_CONTROL_PATCH = 'ab-test-promotes-only-over-its-control';

/**
 * Starts guardModel on the winner `input.treatment` just promoted, with the control as baseline and rollback target
 * (unless the policy names its own baseline version). The guard is an abandoned child: it outlives the test, which
 * ends now. No policy in the input nor stored for the model: no guard.
 */
async function guardWinner(
  input: AbTestParsed,
  id: string,
): Promise<{ guard: AbTestGuardStart | null; guardError: string | null }> {
  let policy: GuardPolicyParsed | null = input.guard ?? null;
  const policySource = policy !== null ? 'input' : 'default';
  try {
    policy ??= await registry.abTestGuardPolicy({ model: input.model });
    if (policy === null) return { guard: null, guardError: null };
    const baselineVersion = policy.baseline.version ?? input.control;
    const workflowId = guardWorkflowId(input.model);
    await startChild(guardModel, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          model: input.model,
          version: input.treatment,
          policy: { ...policy, baseline: { ...policy.baseline, version: baselineVersion } },
          actor: `${input.actor} (A/B test ${id})`.slice(0, 200),
        },
      ],
    });
    return {
      guard: { workflowId, version: input.treatment, baselineVersion, policySource },
      guardError: null,
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The promotion stands without its guard (e.g. a guard of the model still running): the result says why.
    if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError')
      return {
        guard: null,
        guardError: `a guard of ${input.model} is still running (workflow ${guardWorkflowId(input.model)}); ${input.treatment} is not guarded (modelctl guard stop ${input.model}, then modelctl guard start ${input.model})`,
      };
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { guard: null, guardError: message };
  }
}

/**
 * A timed A/B test between two versions of a model: validate both → RUNNING → durable timer for `duration`
 * (updates `stop` and `abort` end it early) → analysis of the outcomes recorded in the store → decision →
 * optional promotion of a winning treatment (child promoteModel, id `promote-<model>`) → with a guard policy (the
 * input's or the model's stored one) a guardModel started on the promoted winner, baseline the control → COMPLETED
 * (or STOPPED / ABORTED) with the full result stored. Outcomes never travel through workflow history.
 */
export async function abTest(rawInput: AbTestInput): Promise<AbTestResult> {
  const input = parseWorkflowInput(AbTestInput, rawInput, 'abTest input');
  const { workflowId } = workflowInfo();
  const id = input.id ?? abTestIdOfWorkflowId(workflowId);
  tagRun(abTestContract.kind, input.model, input.treatment);

  const startedAt = new Date(Date.now()).toISOString();
  const endsAt = new Date(Date.now() + input.duration).toISOString();
  // Everything the handlers change, in one object: the code after each `await` reads it afresh.
  const run: { status: AbTestStatus; stop: AbTestControl | null; abort: AbTestControl | null } = {
    status: 'SCHEDULED',
    stop: null,
    abort: null,
  };
  const state = (): AbTestState => ({
    id,
    status: run.status,
    startedAt,
    endsAt,
    stopRequestedBy: run.stop?.actor ?? null,
    abortRequestedBy: run.abort?.actor ?? null,
  });
  const running = (): void => {
    if (run.status !== 'RUNNING' || run.stop !== null || run.abort !== null)
      throw new Error(`test ${id} is not running (status ${run.status})`);
  };
  setHandler(abTestStateQuery, state);
  setHandler(stopAbTestUpdate, (request) => ((run.stop = request), state()), {
    validator: (request) => {
      AbTestControl.parse(request);
      running();
      if (!input.sequential) {
        throw new Error(
          `test ${id} uses a fixed-horizon analysis: stopping early with a decision needs sequential: true (always-valid p-values; modelctl abtest start --sequential); use abort (modelctl abtest stop --abort) to end it without a winner`,
        );
      }
    },
  });
  setHandler(abortAbTestUpdate, (request) => ((run.abort = request), state()), {
    validator: (request) => {
      AbTestControl.parse(request);
      running();
    },
  });

  await registry.startAbTest({ id, definition: input, workflowId, startedAt });
  run.status = 'RUNNING';
  await condition(() => run.stop !== null || run.abort !== null, input.duration);

  const base = { id, model: input.model, control: input.control, treatment: input.treatment, startedAt };
  const abort = run.abort;
  if (abort !== null) {
    const status = 'ABORTED';
    run.status = status;
    const result: AbTestResult = {
      ...base,
      status,
      decision: null,
      winner: null,
      reason: `aborted by ${abort.actor}${abort.reason ? `: ${abort.reason}` : ''}; no winner`,
      analysis: null,
      endedAt: new Date(Date.now()).toISOString(),
      endedBy: abort.actor,
      promotion: null,
      promotionError: null,
      warnings: [],
    };
    await registry.finishAbTest({ id, status, result });
    await mirrorToWandb({ kind: 'abtest', id, result }, result.warnings);
    return result;
  }

  const stop = run.stop;
  const analysis = await registry.analyzeAbTest({ id, sequential: input.sequential });
  let promotion: PromotionResult | null = null;
  let promotionError: string | null = null;
  if (input.autoPromote && analysis.decision === 'treatment') {
    // A version promoted during the test (a hotfix) is not the one the treatment beat: it is never replaced.
    const check = patched(PROMOTE_OVER_CONTROL_PATCH) ? await registry.abTestPromotionCheck({ id }) : null;
    if (check?.refusal) promotionError = check.refusal;
    else {
      try {
        promotion = await executeChild(promoteModel, {
          workflowId: promotionWorkflowId(input.model),
          args: [
            {
              model: input.model,
              version: input.treatment,
              actor: input.actor,
              reason: `won A/B test ${id} (p = ${analysis.pValue === null ? 'n/a' : analysis.pValue.toPrecision(3)})`,
              // A production change after the check still loses: the promotion compares and swaps on this.
              expectedProduction: check?.expectedProduction,
            },
          ],
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The decision stands even when the promotion cannot run (gate failed, another promotion running): say why.
        promotionError =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      }
    }
  }
  let guarded: { guard: AbTestGuardStart | null; guardError: string | null } = { guard: null, guardError: null };
  if (promotion?.outcome === 'PROMOTED' && patched(GUARD_WINNER_PATCH)) guarded = await guardWinner(input, id);
  const status = stop !== null ? 'STOPPED' : 'COMPLETED';
  run.status = status;
  const result: AbTestResult = {
    ...base,
    status,
    decision: analysis.decision,
    winner: analysis.winner,
    reason:
      stop !== null
        ? `stopped early by ${stop.actor}${stop.reason ? ` (${stop.reason})` : ''}: ${analysis.reason}`
        : analysis.reason,
    analysis,
    endedAt: new Date(Date.now()).toISOString(),
    endedBy: stop?.actor ?? null,
    promotion,
    promotionError,
    ...guarded,
    warnings: [],
  };
  await registry.finishAbTest({ id, status, result });
  await mirrorToWandb({ kind: 'abtest', id, result }, result.warnings);
  return result;
}
