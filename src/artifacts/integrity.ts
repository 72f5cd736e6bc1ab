import type { ArtifactRef } from '../domain/model-version';
import { ErrorCode, ModelctlError } from '../domain/errors';
import type { VerifyResult } from './artifact-store';
import type { Digest } from './digest-stream';
import type { Upload } from './upload';

/**
 * Checks what was streamed against what was expected, before the object is made visible.
 * @throws ModelctlError CHECKSUM_MISMATCH (details: expected, actual) when the declared sha256 or size differs;
 *   CONFLICT when a file changed size while it was read (a truncated or growing file).
 */
export function checkStreamed(upload: Upload, digest: Digest): void {
  const { label, expectedSizeBytes, expectedSha256 } = upload;
  if (expectedSizeBytes !== undefined && digest.sizeBytes !== expectedSizeBytes) {
    const details = { source: label, expectedSizeBytes, actualSizeBytes: digest.sizeBytes };
    if (upload.sizeFrom === 'file') {
      throw new ModelctlError(
        ErrorCode.CONFLICT,
        `artifact ${label} changed while it was being stored: expected ${expectedSizeBytes} bytes, read ${digest.sizeBytes}`,
        details,
      );
    }
    throw new ModelctlError(
      ErrorCode.CHECKSUM_MISMATCH,
      `size mismatch for ${label}: expected ${expectedSizeBytes} bytes, actual ${digest.sizeBytes}`,
      details,
    );
  }
  if (expectedSha256 !== undefined && digest.sha256 !== expectedSha256) {
    throw new ModelctlError(
      ErrorCode.CHECKSUM_MISMATCH,
      `checksum mismatch for ${label}: expected sha256 ${expectedSha256}, actual ${digest.sha256}`,
      { source: label, expected: expectedSha256, actual: digest.sha256 },
    );
  }
}

/** The verdict of re-reading a stored object: size first (cheap to explain), then sha256. */
export function verdict(ref: ArtifactRef, actual: Digest): VerifyResult {
  const base = { actualSha256: actual.sha256, actualSizeBytes: actual.sizeBytes };
  if (actual.sizeBytes !== ref.sizeBytes) {
    return {
      ok: false,
      reason: `size mismatch for ${ref.uri}: expected ${ref.sizeBytes} bytes, actual ${actual.sizeBytes}`,
      ...base,
    };
  }
  if (actual.sha256 !== ref.sha256) {
    return {
      ok: false,
      reason: `checksum mismatch for ${ref.uri}: expected sha256 ${ref.sha256}, actual ${actual.sha256}`,
      ...base,
    };
  }
  return { ok: true, reason: null, ...base };
}

/** The verdict for an object that is not there. */
export function missing(ref: ArtifactRef): VerifyResult {
  return { ok: false, reason: `missing object: ${ref.uri}`, actualSha256: null, actualSizeBytes: null };
}

/** ARTIFACT_MISSING for openRead of an absent object. */
export function missingError(ref: ArtifactRef): ModelctlError {
  return new ModelctlError(ErrorCode.ARTIFACT_MISSING, `artifact object is missing: ${ref.uri}`, {
    uri: ref.uri,
    sha256: ref.sha256,
  });
}

/**
 * Checks that `ref` names the object this store keeps for `ref.sha256` (`<baseUri>/sha256/ab/<sha256>`).
 * @throws ModelctlError INVALID_INPUT naming the uri and the expected one.
 */
export function checkRefLocation(ref: ArtifactRef, expectedUri: string): void {
  if (ref.uri !== expectedUri) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid artifact ref: uri ${ref.uri} is not this store's object for sha256 ${ref.sha256} (expected ${expectedUri})`,
      { uri: ref.uri, expected: expectedUri },
    );
  }
}
