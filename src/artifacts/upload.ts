import type { Readable } from 'node:stream';

/** One put in progress: the bytes and what they must match. Built by ContentAddressedStore, consumed by a store. */
export interface Upload {
  /** Names the source in error messages: a path, or "stream". */
  label: string;
  stream: Readable;
  mediaType: string;
  expectedSha256?: string;
  expectedSizeBytes?: number;
  /** Where expectedSizeBytes came from: the file system (a mismatch means the file changed) or the caller. */
  sizeFrom: 'file' | 'declared';
}
