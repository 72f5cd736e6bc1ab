import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { ApprovalDecision, PromoteModelInput, type PromotionResult, type PromotionStep } from '../domain/promotion';
import { RollbackInput, type RollbackResult } from '../domain/rollback';
import { AbTestControl, AbTestInput, type AbTestResult, type AbTestState } from '../domain/ab-test';
import { ModelNameKey, ModelVersionKey, WorkflowKindKey } from '../domain/search-attributes';
import { fromTemporalError } from './temporal-errors';

/** Workflow ids: one promotion and one rollback per model at a time; one workflow per A/B test. */
export const workflowIds = {
  promotion: (model: string) => `promote-${model}`,
  rollback: (model: string) => `rollback-${model}`,
  abTest: (id: string) => `abtest-${id}`,
};

/** Options of the start methods. */
export interface StartOptions {
  /** Attach to the workflow already running under the same id instead of refusing (conflict policy USE_EXISTING). */
  attach?: boolean;
}

/**
 * Starts, signals, queries and waits on the lifecycle workflows (the workflow half of ModelRegistry).
 * Inputs are validated here too, so a bad call fails before anything is started. Workflow failures and
 * refusals come back as ModelctlError with the workflow's code (GATE_FAILED, REFUSED, CONFLICT …).
 */
