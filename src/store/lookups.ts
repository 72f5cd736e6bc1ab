import { AbTestInput, type AbTestParsed } from '../domain/ab-test';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import type { ModelVersion } from '../domain/model-version';
import type { AbTestRecord, RegistryStore } from './registry-store';

/** The version `model@version`. @throws ModelctlError NOT_FOUND `model version <model>@<version> not found` */
export async function requireVersion(store: RegistryStore, model: string, version: string): Promise<ModelVersion> {
  const found = await store.getVersion(model, version);
  if (found === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `model version ${model}@${version} not found`);
  return found;
}

/**
 * The A/B test `id` with its stored definition parsed.
 * @throws ModelctlError NOT_FOUND `A/B test <id> not found`; INVALID_INPUT when the stored definition does not parse
 */
export async function requireAbTest(
  store: RegistryStore,
  id: string,
): Promise<{ test: AbTestRecord; definition: AbTestParsed }> {
  const test = await store.getAbTest(id);
  if (test === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `A/B test ${id} not found`);
  return { test, definition: parseInput(AbTestInput, test.definition, `stored definition of A/B test ${id}`) };
}
