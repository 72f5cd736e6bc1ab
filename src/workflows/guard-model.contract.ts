/**
 * The guardModel workflow's contract: type name, input and result, its query and updates, its ids. Free of workflow
 * code, so the client, CLI, HTTP API and tests import it (see docs/architecture.md).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GuardControl, GuardInput, GuardResult, GuardState } from '../domain/guard';
import { defineWorkflowContract } from './contract';

export {
  GuardControl,
  GuardInput,
  type GuardParsed,
  type GuardResult,
  type GuardState,
  type GuardCheck,
  type GuardAlert,
} from '../domain/guard';

export const guardModelContract = defineWorkflowContract<GuardInput, GuardResult>()({
  workflowType: 'guardModel',
  kind: 'guard',
  history: 'guard-model',
  summary: 'guard a production version: periodic checks of its observations, rollback on a regression',
});

/** Query: the guard's state with its recent checks and alerts. */
export const guardStateQuery = defineQuery<GuardState>('state');
/** Update: suspend the checks (status PAUSED) until resumed. */
export const pauseGuardUpdate = defineUpdate<GuardState, [GuardControl]>('pause');
/** Update: resume a paused guard. */
export const resumeGuardUpdate = defineUpdate<GuardState, [GuardControl]>('resume');
/** Update: end the guard now (status STOPPED), with no action. */
export const stopGuardUpdate = defineUpdate<GuardState, [GuardControl]>('stop');
/** Update: acknowledge every alert raised so far (names who did). */
export const acknowledgeGuardUpdate = defineUpdate<GuardState, [GuardControl]>('acknowledge');

const PREFIX = 'guard-';

/** Workflow id of the guard of `model`: one guard per model at a time. */
export function guardWorkflowId(model: string): string {
  return `${PREFIX}${model}`;
}

/** The id a guard's record, checks and alerts are stored under: one per guard, kept across continueAsNew. */
export function guardRecordId(model: string, version: string, firstRunId: string): string {
  return `${PREFIX}${model}-${version}-${firstRunId.slice(0, 8)}`;
}

/** Id of the TRAINING experiment a guard with action `retrain` opens. */
export function retrainExperimentId(guardId: string): string {
  return `retrain-${guardId}`;
}
