import type { AbTestControl, AbTestInput, AbTestResult, AbTestState, AbTestVerdict } from '../domain/ab-test';
import { parseInput } from '../domain/errors';
import { PromoteModelInput, type ApprovalDecision, type PromotionResult } from '../domain/promotion';
import { RollbackInput, type RollbackResult } from '../domain/rollback';
import type { GuardControl, GuardInput, GuardState } from '../workflows/guard-model.contract';
import type { RegistryStore } from '../store/registry-store';
import { abTestWorkflowId } from '../workflows/ab-test.contract';
import { promotionWorkflowId } from '../workflows/promote-model.contract';
import { rollbackWorkflowId } from '../workflows/rollback.contract';
import type { AbTestSchedules } from './ab-test-schedules';
import { abTestStatus } from './ab-test-status';
import { checkPromotable, checkRollbackTarget } from './lifecycle-precheck';
import type { LifecycleClient, StartOptions } from './lifecycle-client';
import { workflowUrl, type TemporalRuntime } from './temporal-runtime';

/** A started workflow run: its id and its page in the Temporal Web UI (null when the UI is unknown). */
export interface StartedRun {
  workflowId: string;
  url: string | null;
}

/** Where an A/B test is: the result once it ended, else its state and an interim analysis. */
export type AbTestStatusReport =
  | { kind: 'result'; result: AbTestResult; url: string | null }
  | { kind: 'interim'; state: AbTestState; interim: AbTestVerdict | null; url: string | null };

/**
 * What the CLI's workflow commands call. The LifecycleClient on a Temporal connection ({@link localLifecycleOperations})
 * and RemoteLifecycle over the HTTP API implement it; errors are the same ModelctlErrors either way.
 */
export interface LifecycleOperations {
  /** Starts promoteModel. @throws ModelctlError INVALID_INPUT, CONFLICT */
  startPromotion(input: PromoteModelInput, options: StartOptions): Promise<StartedRun>;
  /** Waits for the promotion of `model` to end. @throws ModelctlError GATE_FAILED, APPROVAL_TIMEOUT … */
  promotionResult(model: string, what: string): Promise<PromotionResult>;
  /** Approves or rejects a waiting promotion. @returns the decision as recorded (remotely, the token is the approver) */
  approvePromotion(model: string, decision: ApprovalDecision): Promise<ApprovalDecision>;
  /** Starts rollback. @throws ModelctlError INVALID_INPUT, CONFLICT */
  startRollback(input: RollbackInput, options: StartOptions): Promise<StartedRun>;
  /** Waits for the rollback of `model` to end. @throws ModelctlError REFUSED, NOT_FOUND, ARTIFACT_INVALID */
  rollbackResult(model: string, what: string): Promise<RollbackResult>;
  /** Starts an A/B test and returns once it runs. @throws ModelctlError NOT_FOUND, REFUSED, CONFLICT */
  startAbTest(input: AbTestInput & { id: string }): Promise<StartedRun>;
  /** The result of an ended test, else its state and interim analysis; `wait` waits for the end. */
  abTestStatus(id: string, wait: boolean): Promise<AbTestStatusReport>;
  stopAbTest(id: string, control: AbTestControl): Promise<AbTestState>;
  abortAbTest(id: string, control: AbTestControl): Promise<AbTestState>;
  schedules: Pick<AbTestSchedules, 'create' | 'list' | 'pause' | 'unpause' | 'delete' | 'trigger'>;
  /** Starts guardModel (the input validated first). @throws ModelctlError INVALID_INPUT, CONFLICT */
  startGuard(input: GuardInput): Promise<StartedRun>;
  /** The state of the guard of `model` (running, or the last one). @throws ModelctlError NOT_FOUND */
  guardState(model: string): Promise<GuardState>;
  /** Pauses, resumes, stops or acknowledges the guard of `model`. @throws ModelctlError NOT_FOUND, REFUSED */
  controlGuard(model: string, verb: GuardVerb, request: GuardControl): Promise<GuardState>;
}

/** The updates a running guard takes. */
export type GuardVerb = 'pause' | 'resume' | 'stop' | 'acknowledge';

/** The workflow operations on a Temporal connection (the CLI's local mode); `readStore` opens the registry for A/B status and the checks made before a promotion or rollback starts. */
export function localLifecycleOperations(
  lifecycle: LifecycleClient,
  runtime: Pick<TemporalRuntime, 'uiUrl' | 'namespace'>,
  schedules: AbTestSchedules,
  readStore: <T>(fn: (store: RegistryStore) => Promise<T>) => Promise<T>,
): LifecycleOperations {
  const started = (workflowId: string): StartedRun => ({ workflowId, url: workflowUrl(runtime, workflowId) });
  const handle = (workflowId: string) => lifecycle.client.workflow.getHandle(workflowId);
  return {
    startPromotion: async (input, options) => {
      await readStore((store) => checkPromotable(store, parseInput(PromoteModelInput, input, 'promotion')));
      return started((await lifecycle.startPromotion(input, options)).workflowId);
    },
    promotionResult: (model, what) => lifecycle.wait(handle(promotionWorkflowId(model)), what),
    approvePromotion: async (model, decision) => {
      await lifecycle.approvePromotion(model, decision);
      return decision;
    },
    startRollback: async (input, options) => {
      await readStore((store) => checkRollbackTarget(store, parseInput(RollbackInput, input, 'rollback')));
      return started((await lifecycle.startRollback(input, options)).workflowId);
    },
    rollbackResult: (model, what) => lifecycle.wait(handle(rollbackWorkflowId(model)), what),
    startAbTest: async (input) => started((await lifecycle.startAbTestRunning(input)).workflowId),
    abTestStatus: async (id, wait) => {
      const url = workflowUrl(runtime, abTestWorkflowId(id));
      if (wait) return { kind: 'result', result: await lifecycle.abTestResult(id), url };
      const status = await readStore((store) => abTestStatus(lifecycle, store, id));
      if (status.result !== null) return { kind: 'result', result: status.result, url };
      return { kind: 'interim', state: status.state!, interim: status.interim, url };
    },
    stopAbTest: (id, control) => lifecycle.stopAbTest(id, control),
    abortAbTest: (id, control) => lifecycle.abortAbTest(id, control),
    schedules,
    startGuard: async (input) => started((await lifecycle.startGuard(input)).workflowId),
    guardState: (model) => lifecycle.guardState(model),
    controlGuard: (model, verb, request) => lifecycle.controlGuard(model, verb, request),
  };
}
