import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { causeChain, ErrorCode, ModelctlError } from '../domain/errors';

function applicationCause(err: unknown): ApplicationFailure | null {
  return causeChain(err, 6).find((e): e is ApplicationFailure => e instanceof ApplicationFailure) ?? null;
}

/**
 * Turns what the Temporal client throws into a ModelctlError a person can act on: a workflow's failure becomes
 * its ApplicationFailure's code and message (e.g. GATE_FAILED, REFUSED), a duplicate start becomes CONFLICT
 * naming the running workflow. Anything else is returned unchanged.
 */
export function fromTemporalError(err: unknown, what: string): unknown {
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new ModelctlError(
      ErrorCode.CONFLICT,
      `${what} refused: workflow ${err.workflowId} is already running; wait for it to end, or cancel it (temporal workflow cancel --workflow-id ${err.workflowId})`,
      { workflowId: err.workflowId },
      { cause: err },
    );
  }
  if (err instanceof ScheduleNotFoundError) {
    return new ModelctlError(ErrorCode.NOT_FOUND, `${what}: no schedule ${err.scheduleId}`, undefined, { cause: err });
  }
  if (err instanceof WorkflowNotFoundError) {
    return new ModelctlError(ErrorCode.NOT_FOUND, `${what}: no workflow ${err.workflowId}`, undefined, { cause: err });
  }
  if (err instanceof ScheduleAlreadyRunning) {
    return new ModelctlError(
      ErrorCode.CONFLICT,
      `${what} refused: schedule ${err.scheduleId} already exists`,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (err instanceof WorkflowFailedError || err instanceof WorkflowUpdateFailedError) {
    const cause = applicationCause(err);
    if (cause !== null) {
      const code = (Object.values(ErrorCode) as string[]).includes(cause.type ?? '')
        ? (cause.type as ErrorCode)
        : ErrorCode.REFUSED;
      return new ModelctlError(code, cause.message, undefined, { cause: err });
    }
    const message = err.cause instanceof Error ? err.cause.message : err.message;
    return new ModelctlError(ErrorCode.REFUSED, `${what} failed: ${message}`, undefined, { cause: err });
  }
  return err;
}
