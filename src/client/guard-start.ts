import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import type { GuardInput } from '../domain/guard';
import { GuardPolicy } from '../domain/guard-policy';
import type { RegistryOperations } from './registry-operations';

/**
 * The guardModel input for `model`: `version` defaults to the current production version and `policy` to the
 * model's stored default; the policy is validated here, so a bad one is refused before anything starts.
 * @throws ModelctlError INVALID_INPUT (the policy, naming the field), NOT_FOUND (no policy given nor stored),
 *   REFUSED (no production version to guard)
 */
export async function guardInputFor(
  registry: Pick<RegistryOperations, 'guardPolicy' | 'production'>,
  request: { model: string; version?: string; policy?: unknown; actor: string },
): Promise<GuardInput> {
  let policy = request.policy;
  if (policy === undefined) {
    const stored = await registry.guardPolicy(request.model);
    if (stored === null)
      throw new ModelctlError(
        ErrorCode.NOT_FOUND,
        `no guard policy for ${request.model}: give one (--policy @policy.json) or store a default (modelctl guard policy set ${request.model} @policy.json)`,
      );
    policy = stored.policy;
  }
  parseInput(GuardPolicy, policy, 'guard policy');
  let version = request.version;
  if (version === undefined) {
    const production = await registry.production(request.model);
    if (production.version === null)
      throw new ModelctlError(ErrorCode.REFUSED, `cannot guard ${request.model}: it has no version in PRODUCTION`);
    version = production.version;
  }
  return { model: request.model, version, policy: policy as GuardPolicy, actor: request.actor };
}
