import type { Readable } from 'node:stream';
import type { ArtifactRef } from '../domain/model-version';

/** Options of {@link ArtifactStore.put}. */
export interface PutOptions {
  /** Declared sha256; when the streamed bytes differ the put fails with CHECKSUM_MISMATCH (expected and actual). */
  expectedSha256?: string;
  /** Media type to record; defaults to application/octet-stream (application/x-tar for a directory). */
  mediaType?: string;
}

/** Options of {@link ArtifactStore.putStream}. */
export interface PutStreamOptions extends PutOptions {
  /** Declared length in bytes; when the stream delivers a different number the put fails with CHECKSUM_MISMATCH. */
  expectedSizeBytes?: number;
}

/** Result of {@link ArtifactStore.verify}. */
export interface VerifyResult {
  ok: boolean;
  /** Why not ok: missing object, size mismatch or checksum mismatch, with expected and actual values. */
  reason: string | null;
  actualSha256: string | null;
  actualSizeBytes: number | null;
}

/**
 * Content-addressed storage of model artifacts (docs/architecture.md, "Artifacts"): objects are named by the sha256 of their bytes,
 * computed while streaming, so memory stays bounded whatever the size. Implementations: local directory, GCS.
 */
export interface ArtifactStore {
  /** Base URI, e.g. `file:///home/me/.modelctl/artifacts` or `gs://bucket/prefix`. */
  readonly baseUri: string;
  /**
   * Streams a file (or a directory, packed as a deterministic tar) into the store.
   * The object becomes visible only once fully written and its checksum verified; on any failure no object is left.
   * Idempotent: putting the same bytes twice returns the same ref.
   * @throws ModelctlError ARTIFACT_MISSING (no such path), CHECKSUM_MISMATCH (declared ≠ actual),
   *   CONFLICT (the file changed size while it was read), INVALID_INPUT (bad options; a special file).
   */
  put(sourcePath: string, options?: PutOptions): Promise<ArtifactRef>;
  /**
   * Stores the bytes of a stream, with the same guarantees as {@link ArtifactStore.put}: a stream that errors or
   * ends short of `expectedSizeBytes` leaves no object behind. The stream is consumed and destroyed.
   * @throws ModelctlError CHECKSUM_MISMATCH (declared sha256 or size ≠ actual); the stream's own error otherwise.
   */
  putStream(source: Readable, options?: PutStreamOptions): Promise<ArtifactRef>;
  /** Re-reads the stored bytes and checks size and sha256 against `ref`. Never throws for a missing object. */
  verify(ref: ArtifactRef): Promise<VerifyResult>;
  /** True when the object exists. */
  exists(ref: ArtifactRef): Promise<boolean>;
  /** Streams the stored bytes. @throws ModelctlError ARTIFACT_MISSING */
  openRead(ref: ArtifactRef): Promise<Readable>;
}
