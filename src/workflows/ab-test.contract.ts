/**
 * The abTest workflow's contract: type name, input and result, its query and updates, and its id scheme (workflow
 * ids, the tracking experiment's id, schedule ids). Free of workflow code, so the client, CLI, HTTP API and tests
 * import it (see docs/architecture.md).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AbTestControl, AbTestInput, AbTestResult, AbTestState } from '../domain/ab-test';
import { defineWorkflowContract } from './contract';

export {
  AbTestControl,
  AbTestInput,
  type AbTestParsed,
  type AbTestResult,
  type AbTestState,
  type AbTestVerdict,
} from '../domain/ab-test';

export const abTestContract = defineWorkflowContract<AbTestInput, AbTestResult>()({
  workflowType: 'abTest',
  kind: 'abtest',
  history: 'ab-test',
  summary: 'timed A/B test: analysis, decision, optional promotion of the winner',
});

/** Query: the test's state (status, start, planned end, who asked to stop or abort). */
export const abTestStateQuery = defineQuery<AbTestState>('state');
/** Update: end the test now and decide, with always-valid p-values; only for tests started with `sequential: true`. */
export const stopAbTestUpdate = defineUpdate<AbTestState, [AbTestControl]>('stop');
/** Update: end the test now without a decision (status ABORTED). */
export const abortAbTestUpdate = defineUpdate<AbTestState, [AbTestControl]>('abort');

const PREFIX = 'abtest-';

/** Workflow id of A/B test `testId`: one workflow per test. */
export function abTestWorkflowId(testId: string): string {
  return `${PREFIX}${testId}`;
}

/**
 * The test id an abTest run uses when its input names none: its workflow id without the `abtest-` prefix. A run
 * started by a schedule has the workflow id `<scheduleId>-<start time>`, so each run gets a test id of its own.
 */
export function abTestIdOfWorkflowId(workflowId: string): string {
  return workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : workflowId;
}

/** The id of a test started without one: the model, the treatment and the start time to the second (UTC). */
export function defaultAbTestId(model: string, treatment: string, at: Date): string {
  return `${model}-${treatment}-${at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
}

/** Id of the experiment (type AB_TEST) that tracks A/B test `testId`. */
export function abTestExperimentId(testId: string): string {
  return `${PREFIX}${testId}`;
}

/**
 * Default id of a schedule of A/B tests: one schedule per model and pair of versions, so the same pair is never
 * tested twice at once. It is also the workflow id prefix of its runs.
 */
export function defaultScheduleId(model: string, control: string, treatment: string): string {
  return `${PREFIX}${model}-${control}-vs-${treatment}`;
}
