import type { Readable } from 'node:stream';
import type { ArtifactRef } from '../domain/model-version';
import { parseInput } from '../domain/errors';
import type { ArtifactStore, PutOptions, PutStreamOptions, VerifyResult } from './artifact-store';
import { PutOptionsSchema, PutStreamOptionsSchema } from './artifact-ref';
import { DEFAULT_MEDIA_TYPE, openArtifactSource } from './artifact-source';
import type { Upload } from './upload';

/**
 * The part of every store that turns a path or a stream into an {@link Upload}: option validation, media type
 * defaults, the size to expect. Subclasses write the bytes in {@link ContentAddressedStore.store}.
 */
export abstract class ContentAddressedStore implements ArtifactStore {
  abstract readonly baseUri: string;

  /** @see ArtifactStore.put */
  async put(sourcePath: string, options: PutOptions = {}): Promise<ArtifactRef> {
    const opts = parseInput(PutOptionsSchema, options, 'artifact put options');
    const source = await openArtifactSource(sourcePath);
    return this.storeAndRelease({
      label: source.path,
      stream: source.stream,
      mediaType: opts.mediaType ?? source.mediaType,
      expectedSha256: opts.expectedSha256,
      expectedSizeBytes: source.expectedSizeBytes ?? undefined,
      sizeFrom: 'file',
    });
  }

  /** @see ArtifactStore.putStream */
  async putStream(source: Readable, options: PutStreamOptions = {}): Promise<ArtifactRef> {
    let opts;
    try {
      opts = parseInput(PutStreamOptionsSchema, options, 'artifact put options');
    } catch (err) {
      source.destroy();
      throw err;
    }
    return this.storeAndRelease({
      label: 'stream',
      stream: source,
      mediaType: opts.mediaType ?? DEFAULT_MEDIA_TYPE,
      expectedSha256: opts.expectedSha256,
      expectedSizeBytes: opts.expectedSizeBytes,
      sizeFrom: 'declared',
    });
  }

  abstract verify(ref: ArtifactRef): Promise<VerifyResult>;
  abstract exists(ref: ArtifactRef): Promise<boolean>;
  abstract openRead(ref: ArtifactRef): Promise<Readable>;

  /**
   * Writes the upload's bytes under their sha256 and returns the ref, after checkStreamed has passed.
   * On any failure nothing may remain: no final object and no temporary one.
   */
  protected abstract store(upload: Upload): Promise<ArtifactRef>;

  private async storeAndRelease(upload: Upload): Promise<ArtifactRef> {
    try {
      return await this.store(upload);
    } finally {
      // A failed write leaves the source open (a file descriptor, a directory walk); close it either way.
      upload.stream.destroy();
    }
  }
}
