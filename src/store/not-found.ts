// The NOT_FOUND errors of the store's entities, one builder per entity so every lookup (in a transaction or through
// RegistryStore) gives the same message and details. The bottom of the store's module graph: it imports only domain.
import { ErrorCode, ModelctlError } from '../domain/errors';

/** `model version <model>@<version> does not exist`, details `{ model, version }`. */
export function versionNotFound(model: string, version: string): ModelctlError {
  return new ModelctlError(ErrorCode.NOT_FOUND, `model version ${model}@${version} does not exist`, {
    model,
    version,
  });
}

/** `A/B test <id> does not exist`, details `{ testId }`. */
export function abTestNotFound(id: string): ModelctlError {
  return new ModelctlError(ErrorCode.NOT_FOUND, `A/B test ${id} does not exist`, { testId: id });
}
