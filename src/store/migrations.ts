import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from './schema';
import { createMetricRollups } from './metric-rollups';

/**
 * Versioned schema migrations, kept in code so the compiled package carries them. Each one runs once, in order,
 * when a store opens (Kysely's Migrator records them in `kysely_migration`). Never edit a shipped migration: add one.
 */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_registry': { up: (db) => createRegistry(db, dialect) },
    '0002_registry_identity': { up: (db) => createRegistryIdentity(db, dialect) },
    '0003_api_tokens': { up: (db) => createApiTokens(db, dialect) },
    '0004_evaluation_samples': { up: (db) => createEvaluationSamples(db, dialect) },
    '0005_observations': { up: (db) => createObservations(db, dialect) },
    '0006_metric_rollups': { up: (db) => createMetricRollups(db, dialect) },
    '0007_guards': { up: (db) => createGuards(db, dialect) },
    '0008_audit_details': { up: (db) => addAuditDetails(db) },
  };
  return { getMigrations: async () => migrations };
}

async function createRegistry(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres';
  // timestamptz on PostgreSQL; ISO 8601 UTC text on SQLite, which then sorts as time does.
  const ts = pg ? 'timestamptz' : 'text';
  const serial = pg ? 'bigserial' : 'integer';
  const int8 = pg ? 'bigint' : 'integer';
  const float = pg ? 'double precision' : 'real';

  await db.schema
    .createTable('models')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull().references('models.name'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('parent_version', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('artifact_uri', 'text', (c) => c.notNull())
    .addColumn('artifact_sha256', 'text', (c) => c.notNull())
    .addColumn('artifact_size_bytes', int8, (c) => c.notNull())
    .addColumn('artifact_media_type', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('experiment_id', 'text')
    .addColumn('git', 'text')
    .addColumn('git_reason', 'text')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('promoted_at', ts)
    .addColumn('deprecated_at', ts)
    .addUniqueConstraint('model_versions_model_version_key', ['model', 'version'])
    .addCheckConstraint(
      'model_versions_status_check',
      sql`status in ('TRAINING', 'VALIDATION', 'PRODUCTION', 'DEPRECATED', 'FAILED')`,
    )
    .execute();
  // The database itself holds the "one PRODUCTION version per model" invariant, whatever the code does.
  await db.schema
    .createIndex('model_versions_one_production')
    .unique()
    .on('model_versions')
    .column('model')
    .where(sql.ref('status'), '=', sql.lit('PRODUCTION'))
    .execute();

  await db.schema
    .createTable('lifecycle_events')
    .addColumn('id', serial, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('workflow_id', 'text')
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('lifecycle_events_model_at')
    .on('lifecycle_events')
    .columns(['model', 'at', 'id'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('experiments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('external_ids', 'text', (c) => c.notNull())
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .execute();

  await db.schema
    .createTable('experiment_versions')
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_versions_pkey', ['experiment_id', 'model', 'version'])
    .execute();

  await db.schema
    .createTable('metric_points')
    .addColumn('id', serial, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', float, (c) => c.notNull())
    .addColumn('step', int8, (c) => c.notNull())
    .addColumn('timestamp', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('metric_points_series')
    .on('metric_points')
    .columns(['experiment_id', 'key', 'step', 'timestamp', 'id'])
    .execute();

  await db.schema
    .createTable('ab_tests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('control', 'text', (c) => c.notNull())
    .addColumn('treatment', 'text', (c) => c.notNull())
    .addColumn('split_control', 'integer', (c) => c.notNull())
    .addColumn('split_treatment', 'integer', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('workflow_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('ended_at', ts)
    .addCheckConstraint('ab_tests_split_check', sql`split_control + split_treatment = 10000`)
    .execute();

  await db.schema
    .createTable('ab_outcomes')
    .addColumn('test_id', 'text', (c) => c.notNull().references('ab_tests.id').onDelete('cascade'))
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('arm', 'text', (c) => c.notNull())
    .addColumn('value', float, (c) => c.notNull())
    .addColumn('recorded_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('ab_outcomes_pkey', ['test_id', 'unit_id'])
    .addCheckConstraint('ab_outcomes_arm_check', sql`arm in ('control', 'treatment')`)
    .execute();
}

/**
 * The registry's identity: one row, a random UUID made when the registry is created (or, for a registry made before
 * identities existed, when it is first opened by this version). Workflows carry it and activities compare it with
 * their own store's, so a workflow is never carried out against another registry.
 */
async function createRegistryIdentity(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  await db.schema
    .createTable('registry_identity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await sql`insert into registry_identity (id, created_at) values (${randomUUID()}, ${new Date().toISOString()})`.execute(
    db,
  );
}

async function createApiTokens(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  // Only the sha256 of a secret is stored; the unique index is the lookup of a presented token.
  await db.schema
    .createTable('api_tokens')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('model_scope', 'text')
    .addColumn('secret_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts)
    .addColumn('revoked_at', ts)
    .addCheckConstraint('api_tokens_role_check', sql`role in ('viewer', 'editor', 'admin')`)
    .execute();
}

async function createObservations(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres';
  const ts = pg ? 'timestamptz' : 'text';
  const float = pg ? 'double precision' : 'real';
  // Sufficient statistics per (model, version, metric, minute), so a guard's check reads a handful of rows whatever
  // the traffic; `sketch` is the bucket's DDSketch (base64 protobuf), null when only pre-aggregated windows came in.
  await db.schema
    .createTable('observation_buckets')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('bucket_start', ts, (c) => c.notNull())
    .addColumn('count', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('sum', float, (c) => c.notNull())
    .addColumn('sum_squares', float, (c) => c.notNull())
    .addColumn('min', float, (c) => c.notNull())
    .addColumn('max', float, (c) => c.notNull())
    .addColumn('sketch', 'text')
    .addPrimaryKeyConstraint('observation_buckets_pkey', ['model', 'version', 'metric', 'bucket_start'])
    .execute();
}

async function createEvaluationSamples(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const float = dialect === 'postgres' ? 'double precision' : 'real';
  // One row per (version, evaluation set, metric, unit): the per-unit values a paired comparison needs.
  await db.schema
    .createTable('evaluation_samples')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('eval_set', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('value', float, (c) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_samples_pkey', ['model', 'version', 'eval_set', 'metric', 'unit'])
    .execute();
}

async function createGuards(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  await db.schema
    .createTable('guards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('baseline_version', 'text')
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('guards_model_started').on('guards').columns(['model', 'started_at']).execute();
  // One row per check and per alert; (guard, kind, seq) makes a retried write a no-op.
  await db.schema
    .createTable('guard_events')
    .addColumn('guard_id', 'text', (c) => c.notNull().references('guards.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('guard_events_pkey', ['guard_id', 'kind', 'seq'])
    .addCheckConstraint('guard_events_kind_check', sql`kind in ('check', 'alert')`)
    .execute();
  // Every attempt to deliver an alert to a webhook, answered or not.
  await db.schema
    .createTable('guard_webhook_attempts')
    .addColumn('guard_id', 'text', (c) => c.notNull().references('guards.id').onDelete('cascade'))
    .addColumn('alert_seq', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('guard_webhook_attempts_pkey', ['guard_id', 'alert_seq', 'url', 'attempt'])
    .execute();
  await db.schema
    .createTable('guard_policies')
    .addColumn('model', 'text', (c) => c.primaryKey())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
}

/** Who approved a promotion and what they wrote: part of the audit event of the swap, not only of the workflow result. */
async function addAuditDetails(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('lifecycle_events').addColumn('approver', 'text').execute();
  await db.schema.alterTable('lifecycle_events').addColumn('approval_comment', 'text').execute();
}
