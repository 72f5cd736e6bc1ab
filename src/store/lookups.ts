import { AbTestInput, type AbTestParsed } from '../domain/ab-test';
import { parseInput } from '../domain/errors';
import type { ModelVersion } from '../domain/model-version';
import { abTestNotFound, versionNotFound } from './not-found';
import type { AbTestRecord, RegistryStore } from './registry-store';

/** The version `model@version`. @throws ModelctlError NOT_FOUND {@link versionNotFound} */
export async function requireVersion(store: RegistryStore, model: string, version: string): Promise<ModelVersion> {
  const found = await store.getVersion(model, version);
  if (found === null) throw versionNotFound(model, version);
  return found;
}

/** The A/B test `id` as stored. @throws ModelctlError NOT_FOUND {@link abTestNotFound} */
export async function requireAbTestRecord(store: RegistryStore, id: string): Promise<AbTestRecord> {
  const test = await store.getAbTest(id);
  if (test === null) throw abTestNotFound(id);
  return test;
}

/**
 * The A/B test `id` with its stored definition parsed.
 * @throws ModelctlError NOT_FOUND {@link abTestNotFound}; INVALID_INPUT when the stored definition does not parse
 */
export async function requireAbTest(
  store: RegistryStore,
  id: string,
): Promise<{ test: AbTestRecord; definition: AbTestParsed }> {
  const test = await requireAbTestRecord(store, id);
  return { test, definition: parseInput(AbTestInput, test.definition, `stored definition of A/B test ${id}`) };
}
