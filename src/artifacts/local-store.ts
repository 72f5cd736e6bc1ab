import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { ArtifactRef } from '../domain/model-version';
import { fromSystemError } from '../domain/system-errors';
import type { VerifyResult } from './artifact-store';
import { contentKey, parseArtifactRef } from './artifact-ref';
import { isNodeError } from './artifact-source';
import { ContentAddressedStore } from './content-addressed-store';
import { type Digest, DigestStream, digestOf } from './digest-stream';
import { checkRefLocation, checkStreamed, missing, missingError, verdict } from './integrity';
import type { Upload } from './upload';

/**
 * Content-addressed artifact store in a local directory:
 * `<base>/sha256/ab/<sha256>` holds the bytes (read-only, mode 0444), `<base>/tmp/` holds uploads in progress.
 *
 * A put streams the source through sha256 into a temp file under `<base>/tmp`, fsyncs it, checks the digest,
 * then renames it into place. Rename within one file system is atomic, so an object is either absent or complete;
 * any failure removes the temp file. Putting bytes that are already stored leaves the existing object untouched;
 * an existing object is compared by digest, not size, so putting the right bytes again replaces a corrupted one.
 */
export class LocalArtifactStore extends ContentAddressedStore {
  readonly baseUri: string;
  private readonly base: string;

  /** @param baseDir directory of the store (created on first put); relative paths resolve against the cwd. */
  constructor(baseDir: string) {
    super();
    this.base = resolve(baseDir);
    this.baseUri = pathToFileURL(this.base).href;
  }

  protected async store(upload: Upload): Promise<ArtifactRef> {
    const tmpDir = join(this.base, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${randomUUID()}.part`);
    try {
      const meter = new DigestStream();
      // flush: fsync before close, so a crash after the rename below cannot expose a short file.
      await pipeline(upload.stream, meter, createWriteStream(tmpPath, { flags: 'wx', mode: 0o600, flush: true }));
      const digest = meter.digest();
      checkStreamed(upload, digest);

      const finalPath = this.pathOf(digest.sha256);
      const ref: ArtifactRef = {
        uri: pathToFileURL(finalPath).href,
        sha256: digest.sha256,
        sizeBytes: digest.sizeBytes,
        mediaType: upload.mediaType,
      };
      if (await holdsDigest(finalPath, digest)) return ref;
      await mkdir(dirname(finalPath), { recursive: true });
      await chmod(tmpPath, 0o444);
      // A concurrent put of the same bytes may rename first; replacing identical content is harmless, and replacing
      // an object whose bytes no longer match its name heals it.
      await rename(tmpPath, finalPath);
      await syncDirectory(dirname(finalPath));
      return ref;
    } catch (err) {
      // A stream's write error carries no path: the store's directory is the one to free or fix.
      throw fromSystemError(err, this.base) ?? err;
    } finally {
      await unlink(tmpPath).catch((err: unknown) => {
        if (!isNodeError(err, 'ENOENT')) throw err;
      });
    }
  }

  /** @see ArtifactStore.verify */
  async verify(ref: ArtifactRef): Promise<VerifyResult> {
    const checked = this.checkRef(ref);
    let stream: Readable;
    try {
      stream = await this.openFile(checked);
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) return missing(checked);
      throw err;
    }
    return verdict(checked, await digestOf(stream));
  }

  /** @see ArtifactStore.exists */
  async exists(ref: ArtifactRef): Promise<boolean> {
    const checked = this.checkRef(ref);
    try {
      return (await stat(this.pathOf(checked.sha256))).isFile();
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) return false;
      throw err;
    }
  }

  /** @see ArtifactStore.openRead */
  async openRead(ref: ArtifactRef): Promise<Readable> {
    const checked = this.checkRef(ref);
    try {
      return await this.openFile(checked);
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) throw missingError(checked);
      throw err;
    }
  }

  /** Absolute path of the object holding content with this sha256. */
  pathOf(sha256: string): string {
    return join(this.base, ...contentKey(sha256).split('/'));
  }

  private checkRef(ref: ArtifactRef): ArtifactRef {
    const checked = parseArtifactRef(ref);
    checkRefLocation(checked, pathToFileURL(this.pathOf(checked.sha256)).href);
    return checked;
  }

  /** Opens the object, resolving only once the file is open so ENOENT surfaces here rather than mid-stream. */
  private async openFile(ref: ArtifactRef): Promise<Readable> {
    const handle = await open(this.pathOf(ref.sha256), 'r');
    return handle.createReadStream();
  }
}

/** True when `path` is a regular file whose sha256 and size are `digest`'s (re-read in full: a same-size object may be corrupt). */
async function holdsDigest(path: string, digest: Digest): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isNodeError(err, 'ENOENT')) return false;
    throw err;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size !== digest.sizeBytes) return false;
    const actual = await digestOf(handle.createReadStream({ autoClose: false }));
    return actual.sha256 === digest.sha256 && actual.sizeBytes === digest.sizeBytes;
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable across a crash (POSIX needs the directory itself synced). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
