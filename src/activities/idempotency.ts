import { Context } from '@temporalio/activity';

/**
 * The idempotency key of the running activity: workflow id, run id and activity id. A retry of the same
 * activity (after a worker crash or a timeout) has the same key, so the store returns the first result;
 * a later run of the same workflow id (the next promotion of a model) has a new run id and a new key.
 */
export function activityIdempotencyKey(): string {
  const { workflowExecution, activityId } = Context.current().info;
  // Standalone activities (no workflow) have no execution: their id alone is the key.
  return workflowExecution
    ? `${workflowExecution.workflowId}/${workflowExecution.runId}/${activityId}`
    : `activity/${activityId}`;
}
