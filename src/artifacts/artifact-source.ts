import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { packDirectory, TAR_MEDIA_TYPE } from './directory-tar';

/** Media type recorded for a file artifact unless the caller names one. */
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

/** The bytes to store for a source path and what is known about them before reading. */
export interface ArtifactSource {
  /** Absolute path of the source. */
  path: string;
  stream: Readable;
  /** Default media type for this kind of source. */
  mediaType: string;
  /** Size in bytes announced by the file system for a file; null for a directory (the tar size is not known ahead). */
  expectedSizeBytes: number | null;
}

/**
 * Opens a file or directory for storing: a file is read as is, a directory is packed as a deterministic tar
 * (see {@link packDirectory}).
 * @throws ModelctlError ARTIFACT_MISSING when the path does not exist; INVALID_INPUT when it is neither a file nor
 *   a directory. A file that cannot be opened throws its system error (EACCES: see domain/system-errors).
 */
export async function openArtifactSource(sourcePath: string): Promise<ArtifactSource> {
  const path = resolve(sourcePath);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (isNodeError(err, 'ENOENT') || isNodeError(err, 'ENOTDIR')) {
      throw new ModelctlError(ErrorCode.ARTIFACT_MISSING, `artifact path does not exist: ${path}`, { path });
    }
    throw err;
  }
  if (info.isFile()) {
    // Opened here, not by the stream on its first read: a file that cannot be read (EACCES) then fails this call,
    // which the caller maps to one line, instead of an 'error' event on a stream nobody listens to yet.
    const handle = await open(path, 'r');
    return { path, stream: handle.createReadStream(), mediaType: DEFAULT_MEDIA_TYPE, expectedSizeBytes: info.size };
  }
  if (info.isDirectory()) {
    return { path, stream: packDirectory(path), mediaType: TAR_MEDIA_TYPE, expectedSizeBytes: null };
  }
  throw new ModelctlError(ErrorCode.INVALID_INPUT, `artifact path ${path} is neither a regular file nor a directory`, {
    path,
  });
}

/** True when `err` is a Node system error with the given code (ENOENT, EEXIST, …). */
export function isNodeError(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
