import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Storage } from '@google-cloud/storage';
import { ErrorCode, ModelctlError } from '../domain/errors';
import type { ArtifactStore } from './artifact-store';
import { createStorageClient } from './gcs-client';
import { GcsArtifactStore, type GcsLocation } from './gcs-store';
import { LocalArtifactStore } from './local-store';

const ALLOWED_FORMS = 'file:///absolute/path, a plain directory path, or gs://bucket[/prefix]';

/** GCS bucket names: 3–63 characters per dot-separated part, lowercase letters, digits, `-`, `_`, `.`. */
const BUCKET = /^[a-z0-9](?:[a-z0-9._-]{1,220})[a-z0-9]$/;

/** Options of {@link createArtifactStore}. */
export interface CreateArtifactStoreOptions {
  /** Client for gs:// stores; default createStorageClient() (honours STORAGE_EMULATOR_HOST). */
  storage?: Storage;
}

/**
 * Opens the artifact store named by a URI, e.g. the ARTIFACT_STORE setting:
 * - `file:///abs/dir` or a plain path (relative paths resolve against the cwd) → {@link LocalArtifactStore};
 * - `gs://bucket` or `gs://bucket/prefix/…` → {@link GcsArtifactStore}.
 * Nothing is created or contacted until the first operation.
 * @throws ModelctlError INVALID_INPUT naming ARTIFACT_STORE and the allowed forms.
 */
export function createArtifactStore(uri: string, options: CreateArtifactStoreOptions = {}): ArtifactStore {
  const value = typeof uri === 'string' ? uri.trim() : '';
  if (value === '') throw invalidStoreUri(uri, 'it is empty');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return new LocalArtifactStore(isAbsolute(value) ? value : resolve(value));
  if (scheme === 'file') return new LocalArtifactStore(localPathOf(value));
  if (scheme === 'gs') return new GcsArtifactStore(options.storage ?? createStorageClient(), gcsLocationOf(value));
  throw invalidStoreUri(value, `unsupported scheme "${scheme}:"`);
}

function localPathOf(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch (err) {
    throw invalidStoreUri(uri, (err as Error).message);
  }
}

/** Parses `gs://bucket[/prefix]`. @throws ModelctlError INVALID_INPUT */
export function gcsLocationOf(uri: string): GcsLocation {
  const match = /^gs:\/\/([^/]*)(?:\/(.*))?$/.exec(uri);
  if (!match) throw invalidStoreUri(uri, 'expected gs://bucket[/prefix]');
  const bucket = match[1] ?? '';
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw invalidStoreUri(uri, `"${bucket}" is not a valid bucket name (3-222 characters: a-z, 0-9, ".", "-", "_")`);
  }
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  const segments = prefix === '' ? [] : prefix.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw invalidStoreUri(uri, 'the prefix must not contain empty, "." or ".." segments');
  }
  return { bucket, prefix };
}

function invalidStoreUri(value: unknown, why: string): ModelctlError {
  return new ModelctlError(
    ErrorCode.INVALID_INPUT,
    `invalid ARTIFACT_STORE ${JSON.stringify(value)}: ${why}; allowed: ${ALLOWED_FORMS}`,
    { field: 'ARTIFACT_STORE', value, allowed: ALLOWED_FORMS },
  );
}
