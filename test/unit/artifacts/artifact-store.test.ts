import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { ArtifactRef } from '../../../src/domain';
import { isModelctlError, type ModelctlError } from '../../../src/domain';
import { makeStore, sha256Hex, type StoreFixture, type StoreKind } from '../../helpers/artifact-stores';

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<ModelctlError> {
  try {
    await promise;
  } catch (err) {
    if (isModelctlError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** A stream that delivers `chunks` chunks of 64 KiB, then fails like a dropped connection. */
function failingStream(chunks: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent < chunks) {
        sent += 1;
        this.push(randomBytes(64 * 1024));
      } else {
        this.destroy(new Error('connection reset by peer'));
      }
    },
  });
}

interface TarEntry {
  name: string;
  type: string | null | undefined;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  mtime: number | undefined;
  body: string;
}

async function tarEntries(bytes: Buffer): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for await (const entry of Readable.from([bytes]).pipe(extract())) {
    const { name, type, mode, uid, gid, mtime } = entry.header;
    entries.push({ name, type, mode, uid, gid, mtime: mtime?.getTime(), body: (await readAll(entry)).toString() });
  }
  return entries;
}

describe.each<StoreKind>(['local', 'gcs'])('%s artifact store', (kind) => {
  let fixture: StoreFixture;
  let work: string;

  beforeEach(async () => {
    fixture = await makeStore(kind);
    work = await mkdtemp(join(tmpdir(), 'modelctl-artifact-src-'));
  });
  afterEach(async () => {
    await fixture.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  async function writeSource(name: string, bytes: Buffer | string): Promise<string> {
    const path = join(work, name);
    await writeFile(path, bytes);
    return path;
  }

  test('a file is stored under its sha256 and reads back byte for byte', async () => {
    const bytes = randomBytes(300_000);
    const sha = sha256Hex(bytes);
    const ref = await fixture.store.put(await writeSource('model.bin', bytes));

    expect(ref).toEqual({
      uri: `${fixture.store.baseUri}/sha256/${sha.slice(0, 2)}/${sha}`,
      sha256: sha,
      sizeBytes: 300_000,
      mediaType: 'application/octet-stream',
    });
    expect(await fixture.listAll()).toEqual([`sha256/${sha.slice(0, 2)}/${sha}`]);
    expect(await fixture.store.exists(ref)).toBe(true);
    expect((await readAll(await fixture.store.openRead(ref))).equals(bytes)).toBe(true);
    expect(await fixture.store.verify(ref)).toEqual({
      ok: true,
      reason: null,
      actualSha256: sha,
      actualSizeBytes: 300_000,
    });
  });

  test('an empty file is a valid artifact', async () => {
    const ref = await fixture.store.put(await writeSource('empty', ''));
    expect(ref.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(ref.sizeBytes).toBe(0);
    expect((await fixture.store.verify(ref)).ok).toBe(true);
  });

  test('the media type given is recorded', async () => {
    const ref = await fixture.store.put(await writeSource('model.onnx', 'onnx'), { mediaType: 'application/onnx' });
    expect(ref.mediaType).toBe('application/onnx');
  });

  test('putting the same bytes again returns the same ref and does not rewrite the stored object', async () => {
    const bytes = randomBytes(50_000);
    const first = await fixture.store.put(await writeSource('a.bin', bytes));
    const version = await fixture.objectVersion(first);
    const second = await fixture.store.put(await writeSource('b.bin', bytes));

    expect(second).toEqual(first);
    expect(await fixture.objectVersion(first)).toBe(version);
    expect(await fixture.listAll()).toEqual([`sha256/${first.sha256.slice(0, 2)}/${first.sha256}`]);
  });

  test('concurrent puts of the same bytes give one object and leave no temporary objects', async () => {
    const path = await writeSource('model.bin', randomBytes(200_000));
    const refs = await Promise.all([1, 2, 3, 4].map(() => fixture.store.put(path)));

    expect(new Set(refs.map((r) => JSON.stringify(r))).size).toBe(1);
    const ref = refs[0] as ArtifactRef;
    expect(await fixture.listAll()).toEqual([`sha256/${ref.sha256.slice(0, 2)}/${ref.sha256}`]);
    expect((await fixture.store.verify(ref)).ok).toBe(true);
  });

  test('a declared sha256 that matches the bytes is accepted', async () => {
    const ref = await fixture.store.put(await writeSource('m', 'weights'), { expectedSha256: sha256Hex('weights') });
    expect(ref.sha256).toBe(sha256Hex('weights'));
  });

  test('a declared sha256 that differs fails with CHECKSUM_MISMATCH naming expected and actual, and stores nothing', async () => {
    const declared = sha256Hex('other bytes');
    const path = await writeSource('m', 'weights');
    const err = await rejection(fixture.store.put(path, { expectedSha256: declared }));

    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.message).toBe(
      `checksum mismatch for ${path}: expected sha256 ${declared}, actual ${sha256Hex('weights')}`,
    );
    expect(err.details).toEqual({ source: path, expected: declared, actual: sha256Hex('weights') });
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a missing source path fails with ARTIFACT_MISSING and stores nothing', async () => {
    const path = join(work, 'nope.bin');
    const err = await rejection(fixture.store.put(path));
    expect(err.code).toBe('ARTIFACT_MISSING');
    expect(err.message).toBe(`artifact path does not exist: ${path}`);
    expect(await fixture.listAll()).toEqual([]);
  });

  test('invalid put options are refused naming the field', async () => {
    const path = await writeSource('m', 'weights');
    const err = await rejection(fixture.store.put(path, { expectedSha256: 'ABC' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      'invalid artifact put options: expectedSha256: must be a lowercase hex sha256 (64 characters)',
    );
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a source stream that fails midway leaves no object and no temporary object', async () => {
    await expect(fixture.store.putStream(failingStream(20))).rejects.toThrow('connection reset by peer');
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a stream that ends short of its declared size fails with CHECKSUM_MISMATCH and stores nothing', async () => {
    const err = await rejection(
      fixture.store.putStream(Readable.from([Buffer.from('half a mod')]), { expectedSizeBytes: 20 }),
    );
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.message).toBe('size mismatch for stream: expected 20 bytes, actual 10');
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a stream of the declared size and checksum is stored', async () => {
    const bytes = randomBytes(70_000);
    const ref = await fixture.store.putStream(Readable.from([bytes.subarray(0, 30_000), bytes.subarray(30_000)]), {
      expectedSizeBytes: 70_000,
      expectedSha256: sha256Hex(bytes),
    });
    expect(ref.sha256).toBe(sha256Hex(bytes));
    expect((await readAll(await fixture.store.openRead(ref))).equals(bytes)).toBe(true);
  });

  test('a directory whose walk fails midway (a FIFO after a large file) stores nothing', async () => {
    const dir = join(work, 'model');
    await mkdir(dir);
    await writeFile(join(dir, 'a-weights.bin'), randomBytes(2 * 1024 * 1024));
    execFileSync('mkfifo', [join(dir, 'z-pipe')]);

    const err = await rejection(fixture.store.put(dir));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      `artifact directory contains ${join(dir, 'z-pipe')}, which is neither a regular file nor a directory`,
    );
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a symbolic link cycle in a directory is refused and stores nothing', async () => {
    const dir = join(work, 'model');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'sub', 'w.bin'), 'w');
    await symlink(dir, join(dir, 'sub', 'loop'));
    const err = await rejection(fixture.store.put(dir));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(`artifact directory contains a symbolic link cycle at ${join(dir, 'sub', 'loop')}`);
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a symbolic link that leaves the directory is refused and stores nothing', async () => {
    const dir = join(work, 'model');
    await mkdir(dir);
    await writeFile(join(dir, 'w.bin'), 'w');
    await writeFile(join(work, 'secret.txt'), 'outside');
    await symlink(join(work, 'secret.txt'), join(dir, 'leak'));
    const err = await rejection(fixture.store.put(dir));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      `artifact directory contains a symbolic link ${join(dir, 'leak')} that leaves ${dir} (to ${join(work, 'secret.txt')})`,
    );
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a dangling symbolic link is refused naming the link and its target, and stores nothing', async () => {
    const dir = join(work, 'model');
    await mkdir(dir);
    await symlink('gone.bin', join(dir, 'weights.bin'));
    const err = await rejection(fixture.store.put(dir));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      `artifact directory contains a dangling symbolic link ${join(dir, 'weights.bin')} -> gone.bin`,
    );
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a file name that is not UTF-8 is refused naming the directory, and stores nothing', async () => {
    const dir = join(work, 'model');
    await mkdir(dir);
    await writeFile(Buffer.concat([Buffer.from(`${dir}/w`), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]), 'w');
    const err = await rejection(fixture.store.put(dir));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      `artifact directory contains a file name that is not UTF-8 in ${dir}: "w\u00ff\u00fe.bin"`,
    );
    expect(await fixture.listAll()).toEqual([]);
  });

  test('a symbolic link inside the directory is packed as the bytes it points to', async () => {
    const plain = join(work, 'plain');
    await mkdir(join(plain, 'blobs'), { recursive: true });
    await writeFile(join(plain, 'blobs', 'b1'), 'W');
    await writeFile(join(plain, 'weights.bin'), 'W');
    const linked = join(work, 'linked');
    await mkdir(join(linked, 'blobs'), { recursive: true });
    await writeFile(join(linked, 'blobs', 'b1'), 'W');
    await symlink('blobs/b1', join(linked, 'weights.bin'));
    const a = await fixture.store.put(plain);
    const b = await fixture.store.put(linked);
    expect(b.sha256).toBe(a.sha256);
  });

  describe('directories', () => {
    async function makeModelDir(root: string, fileMode: number, mtime: Date): Promise<string> {
      await mkdir(join(root, 'tokenizer'), { recursive: true });
      await mkdir(join(root, 'empty'));
      await writeFile(join(root, 'weights.bin'), 'W');
      await writeFile(join(root, 'config.json'), '{"layers":2}');
      await writeFile(join(root, 'tokenizer', 'vocab.txt'), 'a\nb\n');
      await writeFile(join(root, 'run.sh'), '#!/bin/sh\n');
      await chmod(join(root, 'run.sh'), 0o750);
      for (const f of ['weights.bin', 'config.json', 'tokenizer/vocab.txt']) await chmod(join(root, f), fileMode);
      for (const p of ['weights.bin', 'config.json', 'tokenizer/vocab.txt', 'run.sh', 'tokenizer', 'empty', '.']) {
        await utimes(join(root, p), mtime, mtime);
      }
      return root;
    }

    test('a directory is stored as a tar with sorted entries and normalised metadata', async () => {
      const dir = await makeModelDir(join(work, 'model'), 0o664, new Date('2024-05-01T10:00:00Z'));
      const ref = await fixture.store.put(dir);

      expect(ref.mediaType).toBe('application/x-tar');
      const entries = await tarEntries(await readAll(await fixture.store.openRead(ref)));
      expect(entries).toEqual([
        { name: 'config.json', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, body: '{"layers":2}' },
        { name: 'empty/', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0, body: '' },
        { name: 'run.sh', type: 'file', mode: 0o755, uid: 0, gid: 0, mtime: 0, body: '#!/bin/sh\n' },
        { name: 'tokenizer/', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0, body: '' },
        { name: 'tokenizer/vocab.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, body: 'a\nb\n' },
        { name: 'weights.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, body: 'W' },
      ]);
      // The system tar reads it too: a standard archive, not a private format.
      const listing = execFileSync('tar', ['-tf', '-'], {
        input: await readAll(await fixture.store.openRead(ref)),
      }).toString();
      expect(listing.trim().split('\n')).toEqual(entries.map((e) => e.name));
    });

    test('equal directory contents give the same sha256 whatever the root name, mtimes and group/other modes', async () => {
      const a = await fixture.store.put(
        await makeModelDir(join(work, 'run-a'), 0o664, new Date('2024-05-01T10:00:00Z')),
      );
      const b = await fixture.store.put(
        await makeModelDir(join(work, 'run-b'), 0o600, new Date('2025-01-02T03:04:05Z')),
      );
      expect(b).toEqual(a);
      expect(await fixture.listAll()).toHaveLength(1);
    });

    test('a change of content, of the executable bit or of an empty directory changes the sha256', async () => {
      const mtime = new Date('2024-05-01T10:00:00Z');
      const base = await fixture.store.put(await makeModelDir(join(work, 'base'), 0o644, mtime));

      const edited = await makeModelDir(join(work, 'edited'), 0o644, mtime);
      await writeFile(join(edited, 'weights.bin'), 'X');
      const executable = await makeModelDir(join(work, 'exec'), 0o644, mtime);
      await chmod(join(executable, 'config.json'), 0o755);
      const noEmpty = await makeModelDir(join(work, 'no-empty'), 0o644, mtime);
      await rm(join(noEmpty, 'empty'), { recursive: true });

      const shas = [
        base,
        await fixture.store.put(edited),
        await fixture.store.put(executable),
        await fixture.store.put(noEmpty),
      ].map((r) => r.sha256);
      expect(new Set(shas).size).toBe(4);
    });
  });

  describe('verify', () => {
    test('detects a stored object corrupted in place (same size)', async () => {
      const bytes = Buffer.from('the trained weights');
      const ref = await fixture.store.put(await writeSource('m', bytes));
      const corrupted = Buffer.from('the trained weighTs');
      await fixture.overwrite(ref, corrupted);

      expect(await fixture.store.verify(ref)).toEqual({
        ok: false,
        reason: `checksum mismatch for ${ref.uri}: expected sha256 ${ref.sha256}, actual ${sha256Hex(corrupted)}`,
        actualSha256: sha256Hex(corrupted),
        actualSizeBytes: bytes.length,
      });
    });

    test('detects a truncated stored object by its size', async () => {
      const ref = await fixture.store.put(await writeSource('m', 'the trained weights'));
      await fixture.overwrite(ref, Buffer.from('the trained'));

      expect(await fixture.store.verify(ref)).toEqual({
        ok: false,
        reason: `size mismatch for ${ref.uri}: expected 19 bytes, actual 11`,
        actualSha256: sha256Hex('the trained'),
        actualSizeBytes: 11,
      });
    });

    test('reports a missing object without throwing; exists is false and openRead fails with ARTIFACT_MISSING', async () => {
      const ref = await fixture.store.put(await writeSource('m', 'weights'));
      await fixture.remove(ref);

      expect(await fixture.store.verify(ref)).toEqual({
        ok: false,
        reason: `missing object: ${ref.uri}`,
        actualSha256: null,
        actualSizeBytes: null,
      });
      expect(await fixture.store.exists(ref)).toBe(false);
      const err = await rejection(fixture.store.openRead(ref));
      expect(err.code).toBe('ARTIFACT_MISSING');
      expect(err.message).toBe(`artifact object is missing: ${ref.uri}`);
    });

    test('putting the bytes again repairs a truncated object', async () => {
      const path = await writeSource('m', 'the trained weights');
      const ref = await fixture.store.put(path);
      await fixture.overwrite(ref, Buffer.from('the'));
      expect(await fixture.store.put(path)).toEqual(ref);
      expect((await fixture.store.verify(ref)).ok).toBe(true);
    });

    test('a ref that is not this store’s object is refused with INVALID_INPUT', async () => {
      const ref = await fixture.store.put(await writeSource('m', 'weights'));
      const foreign = { ...ref, uri: `file:///elsewhere/sha256/${ref.sha256.slice(0, 2)}/${ref.sha256}` };
      const err = await rejection(fixture.store.verify(foreign));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toBe(
        `invalid artifact ref: uri ${foreign.uri} is not this store's object for sha256 ${ref.sha256} (expected ${ref.uri})`,
      );
    });

    test('a malformed ref is refused naming the field', async () => {
      const err = await rejection(fixture.store.exists({ uri: 'x', sha256: 'xyz', sizeBytes: -1, mediaType: 'a' }));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toBe(
        'invalid artifact ref: sha256: must be a lowercase hex sha256 (64 characters); sizeBytes: must be ≥ 0',
      );
    });
  });
});

