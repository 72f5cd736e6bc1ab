import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { isModelctlError } from '../domain/errors';
import { fromTemporalError } from './temporal-errors';

/** The longest a caller may wait on one run in one call (the HTTP API's `timeoutSeconds` bound). */
export const MAX_RUN_WAIT_MS = 60_000;

/** How a run ended badly: modelctl's error code and the one-line message the CLI prints. */
export interface RunFailure {
  code: string;
  message: string;
}

/** One run of a lifecycle workflow: Temporal's execution status, its query state, and its result or failure. */
export interface WorkflowRunStatus<S, R> {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT. */
  status: string;
  /** The workflow's status query, or null when it cannot answer (no worker polls the queue). */
  state: S | null;
  /** The result once COMPLETED, else null. */
  result: R | null;
  /** Why it ended otherwise (FAILED, CANCELLED, TERMINATED, TIMED_OUT), else null. */
  failure: RunFailure | null;
}

/** The outcome of waiting on a run for a bounded time. */
export type BoundedWait<R> = { ended: true; result: R } | { ended: false };

/**
 * Waits up to `waitMs` milliseconds (at most {@link MAX_RUN_WAIT_MS}) for the run of `handle` to end. The wait is
 * cancelled on the server when the time is up, so an abandoned wait does not keep a long poll open.
 * @returns `{ ended: true, result }`, or `{ ended: false }` when the time ran out first
 * @throws ModelctlError with the workflow's code (GATE_FAILED, REFUSED …) when the run failed
 */
export async function waitBounded<R>(
  client: Client,
  handle: WorkflowHandle,
  waitMs: number,
  what: string,
): Promise<BoundedWait<R>> {
  const signal = AbortSignal.timeout(Math.min(Math.max(waitMs, 1), MAX_RUN_WAIT_MS));
  try {
    const result = (await client.withAbortSignal(signal, () => handle.result())) as R;
    return { ended: true, result };
  } catch (err) {
    if (signal.aborted) return { ended: false };
    throw fromTemporalError(err, what);
  }
}

/**
 * The run of `workflowId` (its latest run), after waiting up to `waitMs` for it to end (0: no wait).
 * @throws ModelctlError NOT_FOUND when no such workflow was ever started
 */
export async function describeRun<S, R>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<S>,
  options: { waitMs?: number; what: string },
): Promise<WorkflowRunStatus<S, R>> {
  const handle = client.workflow.getHandle(workflowId);
  let result: R | null = null;
  let failure: RunFailure | null = null;
  let description: Awaited<ReturnType<typeof handle.describe>>;
  try {
    description = await handle.describe();
  } catch (err) {
    throw fromTemporalError(err, options.what);
  }
  const running = description.status.name === 'RUNNING';
  if (!running || (options.waitMs ?? 0) > 0) {
    try {
      const waited = await waitBounded<R>(
        client,
        handle,
        running ? (options.waitMs ?? 0) : MAX_RUN_WAIT_MS,
        options.what,
      );
      if (waited.ended) result = waited.result;
    } catch (err) {
      if (!isModelctlError(err)) throw err;
      failure = { code: err.code, message: err.message };
    }
    if (running) description = await handle.describe();
  }
  let state: S | null = null;
  try {
    state = await handle.query(query);
  } catch {
    // A query needs a worker to replay the run; without one the status still answers, with no state.
  }
  return {
    workflowId,
    runId: description.runId,
    status: description.status.name,
    state,
    result,
    failure,
  };
}
