import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { fromSystemError } from '../domain/system-errors';

/** What lstat(2) found at a path that is not a regular file, in the words of the refusal. */
function kindOf(info: Awaited<ReturnType<typeof lstat>>): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Writes `text` to `file` (absolute) through a temporary sibling and a rename, so a reader never sees half of it,
 * and only ever creates or replaces a regular file: the rename would otherwise replace a symbolic link, a device node
 * or a FIFO with a regular file (and the CLI may run as root), so anything else at the path is refused unchanged.
 * @param flag the flag as typed (`--out`), named in every message.
 * @throws ModelctlError REFUSED (not a regular file), NO_SPACE, INVALID_INPUT (permission, missing directory)
 */
export async function writeOutputFile(flag: string, file: string, text: string): Promise<void> {
  const existing = await lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw fileError(flag, file, err);
  });
  if (existing !== undefined && !existing.isFile()) {
    throw new ModelctlError(
      ErrorCode.REFUSED,
      `refusing ${flag} ${file}: it is ${kindOf(existing)}; only a regular file is created or replaced`,
    );
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    // wx: the temporary name is never followed through a link planted there.
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw fileError(flag, file, err);
  }
}

function fileError(flag: string, file: string, err: unknown): ModelctlError {
  const mapped = fromSystemError(err, file);
  if (mapped !== undefined) return new ModelctlError(mapped.code, `cannot write ${flag}: ${mapped.message}`);
  const code = (err as NodeJS.ErrnoException).code;
  return new ModelctlError(ErrorCode.INVALID_INPUT, `cannot write ${flag} ${file}: ${code ?? String(err)}`, undefined, {
    cause: err,
  });
}
