/**
 * The promoteModel workflow's contract: type name, input and result, its query and update, its workflow ids.
 * Free of workflow code, so the client, CLI, HTTP API and tests import it (see docs/architecture.md).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, PromoteModelInput, PromotionResult, PromotionStep } from '../domain/promotion';
import { defineWorkflowContract } from './contract';

export {
  ApprovalDecision,
  PromoteModelInput,
  type PromoteModelParsed,
  type PromotionResult,
  type PromotionStep,
} from '../domain/promotion';

export const promoteModelContract = defineWorkflowContract<PromoteModelInput, PromotionResult>()({
  workflowType: 'promoteModel',
  kind: 'promote',
  history: 'promote-model',
  summary: 'promotion: artifact check, gates, optional approval, atomic production swap',
});

/** What the `status` query answers: the step, and until when an approval is awaited. */
export interface PromotionStatus {
  step: PromotionStep;
  approvalDeadline: string | null;
}

/** Query: where the promotion is. */
export const promotionStatusQuery = defineQuery<PromotionStatus>('status');
/** Update: approve or reject a promotion waiting for approval; returns the step after the decision. */
export const approveUpdate = defineUpdate<{ accepted: boolean }, [ApprovalDecision]>('approve');

const PREFIX = 'promote-';

/** Workflow id of the promotion of `model`: one promotion per model at a time. */
export function promotionWorkflowId(model: string): string {
  return `${PREFIX}${model}`;
}

/** The model a promotion workflow id names, or null for another id. */
export function modelOfPromotionWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : null;
}
