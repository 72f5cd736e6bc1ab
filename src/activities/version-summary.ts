import type { ModelVersion } from '../domain/model-version';
import type { RegistryStore } from '../store/registry-store';
import type { VersionSummary } from './types';

/** The part of `v` a workflow decides on, with whether it was ever in production (from its events). */
export async function summarize(store: RegistryStore, v: ModelVersion): Promise<VersionSummary> {
  const events = await store.events(v.model, v.version);
  return {
    model: v.model,
    version: v.version,
    status: v.status,
    metrics: v.metrics,
    artifact: v.artifact,
    wasInProduction: events.some((e) => e.toStatus === 'PRODUCTION'),
  };
}