test('a file read back from the local store keeps its bytes after the source is deleted', async () => {
  const fixture = await makeStore('local');
  const work = await mkdtemp(join(tmpdir(), 'modelctl-artifact-src-'));
  try {
    const path = join(work, 'm.bin');
    await writeFile(path, 'kept');
    const ref = await fixture.store.put(path);
    await rm(path);
    expect((await readAll(await fixture.store.openRead(ref))).toString()).toBe('kept');
    expect(await readFile(new URL(ref.uri))).toEqual(Buffer.from('kept'));
  } finally {
    await fixture.cleanup();
    await rm(work, { recursive: true, force: true });
  }
});

test('putting the right bytes again heals a local object corrupted in place (same size)', async () => {
  const fixture = await makeStore('local');
  const work = await mkdtemp(join(tmpdir(), 'modelctl-artifact-src-'));
  try {
    const bytes = Buffer.from('the trained weights');
    const path = join(work, 'm.bin');
    await writeFile(path, bytes);
    const ref = await fixture.store.put(path);
    await fixture.overwrite(ref, Buffer.from('the trained weighTs'));
    expect((await fixture.store.verify(ref)).ok).toBe(false);

    expect(await fixture.store.put(path)).toEqual(ref);

    expect(await fixture.store.verify(ref)).toEqual({
      ok: true,
      reason: null,
      actualSha256: ref.sha256,
      actualSizeBytes: bytes.length,
    });
    expect(await readFile(new URL(ref.uri))).toEqual(bytes);
    expect(await fixture.listAll()).toEqual([`sha256/${ref.sha256.slice(0, 2)}/${ref.sha256}`]);
  } finally {
    await fixture.cleanup();
    await rm(work, { recursive: true, force: true });
  }
});
