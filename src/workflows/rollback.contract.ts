/**
 * The rollback workflow's contract: type name, input and result, its query, its workflow ids.
 * Free of workflow code, so the client, CLI, HTTP API and tests import it (see docs/architecture.md).
 */
import { defineQuery } from '@temporalio/workflow';
import type { RollbackInput, RollbackResult } from '../domain/rollback';
import { defineWorkflowContract } from './contract';

export { RollbackInput, type RollbackResult } from '../domain/rollback';

export const rollbackContract = defineWorkflowContract<RollbackInput, RollbackResult>()({
  workflowType: 'rollback',
  kind: 'rollback',
  history: 'rollback',
  summary: 'rollback: validate the target, verify its artifact, atomic production swap',
});

/** What the `status` query answers: the step, and the target once resolved. */
export interface RollbackStatus {
  step: string;
  target: string | null;
}

/** Query: where the rollback is. */
export const rollbackStatusQuery = defineQuery<RollbackStatus>('status');

const PREFIX = 'rollback-';

/** Workflow id of the rollback of `model`: one rollback per model at a time. */
export function rollbackWorkflowId(model: string): string {
  return `${PREFIX}${model}`;
}

/** The model a rollback workflow id names, or null for another id. */
export function modelOfRollbackWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : null;
}
