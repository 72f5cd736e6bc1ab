import { setHandler, workflowInfo } from '@temporalio/workflow';
import { ErrorCode } from '../domain/errors';
import {
  RollbackInput,
  rollbackContract,
  rollbackStatusQuery,
  type RollbackResult,
  type RollbackStatus,
} from './rollback.contract';
import { parseWorkflowInput, refuse } from './workflow-errors';
import { artifacts, registry } from './activity-options';
import { tagRun } from './search-attributes';
import { mirrorToWandb, tagLifecycle } from './side-effects';

/**
 * Rolls a model back to an earlier version: resolve the target (default: the previous production version from the
 * audit events) → validate it (exists, was in production or passed validation, not the current one, artifact present
 * with matching size and sha256) → atomic swap with reason and actor. A failed validation fails the workflow with
 * type REFUSED or ARTIFACT_INVALID and leaves production unchanged.
 */
export async function rollback(rawInput: RollbackInput): Promise<RollbackResult> {
  const input = parseWorkflowInput(RollbackInput, rawInput, 'rollback input');
  const { workflowId } = workflowInfo();
  tagRun(rollbackContract.kind, input.model, input.toVersion ?? null);
  // What the status query reads, in one object.
  const run: RollbackStatus = { step: 'RESOLVING_TARGET', target: null };
  setHandler(rollbackStatusQuery, () => ({ step: run.step, target: run.target }));

  const { target, current } = await registry.resolveRollbackTarget({ model: input.model, toVersion: input.toVersion });
  run.target = target.version;

  run.step = 'VERIFYING_ARTIFACT';
  const check = await artifacts.verifyArtifact({ model: input.model, version: target.version });
  if (!check.ok) {
    refuse(
      ErrorCode.ARTIFACT_INVALID,
      `cannot roll ${input.model} back to ${target.version}: ${check.reason}; production is unchanged${current ? ` (${current.version})` : ''}`,
    );
  }

  run.step = 'SWAPPING';
  // A DEPRECATED target goes back by rollback; a version that passed validation but never went live is promoted.
  const swap = await registry.swapProduction({
    model: input.model,
    version: target.version,
    via: target.status === 'DEPRECATED' ? 'ROLLBACK' : 'PROMOTION',
    actor: input.actor,
    reason: `rollback: ${input.reason}`,
    workflowId,
    // The target was chosen against this production; a promotion that swapped meanwhile makes the swap refuse.
    expectedProduction: current?.version ?? null,
  });
  const warnings: string[] = [];
  await tagLifecycle(input.model, warnings);
  await mirrorToWandb(
    {
      kind: 'rollback',
      model: input.model,
      version: swap.version,
      previousVersion: swap.previousVersion,
      actor: input.actor,
      reason: input.reason,
      workflowId,
    },
    warnings,
  );
  run.step = 'COMPLETED';
  return {
    model: input.model,
    version: swap.version,
    previousVersion: swap.previousVersion,
    reason: input.reason,
    actor: input.actor,
    workflowId,
    warnings,
  };
}
