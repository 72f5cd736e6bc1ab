import { z } from 'zod';
import { Actor, ModelName } from './names';
import { SemVer } from './semver';

/** Input of the rollback workflow (one JSON object). `toVersion` defaults to the previous production version. */
export const RollbackInput = z
  .object({
    model: ModelName,
    toVersion: SemVer.optional(),
    reason: z.string().trim().min(1, 'a rollback needs a reason').max(2000),
    actor: Actor,
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
