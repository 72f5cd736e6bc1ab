import { condition, executeChild, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AbTestStatus } from '../domain/ab-test';
import type { JsonValue } from '../domain/json';
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
  let status: AbTestStatus = 'SCHEDULED';
  let stopRequest: AbTestControl | null = null;
  let abortRequest: AbTestControl | null = null;
  const state = (): AbTestState => ({
    id,
    status,
    startedAt,
    endsAt,
    stopRequestedBy: stopRequest?.actor ?? null,
    abortRequestedBy: abortRequest?.actor ?? null,
  });
  const running = (): void => {
    if (status !== 'RUNNING' || stopRequest !== null || abortRequest !== null)
      throw new Error(`test ${id} is not running (status ${status})`);
  };
  setHandler(abTestStateQuery, state);
  setHandler(stopAbTestUpdate, (request) => ((stopRequest = request), state()), {
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
  setHandler(abortAbTestUpdate, (request) => ((abortRequest = request), state()), {
    validator: (request) => {
      AbTestControl.parse(request);
      running();
    },
  });

  await registry.startAbTest({ id, definition: input, workflowId, startedAt });
  status = 'RUNNING';
  await condition(() => stopRequest !== null || abortRequest !== null, input.duration);

  const base = { id, model: input.model, control: input.control, treatment: input.treatment, startedAt };
  const abort = abortRequest as AbTestControl | null;
  if (abort !== null) {
    status = 'ABORTED';
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
    await registry.finishAbTest({ id, status, result: result as unknown as JsonValue });
    await mirrorToWandb({ kind: 'abtest', id, result: result as unknown as JsonValue }, result.warnings);
    return result;
  }

  const stop = stopRequest as AbTestControl | null;
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
  status = stop !== null ? 'STOPPED' : 'COMPLETED';
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
  await registry.finishAbTest({ id, status, result: result as unknown as JsonValue });
  await mirrorToWandb({ kind: 'abtest', id, result: result as unknown as JsonValue }, result.warnings);
  return result;
}
