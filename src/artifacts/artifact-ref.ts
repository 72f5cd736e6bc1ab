import { z } from 'zod';
import { Sha256, type ArtifactRef } from '../domain/model-version';
import { parseInput } from '../domain/errors';

/** Schema of an {@link ArtifactRef} handed back to a store (verify, exists, openRead). */
export const ArtifactRefSchema = z
  .object({
    uri: z.string().min(1, 'must be the URI the store returned'),
    sha256: Sha256,
    sizeBytes: z.number().int('must be an integer').nonnegative('must be ≥ 0'),
    mediaType: z.string().min(1, 'must be a media type, e.g. application/octet-stream'),
  })
  .strict();

/** Schema of the options of ArtifactStore.put. */
export const PutOptionsSchema = z
  .object({
    expectedSha256: Sha256.optional(),
    mediaType: z.string().min(1, 'must be a media type, e.g. application/octet-stream').optional(),
  })
  .strict();

/** Schema of the options of ArtifactStore.putStream. */
export const PutStreamOptionsSchema = PutOptionsSchema.extend({
  expectedSizeBytes: z.number().int('must be an integer').nonnegative('must be ≥ 0').optional(),
}).strict();

/** Parses an artifact ref. @throws ModelctlError INVALID_INPUT naming the field. */
export function parseArtifactRef(ref: unknown): ArtifactRef {
  return parseInput(ArtifactRefSchema, ref, 'artifact ref');
}

/**
 * Object key of content with the given sha256, relative to a store's base:
 * `sha256/<first two hex digits>/<sha256>`. The fan-out keeps directory listings short.
 */
export function contentKey(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
