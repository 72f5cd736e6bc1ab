import type { ApiTokenRecord, NewApiToken } from '../domain/api-token';
import type { ArmAggregate } from '../domain/ab-test';
import type { CreateExperimentInput, MetricPoint, MetricPointInput, UpdateExperimentInput } from '../domain/experiment';
import type { JsonObject, MetricMap } from '../domain/json';
import type { InitialStatus, ModelStatus, TransitionVia } from '../domain/lifecycle';
import type { ArtifactRef, GitInfo, LifecycleApproval, LifecycleEvent, ModelVersion } from '../domain/model-version';
import type { VersionBump } from '../domain/semver';
import type { Experiment } from '../domain/experiment';
import type { AbTestRecord } from '../domain/ab-test';
import type { GuardEventRecord, GuardRecord, NewGuard, StoredGuardPolicy, WebhookAttemptRecord } from '../domain/guard';
import type { ObservationAggregate, ObservationInput, ObservationQuery } from '../domain/observation';
import type { AttachEvaluationInput, EvaluationSeries, EvaluationSummary } from '../domain/evaluation';

/** Entities of the domain, re-exported where the store's callers have always found them. */
export type { Experiment, AbTestRecord };

/** What the store needs to create a version; the artifact is already stored and verified. */
export interface NewVersion {
  model: string;
  /** Explicit version, or undefined to apply `bump` to the highest existing one (1.0.0 for a new model). */
  version?: string;
  bump?: VersionBump;
  /** Must name an existing version of the same model. */
  parentVersion?: string | null;
  /** Status the version starts in; VALIDATION unless given. Registration appends the first event (from null). */
  status?: InitialStatus;
  artifact: ArtifactRef;
  config: JsonObject;
  metrics: MetricMap;
  /** Must name an existing experiment; the version is linked to it. */
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
  /**
   * Compare-and-swap: the version the caller saw in PRODUCTION (null: none). When given and production differs
   * inside the swap's transaction, nothing changes and the swap fails with CONFLICT naming the workflow that moved
   * it; this is what serializes a promotion and a rollback of one model that run at the same time.
   */
  expectedProduction?: string | null;
  /** The approval the promotion waited for, recorded on both events of the swap. */
  approval?: LifecycleApproval | null;
}

export interface SwapResult {
  model: string;
  /** The version now in PRODUCTION. */
  version: string;
  /** The version that was in PRODUCTION before and is now DEPRECATED, if any. */
  previousVersion: string | null;
  events: LifecycleEvent[];
}

/** A model: the row versions hang from, created by its first registration. */
export interface ModelSummary {
  name: string;
  description: string | null;
  tags: string[];
  createdAt: string;
}

/** One page of a metric series in (step, timestamp) order; pass `nextCursor` as `after` for the next page. */
/** A downsampled read of one series: at most `maxPoints` points, optionally of an inclusive step window. */
export interface DownsampleQuery {
  experimentId: string;
  key: string;
  maxPoints: number;
  stepFrom?: number;
  stepTo?: number;
}

