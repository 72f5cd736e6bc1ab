import {
  WorkflowNotFoundError,
  type Client,
  type Workflow,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowResultType,
  type UpdateDefinition,
} from '@temporalio/client';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { ModelNameKey, ModelVersionKey, WorkflowKindKey } from '../domain/search-attributes';
import type { WorkflowContract, WorkflowOf } from '../workflows/contract';
import {
  ApprovalDecision,
  approveUpdate,
  PromoteModelInput,
  promoteModelContract,
  promotionStatusQuery,
  promotionWorkflowId,
  type PromotionResult,
  type PromotionStatus,
} from '../workflows/promote-model.contract';
import {
  RollbackInput,
  rollbackContract,
  rollbackStatusQuery,
  rollbackWorkflowId,
  type RollbackResult,
  type RollbackStatus,
} from '../workflows/rollback.contract';
import {
  abortAbTestUpdate,
  AbTestControl,
  abTestContract,
  AbTestInput,
  abTestStateQuery,
  abTestWorkflowId,
  stopAbTestUpdate,
  type AbTestResult,
  type AbTestState,
} from '../workflows/ab-test.contract';
import {
  acknowledgeGuardUpdate,
  GuardControl,
  GuardInput,
  guardModelContract,
  guardStateQuery,
  guardWorkflowId,
  pauseGuardUpdate,
  resumeGuardUpdate,
  stopGuardUpdate,
  type GuardResult,
  type GuardState,
} from '../workflows/guard-model.contract';
import { fromTemporalError } from './temporal-errors';
import { describeRun, type WorkflowRunStatus } from './workflow-runs';

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
  /**
   * @param registryId the identity of the registry the workflows act on (RegistryStore.registryId); carried in every
   *   input it starts, so a worker of another registry refuses their activities. Null starts inputs without one.
   */
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    readonly registryId: string | null = null,
  ) {}

  private searchAttributes(kind: string, model: string, version?: string) {
    return [
      { key: WorkflowKindKey, value: kind },
      { key: ModelNameKey, value: model },
      ...(version === undefined ? [] : [{ key: ModelVersionKey, value: version }]),
    ];
  }

  private async start<I, R>(
    contract: WorkflowContract<string, I, R>,
    workflowId: string,
    input: I,
    model: string,
    version: string | undefined,
    options: StartOptions,
    what: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<WorkflowOf<WorkflowContract<string, I, R>>>> {
    try {
      return await this.client.workflow.start<(input: I) => Promise<R>>(contract.workflowType, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [this.registryId === null ? input : { ...input, registryId: this.registryId }],
        workflowIdConflictPolicy: options.attach ? 'USE_EXISTING' : 'FAIL',
        typedSearchAttributes: this.searchAttributes(contract.kind, model, version),
      });
    } catch (err) {
      throw fromTemporalError(err, what);
    }
  }

  /** Waits for a started workflow's result; failures come back as ModelctlError with the workflow's code. */
  async wait<W extends Workflow>(handle: WorkflowHandle<W>, what: string): Promise<WorkflowResultType<W>> {
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
  ): Promise<WorkflowHandleWithFirstExecutionRunId<WorkflowOf<typeof promoteModelContract>>> {
    const parsed = parseInput(PromoteModelInput, input, 'promotion');
    return this.start(
      promoteModelContract,
      promotionWorkflowId(parsed.model),
      input,
      parsed.model,
      parsed.version,
      options,
      `promotion of ${parsed.model}@${parsed.version}`,
    );
  }

  /** Promotes and waits for the result. @throws ModelctlError GATE_FAILED, CHECKSUM_MISMATCH (artifact check), APPROVAL_TIMEOUT, ILLEGAL_TRANSITION, CONFLICT … */
  async promote(input: PromoteModelInput, options: StartOptions = {}): Promise<PromotionResult> {
    return this.wait(await this.startPromotion(input, options), `promotion of ${input.model}@${input.version}`);
  }

  /** Approves or rejects the promotion of `model` that waits for approval. */
  async approvePromotion(model: string, decision: ApprovalDecision): Promise<void> {
    const parsed = parseInput(ApprovalDecision, decision, 'approval');
    await updateRunning(
      this.client.workflow.getHandle(promotionWorkflowId(model)),
      approveUpdate,
      parsed,
      `approval of the promotion of ${model}`,
      () =>
        new ModelctlError(
          ErrorCode.NOT_FOUND,
          `no promotion of ${model} to approve: none was started (modelctl promote ${model} <version> --require-approval <timeout>)`,
          { model },
        ),
    );
  }

  /** The step of the promotion of `model` (running or last run). */
  async promotionStatus(model: string): Promise<PromotionStatus> {
    return this.client.workflow.getHandle(promotionWorkflowId(model)).query(promotionStatusQuery);
  }

  /**
   * The promotion of `model` (running or last run) with its step, after waiting up to `waitMs` for it to end.
   * @throws ModelctlError NOT_FOUND when none was ever started
   */
  async promotionRun(model: string, waitMs = 0): Promise<WorkflowRunStatus<PromotionStatus, PromotionResult>> {
    return describeRun(this.client, promotionWorkflowId(model), promotionStatusQuery, {
      waitMs,
      what: `promotion of ${model}`,
    });
  }

  /**
   * The rollback of `model` (running or last run) with its step, after waiting up to `waitMs` for it to end.
   * @throws ModelctlError NOT_FOUND when none was ever started
   */
  async rollbackRun(model: string, waitMs = 0): Promise<WorkflowRunStatus<RollbackStatus, RollbackResult>> {
    return describeRun(this.client, rollbackWorkflowId(model), rollbackStatusQuery, {
      waitMs,
      what: `rollback of ${model}`,
    });
  }

  /**
   * The run of A/B test `id` with its state, after waiting up to `waitMs` for it to end.
   * @throws ModelctlError NOT_FOUND when no such test was started
   */
  async abTestRun(id: string, waitMs = 0): Promise<WorkflowRunStatus<AbTestState, AbTestResult>> {
    return describeRun(this.client, abTestWorkflowId(id), abTestStateQuery, { waitMs, what: `A/B test ${id}` });
  }

  /** Starts rollback (workflow id `rollback-<model>`). @throws ModelctlError INVALID_INPUT, CONFLICT */
  async startRollback(
    input: RollbackInput,
    options: StartOptions = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId<WorkflowOf<typeof rollbackContract>>> {
    const parsed = parseInput(RollbackInput, input, 'rollback');
    return this.start(
      rollbackContract,
      rollbackWorkflowId(parsed.model),
      input,
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
  ): Promise<WorkflowHandleWithFirstExecutionRunId<WorkflowOf<typeof abTestContract>>> {
    const parsed = parseInput(AbTestInput, input, 'A/B test');
    return this.start<AbTestInput, AbTestResult>(
      abTestContract,
      abTestWorkflowId(input.id),
      input,
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
  ): Promise<WorkflowHandleWithFirstExecutionRunId<WorkflowOf<typeof abTestContract>>> {
    const handle = await this.startAbTest(input, options);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        await this.wait(handle, `A/B test ${input.id}`);
        return handle;
      }
      if ((await handle.query(abTestStateQuery)).status === 'RUNNING') return handle;
      await new Promise((r) => setTimeout(r, 100));
    }
    return handle;
  }

  /** Waits for an A/B test to end and returns its result. */
  async abTestResult(id: string): Promise<AbTestResult> {
    return this.wait(
      this.client.workflow.getHandle<WorkflowOf<typeof abTestContract>>(abTestWorkflowId(id)),
      `A/B test ${id}`,
    );
  }

  /** The state of a running (or finished) A/B test from its workflow. */
  async abTestState(id: string): Promise<AbTestState> {
    try {
      return await this.client.workflow.getHandle(abTestWorkflowId(id)).query(abTestStateQuery);
    } catch (err) {
      throw fromTemporalError(err, `A/B test ${id}`);
    }
  }

  /** Ends a sequential A/B test now, with a decision. @throws ModelctlError REFUSED for a fixed-horizon test */
  async stopAbTest(id: string, request: AbTestControl): Promise<AbTestState> {
    return this.control(id, stopAbTestUpdate, 'stop', request);
  }

  /** Ends an A/B test now without a winner (ABORTED). */
  async abortAbTest(id: string, request: AbTestControl): Promise<AbTestState> {
    return this.control(id, abortAbTestUpdate, 'abort', request);
  }

  /**
   * Starts guardModel for a production version (workflow id `guard-<model>`); the input, policy included, is
   * validated first, so a bad policy starts nothing. @throws ModelctlError INVALID_INPUT, CONFLICT (a guard runs)
   */
  async startGuard(
    input: GuardInput,
    options: StartOptions = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId<WorkflowOf<typeof guardModelContract>>> {
    const parsed = parseInput(GuardInput, input, 'guard');
    if (parsed.carry !== undefined)
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        'invalid guard: carry: set by the guard itself, never by a caller',
      );
    return this.start(
      guardModelContract,
      guardWorkflowId(parsed.model),
      input,
      parsed.model,
      parsed.version,
      options,
      `guard of ${parsed.model}`,
    );
  }

  /** The state of the guard of `model` (running, or the last one). @throws ModelctlError NOT_FOUND */
  async guardState(model: string): Promise<GuardState> {
    try {
      return await this.client.workflow.getHandle(guardWorkflowId(model)).query(guardStateQuery);
    } catch (err) {
      throw fromTemporalError(err, `guard of ${model}`);
    }
  }

  /**
   * The guard of `model` (running or last run) with its state, after waiting up to `waitMs` for it to end.
   * @throws ModelctlError NOT_FOUND when none was ever started
   */
  async guardRun(model: string, waitMs = 0): Promise<WorkflowRunStatus<GuardState, GuardResult>> {
    return describeRun(this.client, guardWorkflowId(model), guardStateQuery, { waitMs, what: `guard of ${model}` });
  }

  /** Waits for the guard of `model` to end and returns its result. */
  async guardResult(model: string): Promise<GuardResult> {
    return this.wait(
      this.client.workflow.getHandle<WorkflowOf<typeof guardModelContract>>(guardWorkflowId(model)),
      `guard of ${model}`,
    );
  }

  /** Pauses, resumes, stops or acknowledges the guard of `model`; returns its state after. @throws ModelctlError REFUSED */
  async controlGuard(
    model: string,
    verb: 'pause' | 'resume' | 'stop' | 'acknowledge',
    request: GuardControl,
  ): Promise<GuardState> {
    const parsed = parseInput(GuardControl, request, `${verb} request`);
    const update = {
      pause: pauseGuardUpdate,
      resume: resumeGuardUpdate,
      stop: stopGuardUpdate,
      acknowledge: acknowledgeGuardUpdate,
    }[verb];
    return updateRunning(
      this.client.workflow.getHandle(guardWorkflowId(model)),
      update,
      parsed,
      `${verb} of the guard of ${model}`,
    );
  }

  private async control(
    id: string,
    update: typeof stopAbTestUpdate | typeof abortAbTestUpdate,
    verb: 'stop' | 'abort',
    request: AbTestControl,
  ): Promise<AbTestState> {
    const parsed = parseInput(AbTestControl, request, `${verb} request`);
    return updateRunning(
      this.client.workflow.getHandle(abTestWorkflowId(id)),
      update,
      parsed,
      `${verb} of A/B test ${id}`,
    );
  }
}

/** Whether the workflow with the handle's id is running (true), has ended (false) or never existed (null). */
async function workflowRunning(handle: WorkflowHandle): Promise<boolean | null> {
  try {
    return (await handle.describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/**
 * Sends an update to a running workflow. Temporal answers an update to a run that has ended and to one that never
 * existed with the same not-found status, so on not-found the run is described to tell the two apart: REFUSED
 * "it has already ended", or NOT_FOUND (`notStarted`'s error when given).
 * @throws ModelctlError REFUSED, NOT_FOUND, or the update's own failure mapped by {@link fromTemporalError}
 */
async function updateRunning<Ret, Arg>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  what: string,
  notStarted?: () => ModelctlError,
): Promise<Ret> {
  try {
    return await handle.executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw fromTemporalError(err, what);
    const running = await workflowRunning(handle);
    if (running === false)
      throw new ModelctlError(ErrorCode.REFUSED, `${what}: it has already ended`, undefined, { cause: err });
    if (running === null && notStarted !== undefined) throw notStarted();
    throw fromTemporalError(err, what);
  }
}
