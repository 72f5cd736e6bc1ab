import { createHash } from 'node:crypto';
import { Transform, type TransformCallback, type Readable } from 'node:stream';

/** sha256 (lowercase hex) and length in bytes of a byte stream. */
export interface Digest {
  sha256: string;
  sizeBytes: number;
}

/**
 * Pass-through stream that hashes and counts the bytes flowing through it, so a single pass
 * both stores and fingerprints an artifact without holding more than one chunk in memory.
 * {@link DigestStream.digest} is available once the stream has flushed.
 */
export class DigestStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private result: Digest | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = { sha256: this.hash.digest('hex'), sizeBytes: this.bytes };
    callback();
  }

  /** The digest of everything that passed through. @throws Error when called before the stream ended. */
  digest(): Digest {
    if (this.result === null) throw new Error('DigestStream.digest() called before the stream ended');
    return this.result;
  }
}

/** Reads `stream` to its end, one chunk at a time, and returns its sha256 and size. */
export async function digestOf(stream: Readable): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
  }
  return { sha256: hash.digest('hex'), sizeBytes: bytes };
}
