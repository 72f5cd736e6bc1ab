import type { ExperimentStatus, ExperimentType, MetricPoint } from '../domain/experiment';
import type { JsonObject, JsonValue, MetricMap } from '../domain/json';
import type { ModelStatus, TransitionVia } from '../domain/lifecycle';
import type { ArtifactRef, GitInfo, LifecycleEvent, ModelVersion } from '../domain/model-version';
import type { VersionBump } from '../domain/semver';
import type { TrafficSplit } from '../domain/traffic-split';

/** What the store needs to create a version; the artifact is already stored and verified. */
export interface NewVersion {
  model: string;
  /** Explicit version, or undefined to apply `bump` to the highest existing one (1.0.0 for a new model). */
  version?: string;
  bump?: VersionBump;
  parentVersion?: string | null;
  artifact: ArtifactRef;
  config: JsonObject;
  metrics: MetricMap;
  experimentId?: string | null;
  git: GitInfo | null;
  gitReason: string | null;
  author: string;
  description?: string | null;
  /** Activities pass workflowId+activityId: a retried call returns the version created the first time. */
  idempotencyKey?: string;
}

/** A status change of one version. */
export interface TransitionRequest {
  model: string;
  version: string;
  to: ModelStatus;
  actor: string;
  reason?: string | null;
  workflowId?: string | null;
  idempotencyKey?: string;
}

/** The atomic production swap of a promotion or rollback. */
export interface SwapRequest {
  model: string;
  version: string;
  via: Exclude<TransitionVia, 'DIRECT'>;
  actor: string;
  reason?: string | null;
  workflowId?: string | null;
  idempotencyKey?: string;
}

export interface SwapResult {
  model: string;
  /** The version now in PRODUCTION. */
  version: string;
  /** The version that was in PRODUCTION before and is now DEPRECATED, if any. */
  previousVersion: string | null;
  events: LifecycleEvent[];
}

export interface Experiment {
  id: string;
  name: string;
  type: ExperimentType;
  status: ExperimentStatus;
  description: string | null;
  config: JsonObject;
  tags: string[];
  summary: Record<string, number>;
  startedAt: string;
  endedAt: string | null;
  /** Seconds between start and end; null while running. */
  durationSeconds: number | null;
  externalIds: Record<string, string>;
  linkedVersions: { model: string; version: string }[];
  warnings: string[];
}

export interface AbTestRecord {
  id: string;
  name: string;
  model: string;
  control: string;
  treatment: string;
  split: TrafficSplit;
  /** Salt of the assignment hash: the test id unless given. */
  salt: string;
  definition: JsonObject;
  status: 'SCHEDULED' | 'RUNNING' | 'COMPLETED' | 'STOPPED' | 'ABORTED';
  result: JsonValue | null;
  workflowId: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** Per-arm sufficient statistics of one metric: units, sum of values, sum of squared values. */
export interface ArmAggregate {
  units: number;
  sum: number;
  sumSquares: number;
}

/**
 * The registry's state (DESIGN.md §3). One implementation on Kysely serves SQLite and PostgreSQL.
 * Every method validates its input, throws ModelctlError with a code, and leaves the store unchanged on failure.
 */
export interface RegistryStore {
  createVersion(input: NewVersion): Promise<ModelVersion>;
  getVersion(model: string, version: string): Promise<ModelVersion | null>;
  /** All versions of a model in ascending semver precedence. */
  listVersions(model: string): Promise<ModelVersion[]>;
  transition(request: TransitionRequest): Promise<LifecycleEvent>;
  swapProduction(request: SwapRequest): Promise<SwapResult>;
  productionVersion(model: string): Promise<ModelVersion | null>;
  /** Which version was in PRODUCTION at `at` (ISO 8601), from the events. */
  productionAt(model: string, at: string): Promise<string | null>;
  /** The most recent version that was PRODUCTION before the current one (the default rollback target). */
  previousProductionVersion(model: string): Promise<string | null>;
  events(model: string, version?: string): Promise<LifecycleEvent[]>;
  deleteVersion(model: string, version: string): Promise<void>;

  createExperiment(input: { name: string; type: ExperimentType; config?: JsonObject; description?: string; tags?: string[]; id?: string }): Promise<Experiment>;
  getExperiment(id: string): Promise<Experiment | null>;
  logMetrics(experimentId: string, points: MetricPoint[]): Promise<number>;

  createAbTest(input: Omit<AbTestRecord, 'status' | 'result' | 'createdAt' | 'startedAt' | 'endedAt' | 'workflowId'> & { workflowId?: string }): Promise<AbTestRecord>;
  getAbTest(id: string): Promise<AbTestRecord | null>;
  listAbTests(filter?: { model?: string; status?: AbTestRecord['status'] }): Promise<AbTestRecord[]>;
  updateAbTest(id: string, patch: Partial<Pick<AbTestRecord, 'status' | 'result' | 'startedAt' | 'endedAt' | 'workflowId'>>): Promise<AbTestRecord>;
  /** Records one outcome per unit (a later value for the same unit replaces it: idempotent ingestion). */
  recordOutcomes(testId: string, outcomes: { unitId: string; arm: 'control' | 'treatment'; value: number }[]): Promise<number>;
  aggregateOutcomes(testId: string): Promise<{ control: ArmAggregate; treatment: ArmAggregate }>;

  close(): Promise<void>;
}
