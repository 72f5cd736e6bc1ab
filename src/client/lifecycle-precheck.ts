import { ErrorCode, ModelctlError } from '../domain/errors';
import type { PromoteModelInput } from '../domain/promotion';
import type { RollbackInput } from '../domain/rollback';
import { requireVersion } from '../store/lookups';
import type { RegistryStore } from '../store/registry-store';
import { resolveRollbackTarget } from '../store/rollback-target';

/**
 * What the promotion workflow would refuse at its first step, checked before it is started: with `--no-wait` the
 * caller would otherwise be told "started" and learn of the refusal only from the run. The workflow checks again
 * (the registry may change between this read and its start), so this is a courtesy, never the authority.
 * @throws ModelctlError NOT_FOUND (no such version), ILLEGAL_TRANSITION (a status a promotion cannot leave)
 */
export async function checkPromotable(store: RegistryStore, input: PromoteModelInput): Promise<void> {
  const candidate = await requireVersion(store, input.model, input.version);
  // TRAINING enters validation on the way; PRODUCTION is answered ALREADY_IN_PRODUCTION by the workflow.
  if (candidate.status === 'DEPRECATED' || candidate.status === 'FAILED') {
    throw new ModelctlError(
      ErrorCode.ILLEGAL_TRANSITION,
      `cannot promote ${input.model}@${input.version}: it is ${candidate.status}${candidate.status === 'DEPRECATED' ? ' (use rollback)' : ''}; nothing was started`,
      { model: input.model, version: input.version, status: candidate.status },
    );
  }
}

/**
 * The rollback's named target passes the workflow's own target rules (resolveRollbackTarget, the same messages),
 * checked before it is started (see {@link checkPromotable} for why). Without a named target the workflow finds it.
 * @throws ModelctlError NOT_FOUND (no such version), REFUSED (the target does not qualify)
 */
export async function checkRollbackTarget(store: RegistryStore, input: RollbackInput): Promise<void> {
  if (input.toVersion !== undefined) await resolveRollbackTarget(store, input.model, input.toVersion);
}
