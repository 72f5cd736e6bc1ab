import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { ErrorCode, ModelctlError } from '../domain/errors';

/** Media type recorded for a directory artifact. */
export const TAR_MEDIA_TYPE = 'application/x-tar';

/** Fixed metadata of every entry, so the archive depends on names, contents and the executable bit only. */
const FIXED = { mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' } as const;
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;
const EXEC_MODE = 0o755;

/**
 * Packs the directory `root` as a deterministic tar stream: entries in a fixed order (depth first, names sorted
 * by UTF-16 code units within each directory), paths relative to `root` (so renaming the directory does not change
 * the bytes), mtime 0, uid/gid 0, empty owner names, mode 0755 for directories and executables and 0644 otherwise.
 * Equal directory contents therefore give equal bytes, hence the same sha256.
 *
 * Symbolic links are followed (model snapshots often link into a blob cache); a link cycle or a special file
 * (socket, FIFO, device) fails the stream with ModelctlError INVALID_INPUT. File bodies are streamed one at a
 * time with back-pressure; a file whose size changes while it is read fails the stream.
 */
export function packDirectory(root: string): Readable {
  const archive = pack();
  fill(archive, root).then(
    () => archive.finalize(),
    (err: unknown) => archive.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  // Readable.from gives a Node stream, whose destroy() also stops the walk through the iterator's return.
  return Readable.from(archive, { objectMode: false });
}

async function fill(archive: Pack, root: string): Promise<void> {
  await addDirectory(archive, root, '', [await realpath(root)]);
}

async function addDirectory(archive: Pack, dir: string, prefix: string, ancestors: string[]): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const entryName = prefix + name;
    const info = await stat(path);
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (ancestors.includes(real)) {
        throw new ModelctlError(
          ErrorCode.INVALID_INPUT,
          `artifact directory contains a symbolic link cycle at ${path}`,
        );
      }
      await addEntry(archive, { ...FIXED, name: `${entryName}/`, type: 'directory', mode: DIR_MODE });
      await addDirectory(archive, path, `${entryName}/`, [...ancestors, real]);
    } else if (info.isFile()) {
      const mode = (info.mode & 0o111) !== 0 ? EXEC_MODE : FILE_MODE;
      const entry = archive.entry({ ...FIXED, name: entryName, type: 'file', mode, size: info.size });
      await pipeline(createReadStream(path), entry);
    } else {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `artifact directory contains ${path}, which is neither a regular file nor a directory`,
      );
    }
  }
}

function addEntry(archive: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    archive.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}