export interface MetricPage {
  points: MetricPoint[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export type { ArmAggregate } from '../domain/ab-test';

/**
 * The registry's state (docs/architecture.md, "Domain"). One implementation on Kysely serves SQLite and PostgreSQL (src/store/sql-registry-store.ts).
 * Every method validates its input with zod (INVALID_INPUT naming the field), throws ModelctlError with a code, and
 * leaves the store unchanged on failure. Timestamps are UTC ISO 8601 strings. Writes that take an `idempotencyKey`
 * return the first call's result when retried with the same key.
 */
/** A version as a metric's trend needs it (RegistryStore.listVersionSummaries). */
export type VersionSummary = Pick<
  ModelVersion,
  'model' | 'version' | 'parentVersion' | 'status' | 'metrics' | 'createdAt'
>;

export interface RegistryStore {
  /**
   * The registry's identity: a UUID made when the registry was created, the same for every process that opens the
   * same database, different for every other registry.
   */
  registryId(): Promise<string>;
  /**
   * Creates a version: the explicit `version`, or `bump` of the highest existing one (1.0.0 for a new model).
   * Concurrent callers, in this or other processes, get distinct versions.
   * @throws ALREADY_EXISTS (explicit version taken), NOT_FOUND (parent version or experiment), INVALID_INPUT
   */
  createVersion(input: NewVersion): Promise<ModelVersion>;
  getVersion(model: string, version: string): Promise<ModelVersion | null>;
  /** All versions of a model in ascending semver precedence. */
  listVersions(model: string): Promise<ModelVersion[]>;
  /**
   * All versions of a model in ascending semver precedence, only the fields a metric's trend reads: listVersions
   * without the artifact, config and git columns (at 10,000 versions, decoding those was most of the trend's time).
   */
  listVersionSummaries(model: string): Promise<VersionSummary[]>;
  /** One page of a model's versions in semver order after the version `after` (exclusive), with whether more follow. */
  versionsPage(
    model: string,
    page: { after?: string; limit: number },
  ): Promise<{ items: ModelVersion[]; more: boolean }>;
  /** All models, by name. */
  listModels(): Promise<ModelSummary[]>;
  /**
   * A DIRECT status change, checked against the lifecycle table (PRODUCTION is reachable only by {@link swapProduction}).
   * @throws NOT_FOUND, ILLEGAL_TRANSITION naming from, to and the allowed targets
   */
  transition(request: TransitionRequest): Promise<LifecycleEvent>;
  /**
   * In one transaction: the candidate → PRODUCTION (via PROMOTION from VALIDATION, via ROLLBACK from DEPRECATED), the
   * current production version → DEPRECATED; both events appended; promotedAt / deprecatedAt set.
   * @throws NOT_FOUND, ILLEGAL_TRANSITION (including a candidate already in production), CONFLICT when
   *   `expectedProduction` is given and is not the current production version
   */
  swapProduction(request: SwapRequest): Promise<SwapResult>;
  productionVersion(model: string): Promise<ModelVersion | null>;
  /** Which version was in PRODUCTION at `at` (ISO 8601), from the events; null when none was. */
  productionAt(model: string, at: string): Promise<string | null>;
  /** The most recent version, other than the current one, that was PRODUCTION and still exists (the default rollback target). */
  previousProductionVersion(model: string): Promise<string | null>;
  /** Lifecycle events of a model (or one version), oldest first. */
  events(model: string, version?: string): Promise<LifecycleEvent[]>;
  /**
   * One page of a model's events, oldest first, after the event with id `afterId` (exclusive; an id that is not one
   * of the model's gives an empty page), with whether more follow.
   */
  eventsPage(
    model: string,
    page: { afterId?: number; limit: number },
  ): Promise<{ items: LifecycleEvent[]; more: boolean }>;
  /**
   * The events that moved a model's versions into or out of PRODUCTION, oldest first, starting at its `recent`-th
   * most recent entry into PRODUCTION (all of them when it has fewer), and how many entries it has in all.
   */
  productionMoves(model: string, recent: number): Promise<{ events: LifecycleEvent[]; entries: number }>;
  /**
   * A model's most recent event (null when it has none) and, oldest first, its latest entry into PRODUCTION with the
   * exits from PRODUCTION after it (empty when no version ever entered): the current stint without the history.
   */
  latestMoves(model: string): Promise<{ last: LifecycleEvent | null; sinceLastEntry: LifecycleEvent[] }>;
  /**
   * Deletes a version and its experiment links; its audit events stay.
   * @throws NOT_FOUND, REFUSED when it is PRODUCTION or the rollback target ({@link previousProductionVersion})
   */
  deleteVersion(model: string, version: string): Promise<void>;

  /** @throws ALREADY_EXISTS when `id` is given and taken */
  createExperiment(input: CreateExperimentInput): Promise<Experiment>;
  getExperiment(id: string): Promise<Experiment | null>;
  /** All experiments, oldest first. */
  listExperiments(): Promise<Experiment[]>;
  /**
   * Updates an experiment (see UpdateExperimentInput for replace/merge rules). A terminal status sets endedAt
   * (default now) and so the duration; an ended experiment's status cannot change again.
   * @throws NOT_FOUND, ILLEGAL_TRANSITION (status of an ended experiment), INVALID_INPUT (endedAt before startedAt)
   */
  updateExperiment(id: string, patch: UpdateExperimentInput): Promise<Experiment>;
  /** Links an existing model version to an experiment (idempotent). @throws NOT_FOUND */
  linkVersion(experimentId: string, ref: { model: string; version: string }): Promise<void>;
  /**
   * Appends metric points in one transaction (written in chunks); returns how many were stored.
   * Non-finite values reject the whole batch, naming the key and step. Only a RUNNING experiment takes points.
   * @throws NOT_FOUND, INVALID_INPUT, REFUSED (the experiment has ended)
   */
  logMetrics(experimentId: string, points: MetricPointInput[], options?: { idempotencyKey?: string }): Promise<number>;
  /** Metric keys of an experiment, sorted. */
  metricKeys(experimentId: string): Promise<string[]>;
  /** One page of a series in (step, timestamp, insertion) order. @throws INVALID_INPUT for a malformed cursor */
  metricHistory(query: { experimentId: string; key: string; after?: string; limit?: number }): Promise<MetricPage>;
  /**
   * At most `maxPoints` points of a series chosen by Largest-Triangle-Three-Buckets over (step, value): the first and
   * last points are always kept, and the same data gives the same points on every call. A series longer than
   * 4 × maxPoints is first reduced in the database to the lowest and highest point of each of 2 × maxPoints step
   * buckets (MinMaxLTTB), so spikes and dips survive and a million-point series is not shipped whole. With
   * `stepFrom` / `stepTo`, the same over the points of that inclusive step window only (a zoomed chart), so a narrow
   * window comes back at full resolution. @throws INVALID_INPUT (maxPoints below 2, stepFrom above stepTo)
   * @see Steinarsson (2013), "Downsampling Time Series for Visual Representation", University of Iceland.
   * @see Van Der Donckt et al. (2023), "MinMaxLTTB: Leveraging MinMax-Preselection to Scale LTTB", arXiv:2305.00332.
   */
  downsampledMetrics(query: DownsampleQuery): Promise<MetricPoint[]>;

  createAbTest(
    input: Omit<
      AbTestRecord,
      'status' | 'result' | 'createdAt' | 'startedAt' | 'endedAt' | 'workflowId' | 'salt' | 'definition'
    > & { salt?: string; definition?: JsonObject; workflowId?: string },
  ): Promise<AbTestRecord>;
  getAbTest(id: string): Promise<AbTestRecord | null>;
  listAbTests(model?: string): Promise<AbTestRecord[]>;
  updateAbTest(
    id: string,
    patch: Partial<Pick<AbTestRecord, 'status' | 'result' | 'startedAt' | 'endedAt' | 'workflowId'>>,
  ): Promise<AbTestRecord>;
  /** Records one outcome per unit (a later value for the same unit replaces it: idempotent ingestion). Returns the count written. */
  recordOutcomes(
    testId: string,
    outcomes: { unitId: string; arm: 'control' | 'treatment'; value: number }[],
  ): Promise<number>;
  /**
   * Per-arm units, sum and sum of squares, computed in SQL; with `recordedUntil` (ISO time) only the outcomes
   * recorded at or before it (an A/B test's planned window ends there, whenever its workflow gets to the analysis).
   */
  aggregateOutcomes(
    testId: string,
    options?: { recordedUntil?: string },
  ): Promise<{ control: ArmAggregate; treatment: ArmAggregate }>;
  /**
   * Per-arm units, sum and sum of squares per recording time (one group per batch of outcomes), oldest first: what
   * the dashboard draws over time. A unit whose outcome was sent again counts at its latest recording.
   */
  outcomeBatches(testId: string): Promise<({ at: string; arm: 'control' | 'treatment' } & ArmAggregate)[]>;

  /**
   * Records production observations (1 to 100,000 per call, see ObservationInput) as sufficient statistics per
   * (model, version, metric, minute bucket) with a quantile sketch per bucket; values are never kept one by one.
   * The batch is validated whole first: one bad observation refuses it, naming its index and field.
   * @returns how many observations were recorded and into how many buckets. @throws INVALID_INPUT
   */
  recordObservations(observations: ObservationInput[]): Promise<{ recorded: number; buckets: number }>;
  /**
   * Sums the stored buckets of one metric of one version whose start lies in [from, to) (`from` rounded down to
   * its bucket; either bound may be left open), with the sketch's estimate of each asked quantile.
   * @throws INVALID_INPUT
   */
  aggregateObservations(query: ObservationQuery): Promise<ObservationAggregate>;

  /**
   * Attaches evaluation samples (per-unit values of metrics on a named evaluation set, see AttachEvaluationInput) to
   * a version, replacing what it held for that set: attaching the same samples again changes nothing.
   * @returns the set, how many samples were stored and the metrics they cover.
   * @throws NOT_FOUND (no such version), INVALID_INPUT naming the index and field
   */
  attachEvaluation(input: AttachEvaluationInput): Promise<{ evalSet: string; samples: number; metrics: string[] }>;
  /** Every (evaluation set, metric) of a version with its units and values, units in code-point order. */
  evaluationSeries(model: string, version: string): Promise<EvaluationSeries[]>;
  /** evaluationSeries of every version of a model that has samples, by version, in one read. */
  modelEvaluationSeries(model: string): Promise<Map<string, EvaluationSeries[]>>;
  /** Units, mean and sample standard deviation per (evaluation set, metric) of a version. */
  evaluationSummaries(model: string, version: string): Promise<EvaluationSummary[]>;

  /**
   * Records a guard's start (status WATCHING); the same id again returns the first record (a retried activity).
   * @throws INVALID_INPUT
   */
  createGuard(input: NewGuard): Promise<GuardRecord>;
  /** Sets a guard's status, and its end time and result once it ended. @throws NOT_FOUND, INVALID_INPUT */
  updateGuard(input: { id: string; status: string; endedAt: string | null; result: unknown }): Promise<GuardRecord>;
  /** Records one check or alert of a guard; (guard, kind, seq) is written once, a retry changes nothing. */
  recordGuardEvent(event: GuardEventRecord): Promise<void>;
  getGuard(id: string): Promise<GuardRecord | null>;
  /** Guards of one model (or all), oldest first. */
  listGuards(model?: string): Promise<GuardRecord[]>;
  /** A guard's checks and alerts in time order. */
  guardEvents(guardId: string): Promise<GuardEventRecord[]>;
  /** Records one attempt to deliver a guard's alert to a webhook (once per guard, alert, url and attempt). */
  recordWebhookAttempt(attempt: WebhookAttemptRecord): Promise<void>;
  /** Every delivery attempt of a guard's alerts, by alert, url and attempt number. */
  webhookAttempts(guardId: string): Promise<WebhookAttemptRecord[]>;
  /** Stores the model's default guard policy after validating it. @throws INVALID_INPUT naming the field */
  setGuardPolicy(input: { model: string; policy: unknown; actor: string }): Promise<StoredGuardPolicy>;
  /** The model's default guard policy, or null when none was set. */
  getGuardPolicy(model: string): Promise<StoredGuardPolicy | null>;

  /** Stores an API token (its secret's sha256 only). @throws ALREADY_EXISTS (name taken, revoked tokens included) */
  createApiToken(token: NewApiToken): Promise<ApiTokenRecord>;
  /** The token whose secret hashes to `secretSha256` (hex) and that stored hash; null when none. */
  findApiToken(secretSha256: string): Promise<{ record: ApiTokenRecord; secretSha256: string } | null>;
  /** Every API token, by name. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** Revokes a token (idempotent). @throws NOT_FOUND */
  revokeApiToken(name: string): Promise<ApiTokenRecord>;
  /** One round trip to the database (the server's readiness probe). @throws the driver's error when unreachable */
  ping(): Promise<void>;
  /**
   * A cheap synchronous stamp that changes whenever an API token or an A/B test may have changed (here or, on SQLite,
   * in another process; on PostgreSQL at most a second late): caches of those key their entries by it. A store without
   * it is never cached.
   */
  changeStamp?(): string;

  close(): Promise<void>;
}
