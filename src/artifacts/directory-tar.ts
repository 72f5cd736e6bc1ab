import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
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
 * Symbolic links that stay inside `root` are followed (the archive holds what they point to); a link that leaves
 * `root` (a link to a system file would otherwise be packed), a dangling link, a link cycle, a special file (socket,
 * FIFO, device) or a file name that is not UTF-8 fails the stream with ModelctlError INVALID_INPUT naming the path.
 * File bodies are streamed one at a time with back-pressure; a file whose size changes while it is read fails the
 * stream.
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
  const real = await realpath(root);
  await addDirectory(archive, { root, real }, root, '', [real]);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Names in `dir`, sorted; a name that is not UTF-8 could not be written to the tar header as it is on disk. */
async function entryNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { encoding: 'buffer' }))
    .map((raw) => {
      try {
        return UTF8.decode(raw);
      } catch {
        throw new ModelctlError(
          ErrorCode.INVALID_INPUT,
          `artifact directory contains a file name that is not UTF-8 in ${dir}: ${JSON.stringify(raw.toString('latin1'))}`,
        );
      }
    })
    .sort();
}

/** Refuses a symbolic link at `path` that dangles or resolves outside the artifact directory. */
async function checkLink(path: string, root: { root: string; real: string }): Promise<void> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `artifact directory contains a dangling symbolic link ${path} -> ${await readlink(path)}`,
    );
  }
  if (real !== root.real && !real.startsWith(root.real + sep)) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `artifact directory contains a symbolic link ${path} that leaves ${root.root} (to ${real})`,
    );
  }
}

async function addDirectory(
  archive: Pack,
  root: { root: string; real: string },
  dir: string,
  prefix: string,
  ancestors: string[],
): Promise<void> {
  for (const name of await entryNames(dir)) {
    const path = join(dir, name);
    const entryName = prefix + name;
    if ((await lstat(path)).isSymbolicLink()) await checkLink(path, root);
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
      await addDirectory(archive, root, path, `${entryName}/`, [...ancestors, real]);
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
