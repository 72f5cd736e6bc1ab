import { condition, executeChild, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AbTestStatus } from '../domain/ab-test';
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

/**
 * A timed A/B test between two versions of a model: validate both → RUNNING → durable timer for `duration`
 * (updates `stop` and `abort` end it early) → analysis of the outcomes recorded in the store → decision →
 * optional promotion of a winning treatment (child promoteModel, id `promote-<model>`) → COMPLETED (or STOPPED /
 * ABORTED) with the full result stored. Outcomes never travel through workflow history.
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
    try {
      promotion = await executeChild(promoteModel, {
        workflowId: promotionWorkflowId(input.model),
        args: [
          {
            model: input.model,
            version: input.treatment,
            actor: input.actor,
            reason: `won A/B test ${id} (p = ${analysis.pValue === null ? 'n/a' : analysis.pValue.toPrecision(3)})`,
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
    warnings: [],
  };
  await registry.finishAbTest({ id, status, result });
  await mirrorToWandb({ kind: 'abtest', id, result }, result.warnings);
  return result;
}
