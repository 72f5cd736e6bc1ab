import { ErrorCode, ModelctlError } from '../domain/errors';
import type { ModelVersion } from '../domain/model-version';
import { rollbackTargetRefusal } from '../domain/rollback';
import type { RegistryStore } from './registry-store';

/**
 * The version `model` rolls back to (`toVersion`, default the previous production version from the audit events)
 * and the current production version, after the rules of rollbackTargetRefusal.
 * @throws ModelctlError REFUSED (no previous production version, or the target does not qualify), NOT_FOUND
 */
export async function resolveRollbackTarget(
  store: RegistryStore,
  model: string,
  toVersion: string | undefined,
): Promise<{ target: ModelVersion; current: ModelVersion | null }> {
  const live = await store.productionVersion(model);
  const targetVersion = toVersion ?? (await store.previousProductionVersion(model));
  if (targetVersion === null) {
    throw new ModelctlError(
      ErrorCode.REFUSED,
      `${model} has no previous production version to roll back to; name one with toVersion (modelctl rollback --to)`,
    );
  }
  const target = await store.getVersion(model, targetVersion);
  if (target === null)
    throw new ModelctlError(ErrorCode.NOT_FOUND, `cannot roll ${model} back to ${targetVersion}: no such version`);
  const refusal = rollbackTargetRefusal(model, target, live);
  if (refusal !== null) throw new ModelctlError(ErrorCode.REFUSED, refusal);
  return { target, current: live };
}
