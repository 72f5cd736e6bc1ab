import { z } from 'zod';
import { RegistryId } from './registry-identity';
import { Actor, AuditNote, ModelName } from './names';
import { SemVer } from './semver';
import { PromotionGates, type GateResult } from './gates';
import { DurationMs } from './duration';

/** What happens to a candidate that fails a gate or its artifact check. */
export const OnGateFailure = z.enum(['FAIL', 'KEEP'], {
  error: "must be 'FAIL' (move to FAILED) or 'KEEP' (stay in VALIDATION)",
});
export type OnGateFailure = z.infer<typeof OnGateFailure>;

/**
 * Input of the promoteModel workflow (one JSON object).
 * `requireApproval` holds the promotion until someone approves through the `approve` update or the timeout runs out.
 */
export const PromoteModelInput = z
  .object({
    model: ModelName,
    version: SemVer,
    gates: PromotionGates.default({ thresholds: [], notWorseThanProduction: [], lowerIsBetter: [], tolerance: 0 }),
    requireApproval: z
      .object({ timeout: DurationMs.default(24 * 3600 * 1000) })
      .strict()
      .optional(),
    /** Default FAIL: a candidate that fails a gate is marked FAILED, so it cannot be promoted by accident later. */
    onGateFailure: OnGateFailure.default('FAIL'),
    actor: Actor,
    reason: AuditNote.optional(),
    /**
     * Promote only if production is this version (null: the model has none); otherwise refused with CONFLICT and
     * nothing changed. The swap itself compares and swaps on it. An A/B test sets its control here.
     */
    expectedProduction: SemVer.nullable().optional(),
    /** The registry this run belongs to (set by the client; see RegistryId). */
    registryId: RegistryId.optional(),
  })
  .strict();
export type PromoteModelInput = z.input<typeof PromoteModelInput>;
export type PromoteModelParsed = z.output<typeof PromoteModelInput>;

/** Payload of the promoteModel `approve` update. */
export const ApprovalDecision = z
  .object({ approved: z.boolean(), approver: Actor, comment: AuditNote.optional() })
  .strict();
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** Steps of a promotion, as the `status` query reports them. */
export type PromotionStep =
  'STARTED' | 'VERIFYING_ARTIFACT' | 'EVALUATING_GATES' | 'AWAITING_APPROVAL' | 'SWAPPING' | 'COMPLETED' | 'REJECTED';

/** Result of a completed promotion. */
export interface PromotionResult {
  model: string;
  version: string;
  /** PROMOTED, or ALREADY_IN_PRODUCTION when the version was already live (nothing changed). */
  outcome: 'PROMOTED' | 'ALREADY_IN_PRODUCTION';
  previousVersion: string | null;
  gates: GateResult[];
  approvedBy: string | null;
  actor: string;
  reason: string | null;
  workflowId: string;
  /** Best-effort side effects (Git tags, W&B notes) that failed after their retries; the outcome stands. */
  warnings: string[];
}