export class LifecycleClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
  ) {}

  private searchAttributes(kind: string, model: string, version?: string) {
    return [
      { key: WorkflowKindKey, value: kind },
      { key: ModelNameKey, value: model },
      ...(version === undefined ? [] : [{ key: ModelVersionKey, value: version }]),
    ];
  }

  private async start<R>(
    workflowType: string,
    workflowId: string,
    args: unknown[],
    kind: string,
    model: string,
    version: string | undefined,
    options: StartOptions,
    what: string,
  ): Promise<WorkflowHandle<() => Promise<R>>> {
    try {
      return (await this.client.workflow.start(workflowType, {
        taskQueue: this.taskQueue,
        workflowId,
        args,
        workflowIdConflictPolicy: options.attach ? 'USE_EXISTING' : 'FAIL',
        typedSearchAttributes: this.searchAttributes(kind, model, version),
      })) as WorkflowHandle<() => Promise<R>>;
    } catch (err) {
      throw fromTemporalError(err, what);
    }
  }

  /** Waits for a started workflow's result; failures come back as ModelctlError with the workflow's code. */
  async wait<R>(handle: WorkflowHandle<() => Promise<R>>, what: string): Promise<R> {
    try {
      return await handle.result();
    } catch (err) {
      throw fromTemporalError(err, what);
    }
  }

  /** Starts promoteModel for `input` (workflow id `promote-<model>`). @throws ModelctlError INVALID_INPUT, CONFLICT */
  async startPromotion(
    input: PromoteModelInput,
    options: StartOptions = {},
  ): Promise<WorkflowHandle<() => Promise<PromotionResult>>> {
    const parsed = parseInput(PromoteModelInput, input, 'promotion');
    return this.start<PromotionResult>(
      'promoteModel',
      workflowIds.promotion(parsed.model),
      [input],
      'promote',
      parsed.model,
      parsed.version,
      options,
      `promotion of ${parsed.model}@${parsed.version}`,
    );
  }

  /** Promotes and waits for the result. @throws ModelctlError GATE_FAILED, APPROVAL_TIMEOUT, ILLEGAL_TRANSITION, CONFLICT … */
  async promote(input: PromoteModelInput, options: StartOptions = {}): Promise<PromotionResult> {
    return this.wait(await this.startPromotion(input, options), `promotion of ${input.model}@${input.version}`);
  }

  /** Approves or rejects the promotion of `model` that waits for approval. */
  async approvePromotion(model: string, decision: ApprovalDecision): Promise<void> {
    const parsed = parseInput(ApprovalDecision, decision, 'approval');
    const handle = this.client.workflow.getHandle(workflowIds.promotion(model));
    try {
      await handle.executeUpdate('approve', { args: [parsed] });
    } catch (err) {
      const mapped = fromTemporalError(err, `approval of the promotion of ${model}`);
      // Servers differ in how they answer an update to a run that has ended and to one that never existed; ask.
      if (
        mapped instanceof ModelctlError &&
        (mapped.code === ErrorCode.REFUSED || mapped.code === ErrorCode.NOT_FOUND)
      ) {
        const running = await workflowRunning(handle);
        if (running === null) {
          throw new ModelctlError(
            ErrorCode.NOT_FOUND,
            `no promotion of ${model} to approve: none was started (modelctl promote ${model} <version> --require-approval <timeout>)`,
            { model },
          );
        }
        if (!running)
          throw new ModelctlError(ErrorCode.REFUSED, `approval of the promotion of ${model}: it has already ended`, {
            model,
          });
      }
      throw mapped;
    }
  }

  /** The step of the promotion of `model` (running or last run). */
  async promotionStatus(model: string): Promise<{ step: PromotionStep; approvalDeadline: string | null }> {
    return this.client.workflow.getHandle(workflowIds.promotion(model)).query('status');
  }

  /** Starts rollback (workflow id `rollback-<model>`). @throws ModelctlError INVALID_INPUT, CONFLICT */
  async startRollback(
    input: RollbackInput,
    options: StartOptions = {},
  ): Promise<WorkflowHandle<() => Promise<RollbackResult>>> {
    const parsed = parseInput(RollbackInput, input, 'rollback');
    return this.start<RollbackResult>(
      'rollback',
      workflowIds.rollback(parsed.model),
      [input],
      'rollback',
      parsed.model,
      parsed.toVersion,
      options,
      `rollback of ${parsed.model}`,
    );
  }

  /** Rolls back and waits for the result. @throws ModelctlError REFUSED, NOT_FOUND, ARTIFACT_INVALID, CONFLICT */
  async rollback(input: RollbackInput, options: StartOptions = {}): Promise<RollbackResult> {
    return this.wait(await this.startRollback(input, options), `rollback of ${input.model}`);
  }

  /** Starts abTest (workflow id `abtest-<id>`); `input.id` is required here so the caller knows the salt. */
  async startAbTest(
    input: AbTestInput & { id: string },
    options: StartOptions = {},
  ): Promise<WorkflowHandle<() => Promise<AbTestResult>>> {
    const parsed = parseInput(AbTestInput, input, 'A/B test');
    return this.start<AbTestResult>(
      'abTest',
      workflowIds.abTest(input.id),
      [input],
      'abtest',
      parsed.model,
      parsed.treatment,
      options,
      `A/B test ${input.id}`,
    );
  }

  /**
   * Starts an A/B test and returns once it runs (both versions validated, the test recorded RUNNING), so the
   * caller can send traffic. A test refused at start (unknown or FAILED version, the pair already under test)
   * comes back as that ModelctlError instead of a handle to a failed run.
   */
  async startAbTestRunning(
    input: AbTestInput & { id: string },
    options: StartOptions = {},
    timeoutMs = 60_000,
  ): Promise<WorkflowHandle<() => Promise<AbTestResult>>> {
    const handle = await this.startAbTest(input, options);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        await this.wait(handle, `A/B test ${input.id}`);
        return handle;
      }
      if ((await handle.query<AbTestState>('state')).status === 'RUNNING') return handle;
      await new Promise((r) => setTimeout(r, 100));
    }
    return handle;
  }

  /** Waits for an A/B test to end and returns its result. */
  async abTestResult(id: string): Promise<AbTestResult> {
    return this.wait(
      this.client.workflow.getHandle<() => Promise<AbTestResult>>(workflowIds.abTest(id)),
      `A/B test ${id}`,
    );
  }

  /** The state of a running (or finished) A/B test from its workflow. */
  async abTestState(id: string): Promise<AbTestState> {
    try {
      return await this.client.workflow.getHandle(workflowIds.abTest(id)).query('state');
    } catch (err) {
      throw fromTemporalError(err, `A/B test ${id}`);
    }
  }

  /** Ends a sequential A/B test now, with a decision. @throws ModelctlError REFUSED for a fixed-horizon test */
  async stopAbTest(id: string, request: AbTestControl): Promise<AbTestState> {
    return this.control(id, 'stop', request);
  }

  /** Ends an A/B test now without a winner (ABORTED). */
  async abortAbTest(id: string, request: AbTestControl): Promise<AbTestState> {
    return this.control(id, 'abort', request);
  }

  private async control(id: string, update: 'stop' | 'abort', request: AbTestControl): Promise<AbTestState> {
    const parsed = parseInput(AbTestControl, request, `${update} request`);
    try {
      return await this.client.workflow.getHandle(workflowIds.abTest(id)).executeUpdate(update, { args: [parsed] });
    } catch (err) {
      throw fromTemporalError(err, `${update} of A/B test ${id}`);
    }
  }
}

/** Whether the workflow with the handle's id is running (true), has ended (false) or never existed (null). */
async function workflowRunning(handle: { describe(): Promise<{ status: { name: string } }> }): Promise<boolean | null> {
  try {
    return (await handle.describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
