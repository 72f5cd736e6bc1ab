import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, Storage } from '@google-cloud/storage';
import type { ArtifactRef } from '../domain/model-version';
import { ErrorCode, ModelctlError } from '../domain/errors';
import type { VerifyResult } from './artifact-store';
import { contentKey, parseArtifactRef } from './artifact-ref';
import { ContentAddressedStore } from './content-addressed-store';
import { DigestStream, digestOf } from './digest-stream';
import { checkRefLocation, checkStreamed, missing, missingError, verdict } from './integrity';
import type { Upload } from './upload';

/** Where a GCS store keeps its objects: `gs://<bucket>/<prefix>`; prefix has no leading or trailing slash. */
export interface GcsLocation {
  bucket: string;
  /** Empty for the bucket root. */
  prefix: string;
}

/**
 * Content-addressed artifact store in Google Cloud Storage: `gs://<bucket>/<prefix>/sha256/ab/<sha256>`.
 *
 * A put streams the source through sha256 into a temporary object `<prefix>/tmp/<uuid>` (a single-request
 * upload, `resumable: false`: it holds no local state and an aborted request creates no object), checks the digest
 * and the size GCS reports, then server-side copies it to the content-addressed name with `ifGenerationMatch: 0`,
 * so concurrent puts of the same bytes cannot replace an object that is already there (GCS answers 412, taken as
 * "already stored"); an existing object of the right size is left untouched, one of the wrong size is replaced.
 * The temporary object is deleted on success and on every failure.
 *
 * fake-gcs-server (the test emulator) ignores preconditions on copies, so the 412 path runs only against GCS;
 * with identical bytes the outcome is the same either way.
 * Readers see the final name only once the copy, which is atomic in GCS, has completed.
 */
export class GcsArtifactStore extends ContentAddressedStore {
  readonly baseUri: string;
  private readonly bucket: Bucket;

  /** @param storage a client, e.g. from createStorageClient (which honours STORAGE_EMULATOR_HOST). */
  constructor(
    storage: Storage,
    private readonly location: GcsLocation,
  ) {
    super();
    this.bucket = storage.bucket(location.bucket);
    this.baseUri = `gs://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  }

  protected async store(upload: Upload): Promise<ArtifactRef> {
    const tmp = this.bucket.file(this.objectName(`tmp/${randomUUID()}`));
    let succeeded = false;
    try {
      const meter = new DigestStream();
      await pipeline(upload.stream, meter, tmp.createWriteStream({ resumable: false, contentType: upload.mediaType }));
      const digest = meter.digest();
      checkStreamed(upload, digest);
      const [metadata] = await tmp.getMetadata();
      const storedSize = Number(metadata.size);
      if (storedSize !== digest.sizeBytes) {
        throw new ModelctlError(
          ErrorCode.UNAVAILABLE,
          `artifact upload of ${upload.label} to ${this.baseUri} is incomplete: streamed ${digest.sizeBytes} bytes, stored ${storedSize}`,
        );
      }
      const target = this.bucket.file(this.objectName(contentKey(digest.sha256)));
      await copyUnlessComplete(tmp, target, digest.sizeBytes);
      succeeded = true;
      return {
        uri: this.uriOf(digest.sha256),
        sha256: digest.sha256,
        sizeBytes: digest.sizeBytes,
        mediaType: upload.mediaType,
      };
    } finally {
      // On a failed put the first error is the one to report, not a failing clean-up.
      await tmp.delete({ ignoreNotFound: true }).catch((err: unknown) => {
        if (succeeded) throw err;
      });
    }
  }

  /** @see ArtifactStore.verify */
  async verify(ref: ArtifactRef): Promise<VerifyResult> {
    const checked = this.checkRef(ref);
    const file = this.fileOf(checked);
    const [present] = await file.exists();
    if (!present) return missing(checked);
    try {
      // Our own sha256 is the check; the library's md5/crc32c validation would throw instead of reporting.
      return verdict(checked, await digestOf(file.createReadStream({ validation: false })));
    } catch (err) {
      if (isNotFound(err)) return missing(checked);
      throw err;
    }
  }

  /** @see ArtifactStore.exists */
  async exists(ref: ArtifactRef): Promise<boolean> {
    const [present] = await this.fileOf(this.checkRef(ref)).exists();
    return present;
  }

  /** @see ArtifactStore.openRead */
  async openRead(ref: ArtifactRef): Promise<Readable> {
    const checked = this.checkRef(ref);
    const file = this.fileOf(checked);
    const [present] = await file.exists();
    if (!present) throw missingError(checked);
    return file.createReadStream();
  }

  /** `gs://` URI of the object holding content with this sha256. */
  uriOf(sha256: string): string {
    return `${this.baseUri}/${contentKey(sha256)}`;
  }

  private objectName(key: string): string {
    return this.location.prefix ? `${this.location.prefix}/${key}` : key;
  }

  private fileOf(ref: ArtifactRef): File {
    return this.bucket.file(this.objectName(contentKey(ref.sha256)));
  }

  private checkRef(ref: ArtifactRef): ArtifactRef {
    const checked = parseArtifactRef(ref);
    checkRefLocation(checked, this.uriOf(checked.sha256));
    return checked;
  }
}

/**
 * Server-side copy to the content-addressed name unless a complete object is already there (no rewrite).
 * An object of the wrong size (damaged behind the store's back) is replaced. The generation precondition makes the
 * copy conditional on what was seen: a lost race (412) means another put stored the same bytes first.
 */
async function copyUnlessComplete(from: File, to: File, sizeBytes: number): Promise<void> {
  let generation = 0;
  try {
    const [metadata] = await to.getMetadata();
    if (Number(metadata.size) === sizeBytes) return;
    generation = Number(metadata.generation);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await from.copy(to, { preconditionOpts: { ifGenerationMatch: generation } });
  } catch (err) {
    if ((err as { code?: unknown }).code === 412) return;
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown }).code === 404;
}
