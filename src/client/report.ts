import type { LifecycleEvent, ModelVersion } from '../domain/model-version';
import type { AbTestRecord, Experiment, RegistryStore } from '../store/registry-store';

/** Version of the report layout (docs/report-schema.md); bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

/** One lifecycle step of a version, as shown in history and reports. */
export type TimelineEntry = Omit<LifecycleEvent, 'id' | 'model' | 'version'>;

/** A version with its status timeline, oldest event first. */
export type VersionWithTimeline = ModelVersion & { timeline: TimelineEntry[] };

/** Result of ModelRegistry.history: every version of a model in semver order with its timeline. */
export interface ModelHistory {
  model: string;
  productionVersion: string | null;
  previousProductionVersion: string | null;
  versions: VersionWithTimeline[];
}

/** ModelRegistry.exportReport: the whole registry as one JSON document (docs/report-schema.md). */
export interface RegistryReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  generatedAt: string;
  models: ModelHistory[];
  experiments: Experiment[];
  abTests: AbTestRecord[];
}

function toTimeline(events: LifecycleEvent[]): TimelineEntry[] {
  return events.map(({ fromStatus, toStatus, via, actor, reason, workflowId, approval, at }) => ({
    fromStatus,
    toStatus,
    via,
    actor,
    reason,
    workflowId,
    approval,
    at,
  }));
}

/** Builds one model's history from the store. */
export async function modelHistory(store: RegistryStore, model: string): Promise<ModelHistory> {
  const [versions, events, production, previous] = await Promise.all([
    store.listVersions(model),
    store.events(model),
    store.productionVersion(model),
    store.previousProductionVersion(model),
  ]);
  const byVersion = new Map<string, LifecycleEvent[]>();
  for (const e of events) byVersion.set(e.version, [...(byVersion.get(e.version) ?? []), e]);
  return {
    model,
    productionVersion: production?.version ?? null,
    previousProductionVersion: previous,
    versions: versions.map((v) => ({ ...v, timeline: toTimeline(byVersion.get(v.version) ?? []) })),
  };
}

/** Builds the whole report. */
export async function buildReport(store: RegistryStore, generatedAt: string): Promise<RegistryReport> {
  const models = await store.listModels();
  const histories: ModelHistory[] = [];
  for (const m of models) histories.push(await modelHistory(store, m.name));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt,
    models: histories,
    experiments: await store.listExperiments(),
    abTests: await store.listAbTests(),
  };
}
