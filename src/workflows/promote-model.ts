import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { ErrorCode } from '../domain/errors';
import {
  ApprovalDecision,
  approveUpdate,
  PromoteModelInput,
  promoteModelContract,
  promotionStatusQuery,
  type PromotionResult,
  type PromotionStatus,
} from './promote-model.contract';
import { evaluateGates, gateMetrics } from '../domain/gates';
import { parseWorkflowInput, refuse } from './workflow-errors';
import { artifacts, registry } from './activity-options';
import { tagRun } from './search-attributes';
import { mirrorToWandb, tagLifecycle } from './side-effects';

/**
 * Promotes a model version to production:
 * verify artifact → gates → optional approval → atomic swap (candidate PRODUCTION, previous DEPRECATED).
 * A failed artifact check or gate marks the candidate FAILED (or leaves its status with onGateFailure KEEP) and
 * fails the workflow, the message saying where the candidate was left: type CHECKSUM_MISMATCH for the artifact
 * (the integrity exit code, 6), GATE_FAILED naming each failed gate. No approval before the timeout:
 * APPROVAL_TIMEOUT, candidate left in VALIDATION. Rejected: APPROVAL_REJECTED, candidate left in VALIDATION.
 */
export async function promoteModel(rawInput: PromoteModelInput): Promise<PromotionResult> {
  const input = parseWorkflowInput(PromoteModelInput, rawInput, 'promoteModel input');
  const { workflowId } = workflowInfo();
  tagRun(promoteModelContract.kind, input.model, input.version);
  // Everything the handlers read or change, in one object: the code after each `await` reads it afresh.
  const run: PromotionStatus & { approval: ApprovalDecision | null } = {
    step: 'STARTED',
    approvalDeadline: null,
    approval: null,
  };

  setHandler(promotionStatusQuery, () => ({ step: run.step, approvalDeadline: run.approvalDeadline }));
  setHandler(
    approveUpdate,
    (decision) => {
      run.approval = decision;
      return { accepted: true };
    },
    {
      validator: (decision) => {
        ApprovalDecision.parse(decision);
        if (run.step !== 'AWAITING_APPROVAL') throw new Error(`promotion is not awaiting approval (step ${run.step})`);
      },
    },
  );

  const { candidate, production } = await registry.getPromotionContext({ model: input.model, version: input.version });
  if (candidate.status === 'PRODUCTION') {
    run.step = 'COMPLETED';
    return {
      model: input.model,
      version: input.version,
      outcome: 'ALREADY_IN_PRODUCTION',
      previousVersion: null,
      gates: [],
      approvedBy: null,
      actor: input.actor,
      reason: input.reason ?? null,
      workflowId,
      warnings: [],
    };
  }
  // A caller that decided against a given production (an A/B test against its control) replaces nothing else.
  const live = production?.version ?? null;
  if (input.expectedProduction !== undefined && live !== input.expectedProduction) {
    refuse(
      ErrorCode.CONFLICT,
      `promotion of ${input.model}@${input.version} refused: production of ${input.model} is ${live ?? 'none'}, not ${input.expectedProduction ?? 'none'} as expected; nothing changed`,
      { production: live, expectedProduction: input.expectedProduction },
    );
  }
  if (candidate.status === 'TRAINING') {
    await registry.setStatus({
      model: input.model,
      version: input.version,
      to: 'VALIDATION',
      actor: input.actor,
      reason: 'entered validation for promotion',
      workflowId,
    });
  } else if (candidate.status !== 'VALIDATION') {
    refuse(
      ErrorCode.ILLEGAL_TRANSITION,
      `cannot promote ${input.model}@${input.version}: it is ${candidate.status}${candidate.status === 'DEPRECATED' ? ' (use rollback)' : ''}`,
    );
  }

  // A gate on a metric the candidate never had is almost always a typo: refuse before any state changes,
  // rather than failing a good version.
  const unknown = gateMetrics(input.gates).filter((m) => !Object.hasOwn(candidate.metrics, m));
  if (unknown.length > 0) {
    const known = Object.keys(candidate.metrics).sort();
    refuse(
      ErrorCode.INVALID_INPUT,
      `promotion of ${input.model}@${input.version} refused: the gates name ${unknown.map((m) => `'${m}'`).join(', ')}, which ${input.model}@${input.version} does not have (its metrics: ${known.length > 0 ? known.join(', ') : 'none'}); nothing changed`,
    );
  }

  // The message says where the candidate was left, so nobody has to look it up before retrying.
  const reject = async (code: ErrorCode, why: string): Promise<never> => {
    run.step = 'REJECTED';
    const ref = `${input.model}@${input.version}`;
    if (input.onGateFailure === 'FAIL') {
      await registry.setStatus({
        model: input.model,
        version: input.version,
        to: 'FAILED',
        actor: input.actor,
        reason: why,
        workflowId,
      });
    }
    const left = input.onGateFailure === 'FAIL' ? `${ref} moved to FAILED` : `${ref} stays in ${candidate.status}`;
    return refuse(code, `promotion of ${ref} rejected: ${why}; ${left}`);
  };

  run.step = 'VERIFYING_ARTIFACT';
  const check = await artifacts.verifyArtifact({ model: input.model, version: input.version });
  // An integrity failure, not a gate: it exits with the integrity code.
  if (!check.ok) await reject(ErrorCode.CHECKSUM_MISMATCH, `artifact check failed: ${check.reason}`);

  run.step = 'EVALUATING_GATES';
  const gates = evaluateGates(
    input.gates,
    candidate.metrics,
    production === null ? null : { version: production.version, metrics: production.metrics },
  );
  const failed = gates.filter((g) => !g.passed);
  if (failed.length > 0)
    await reject(
      ErrorCode.GATE_FAILED,
      `failed gate${failed.length > 1 ? 's' : ''}: ${failed.map((g) => `${g.gate} (${g.detail})`).join('; ')}`,
    );

  if (input.requireApproval) {
    run.step = 'AWAITING_APPROVAL';
    run.approvalDeadline = new Date(Date.now() + input.requireApproval.timeout).toISOString();
    const decided = await condition(() => run.approval !== null, input.requireApproval.timeout);
    if (!decided) {
      run.step = 'REJECTED';
      refuse(
        ErrorCode.APPROVAL_TIMEOUT,
        `promotion of ${input.model}@${input.version} was not approved before ${run.approvalDeadline}; it stays in VALIDATION`,
      );
    }
    const decision = run.approval;
    if (decision !== null && !decision.approved) {
      run.step = 'REJECTED';
      refuse(
        ErrorCode.APPROVAL_REJECTED,
        `promotion of ${input.model}@${input.version} rejected by ${decision.approver}${decision.comment ? `: ${decision.comment}` : ''}; it stays in VALIDATION`,
      );
    }
  }

  run.step = 'SWAPPING';
  const approvedBy = run.approval?.approver ?? null;
  const swap = await registry.swapProduction({
    model: input.model,
    version: input.version,
    via: 'PROMOTION',
    actor: input.actor,
    reason: input.reason ?? (approvedBy ? `approved by ${approvedBy}` : null),
    workflowId,
    // The gates compared against this production; a rollback or promotion that swapped meanwhile makes it refuse.
    expectedProduction: production?.version ?? null,
    // The audit event carries the approval itself, not only the result of this run.
    ...(run.approval !== null
      ? { approval: { approver: run.approval.approver, comment: run.approval.comment ?? null } }
      : {}),
  });
  const warnings: string[] = [];
  await tagLifecycle(input.model, warnings);
  await mirrorToWandb(
    {
      kind: 'promotion',
      model: input.model,
      version: input.version,
      previousVersion: swap.previousVersion,
      actor: input.actor,
      reason: input.reason ?? null,
      workflowId,
    },
    warnings,
  );
  run.step = 'COMPLETED';
  return {
    model: input.model,
    version: input.version,
    outcome: 'PROMOTED',
    previousVersion: swap.previousVersion,
    gates,
    approvedBy,
    actor: input.actor,
    reason: input.reason ?? null,
    workflowId,
    warnings,
  };
}
