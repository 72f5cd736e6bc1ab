import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { causeChain, ErrorCode, ModelctlError } from '../domain/errors';

function applicationCause(err: unknown): ApplicationFailure | null {
  return causeChain(err, 6).find((e): e is ApplicationFailure => e instanceof ApplicationFailure) ?? null;
}

/**
 * Why a workflow failed without an ApplicationFailure (an activity that timed out, a terminated run): the innermost
 * cause, and the activity it came from, rather than the wrappers' own "Activity task failed".
 */
function failureCause(err: Error): string {
  const chain = causeChain(err, 8);
  const activity = chain.find((e): e is ActivityFailure => e instanceof ActivityFailure);
  const inner = chain.at(-1)!;
  const why =
    inner instanceof TimeoutFailure
      ? `timed out (${inner.timeoutType ?? 'unknown'} timeout)`
      : inner === err && err.cause === undefined
        ? err.message
        : inner.message;
  return activity === undefined ? why : `activity ${activity.activityType ?? '(unknown)'} failed: ${why}`;
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
    return new ModelctlError(ErrorCode.REFUSED, `${what} failed: ${failureCause(err)}`, undefined, { cause: err });
  }
  return err;
}
