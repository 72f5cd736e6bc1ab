import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { fromTemporalError } from '../../../src/client/temporal-errors';
import { ModelctlError } from '../../../src/domain/errors';

/** The failure chain the Temporal client hands back for a workflow that failed on an activity (as decoded). */
function failedOn(activityType: string, cause: Error): WorkflowFailedError {
  const activity = new ActivityFailure(
    'Activity task failed',
    activityType,
    '1',
    'MAXIMUM_ATTEMPTS_REACHED',
    'w',
    cause,
  );
  return new WorkflowFailedError('Workflow execution failed', activity, 'NON_RETRYABLE_FAILURE');
}

function mapped(err: unknown): [string, string] {
  const out = fromTemporalError(err, 'promotion of zeta@1.0.0');
  expect(out).toBeInstanceOf(ModelctlError);
  return [(out as ModelctlError).code, (out as ModelctlError).message];
}

describe('fromTemporalError names the cause of a workflow failure, not the wrappers', () => {
  test('an activity that timed out: the activity and the timeout, not "Activity task failed"', () => {
    const timeout = new TimeoutFailure('activity StartToClose timeout', undefined, 'START_TO_CLOSE');
    expect(mapped(failedOn('getPromotionContext', timeout))).toEqual([
      'REFUSED',
      'promotion of zeta@1.0.0 failed: activity getPromotionContext failed: timed out (START_TO_CLOSE timeout)',
    ]);
  });

  test("an activity's ApplicationFailure keeps its code and message", () => {
    const notFound = ApplicationFailure.nonRetryable('model version zeta@1.0.0 not found', 'NOT_FOUND');
    expect(mapped(failedOn('getPromotionContext', notFound))).toEqual([
      'NOT_FOUND',
      'model version zeta@1.0.0 not found',
    ]);
  });

  test('a workflow failure with no cause: its own message', () => {
    expect(
      mapped(new WorkflowFailedError('Workflow execution terminated', undefined, 'NON_RETRYABLE_FAILURE')),
    ).toEqual(['REFUSED', 'promotion of zeta@1.0.0 failed: Workflow execution terminated']);
  });
});
