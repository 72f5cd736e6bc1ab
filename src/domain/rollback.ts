import { z } from 'zod';
import { RegistryId } from './registry-identity';
import { Actor, ModelName } from './names';
import { SemVer } from './semver';
import type { ModelStatus } from './lifecycle';

/** Input of the rollback workflow (one JSON object). `toVersion` defaults to the previous production version. */
export const RollbackInput = z
  .object({
    model: ModelName,
    toVersion: SemVer.optional(),
    reason: z.string().trim().min(1, 'a rollback needs a reason').max(2000),
    actor: Actor,
    /** The registry this run belongs to (set by the client; see RegistryId). */
    registryId: RegistryId.optional(),
  })
  .strict();
export type RollbackInput = z.infer<typeof RollbackInput>;

/** Result of a completed rollback. */
export interface RollbackResult {
  model: string;
  /** The version now in production. */
  version: string;
  /** The version that was in production and is now DEPRECATED. */
  previousVersion: string | null;
  reason: string;
  actor: string;
  workflowId: string;
  /** Best-effort side effects (Git tags, W&B notes) that failed after their retries; the outcome stands. */
  warnings: string[];
}

/**
 * Why `target` cannot be the version `model` rolls back to, or null when it can: not the current production
 * version, and either DEPRECATED (it was in production) or VALIDATION (it passed validation).
 */
export function rollbackTargetRefusal(
  model: string,
  target: { version: string; status: ModelStatus },
  live: { version: string } | null,
): string | null {
  if (live !== null && live.version === target.version)
    return `cannot roll ${model} back to ${target.version}: it is the current production version`;
  if (target.status !== 'DEPRECATED' && target.status !== 'VALIDATION')
    return `cannot roll ${model} back to ${target.version}: it is ${target.status}; only versions that were in production or passed validation (DEPRECATED, VALIDATION) qualify`;
  return null;
}
