import type { Selectable } from 'kysely';
import type { LifecycleEvent, ModelVersion } from '../domain/model-version';
import type { ModelStatus, TransitionVia } from '../domain/lifecycle';
import type { LifecycleEventsTable, ModelVersionsTable } from './schema';

/** What Date.prototype.toISOString writes for years 0000–9999: such a text is already in the answer's form. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A timestamp column as UTC ISO 8601, whichever backend produced it. */
export function iso(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  // SQLite hands back the text the store wrote: parsing and re-printing it was a third of decoding 10,000 rows.
  return ISO_UTC.test(value) ? value : new Date(value).toISOString();
}

export function isoOrNull(value: string | Date | null): string | null {
  return value === null ? null : iso(value);
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * A JSON column's new text for an update, or undefined for a field the patch leaves alone: Kysely's `set` skips
 * undefined values, so one update object can carry every optional field.
 */
export function jsonIfDefined(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export function toModelVersion(row: Selectable<ModelVersionsTable>): ModelVersion {
  return {
    id: row.id,
    model: row.model,
    version: row.version,
    parentVersion: row.parent_version,
    status: row.status as ModelStatus,
    artifact: {
      uri: row.artifact_uri,
      sha256: row.artifact_sha256,
      sizeBytes: Number(row.artifact_size_bytes),
      mediaType: row.artifact_media_type,
    },
    config: parseJson(row.config),
    metrics: parseJson(row.metrics),
    experimentId: row.experiment_id,
    git: row.git === null ? null : parseJson(row.git),
    gitReason: row.git_reason,
    author: row.author,
    description: row.description,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    promotedAt: isoOrNull(row.promoted_at),
    deprecatedAt: isoOrNull(row.deprecated_at),
  };
}

export function toLifecycleEvent(row: Selectable<LifecycleEventsTable>): LifecycleEvent {
  return {
    id: Number(row.id),
    model: row.model,
    version: row.version,
    fromStatus: row.from_status as ModelStatus | null,
    toStatus: row.to_status as ModelStatus,
    via: row.via as TransitionVia,
    actor: row.actor,
    reason: row.reason,
    workflowId: row.workflow_id,
    approval: row.approver === null ? null : { approver: row.approver, comment: row.approval_comment },
    at: iso(row.at),
  };
}
