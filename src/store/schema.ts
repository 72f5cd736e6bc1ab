import type { Generated } from 'kysely';

/**
 * Row types of the registry database. JSON columns are text (both backends keep the caller's key order that way,
 * which jsonb would not); timestamps are `timestamptz` on PostgreSQL (read back as Date) and ISO 8601 text on SQLite.
 */
type Timestamp = string | Date;
/** int8 columns come back from pg as strings. */
type BigIntColumn = number | string;

export interface ModelsTable {
  name: string;
  description: string | null;
  tags: string;
  created_at: Timestamp;
}

export interface ModelVersionsTable {
  id: string;
  model: string;
  version: string;
  parent_version: string | null;
  status: string;
  artifact_uri: string;
  artifact_sha256: string;
  artifact_size_bytes: BigIntColumn;
  artifact_media_type: string;
  config: string;
  metrics: string;
  experiment_id: string | null;
  git: string | null;
  git_reason: string | null;
  author: string;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  promoted_at: Timestamp | null;
  deprecated_at: Timestamp | null;
}

export interface LifecycleEventsTable {
  id: Generated<BigIntColumn>;
  model: string;
  version: string;
  from_status: string | null;
  to_status: string;
  via: string;
  actor: string;
  reason: string | null;
  workflow_id: string | null;
  approver: string | null;
  approval_comment: string | null;
  at: Timestamp;
}

export interface IdempotencyKeysTable {
  key: string;
  operation: string;
  result: string;
  created_at: Timestamp;
}

export interface ExperimentsTable {
  id: string;
  name: string;
  type: string;
  status: string;
  description: string | null;
  config: string;
  tags: string;
  summary: string;
  external_ids: string;
  warnings: string;
  started_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface ExperimentVersionsTable {
  experiment_id: string;
  model: string;
  version: string;
}

export interface MetricPointsTable {
  id: Generated<BigIntColumn>;
  experiment_id: string;
  key: string;
  value: number;
  step: BigIntColumn;
  timestamp: Timestamp;
}

/** See metric-rollups.ts: one bucket of 2^level steps of a series, its count and its first/last/min/max points. */
export interface MetricRollupsTable {
  experiment_id: string;
  key: string;
  level: number;
  bucket: BigIntColumn;
  count: BigIntColumn;
  first_step: BigIntColumn;
  first_ts: Timestamp;
  first_id: BigIntColumn;
  first_value: number;
  last_step: BigIntColumn;
  last_ts: Timestamp;
  last_id: BigIntColumn;
  last_value: number;
  min_value: number;
  min_step: BigIntColumn;
  min_id: BigIntColumn;
  max_value: number;
  max_step: BigIntColumn;
  max_id: BigIntColumn;
}

export interface AbTestsTable {
  id: string;
  name: string;
  model: string;
  control: string;
  treatment: string;
  split_control: number;
  split_treatment: number;
  salt: string;
  definition: string;
  status: string;
  result: string | null;
  workflow_id: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
}

export interface AbOutcomesTable {
  test_id: string;
  unit_id: string;
  arm: string;
  value: number;
  recorded_at: Timestamp;
}

export interface ApiTokensTable {
  name: string;
  role: string;
  model_scope: string | null;
  secret_sha256: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ObservationBucketsTable {
  model: string;
  version: string;
  metric: string;
  bucket_start: Timestamp;
  count: BigIntColumn;
  sum: number;
  sum_squares: number;
  min: number;
  max: number;
  sketch: string | null;
}

export interface EvaluationSamplesTable {
  model: string;
  version: string;
  eval_set: string;
  metric: string;
  unit: string;
  value: number;
}

export interface GuardsTable {
  id: string;
  model: string;
  version: string;
  baseline_version: string | null;
  policy: string;
  actor: string;
  status: string;
  workflow_id: string;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  result: string | null;
}

export interface GuardEventsTable {
  guard_id: string;
  kind: string;
  seq: number;
  at: Timestamp;
  outcome: string;
  detail: string;
}

export interface GuardWebhookAttemptsTable {
  guard_id: string;
  alert_seq: number;
  url: string;
  attempt: number;
  at: Timestamp;
  status_code: number | null;
  error: string | null;
}

export interface GuardPoliciesTable {
  model: string;
  policy: string;
  actor: string;
  updated_at: Timestamp;
}

/** One row: the registry's identity (migration 0002_registry_identity). */
export interface RegistryIdentityTable {
  id: string;
  created_at: Timestamp;
}

export interface Database {
  registry_identity: RegistryIdentityTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  lifecycle_events: LifecycleEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  experiments: ExperimentsTable;
  experiment_versions: ExperimentVersionsTable;
  metric_points: MetricPointsTable;
  metric_rollups: MetricRollupsTable;
  ab_tests: AbTestsTable;
  ab_outcomes: AbOutcomesTable;
  api_tokens: ApiTokensTable;
  observation_buckets: ObservationBucketsTable;
  evaluation_samples: EvaluationSamplesTable;
  guards: GuardsTable;
  guard_events: GuardEventsTable;
  guard_policies: GuardPoliciesTable;
  guard_webhook_attempts: GuardWebhookAttemptsTable;
}

/** Which SQL backend a store runs on. */
export type Dialect = 'sqlite' | 'postgres';
