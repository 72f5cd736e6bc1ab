/** Real artifact stores for tests: a local one in a temp dir, a GCS one in a fresh emulator bucket. */
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ArtifactStore } from '../../src/artifacts';
import { GcsArtifactStore, LocalArtifactStore } from '../../src/artifacts';
import type { ArtifactRef } from '../../src/domain';
import { createTestBucket, emulatorStorage } from './gcs-emulator';

/** A store plus the back doors a test needs to inspect or damage what it holds. */
export interface StoreFixture {
  store: ArtifactStore;
  /** Every object or file under the store's base (temporary ones included), relative to it, sorted. */
  listAll(): Promise<string[]>;
  /** Replaces the stored bytes of `ref` behind the store's back. */
  overwrite(ref: ArtifactRef, bytes: Buffer): Promise<void>;
  /** Deletes the stored object of `ref` behind the store's back. */
  remove(ref: ArtifactRef): Promise<void>;
  /** Changes whenever the stored object is rewritten (inode and mtime; GCS generation). */
  objectVersion(ref: ArtifactRef): Promise<string>;
  cleanup(): Promise<void>;
}

export type StoreKind = 'local' | 'gcs';

export async function makeStore(kind: StoreKind): Promise<StoreFixture> {
  return kind === 'local' ? makeLocalStore() : makeGcsStore();
}

async function makeLocalStore(): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'modelctl-artifacts-'));
  const store = new LocalArtifactStore(join(dir, 'store'));
  const base = join(dir, 'store');
  return {
    store,
    listAll: async () => (await listFiles(base)).map((f) => relative(base, f)).sort(),
    overwrite: async (ref, bytes) => {
      const path = store.pathOf(ref.sha256);
      await chmod(path, 0o644);
      await writeFile(path, bytes);
    },
    remove: (ref) => rm(store.pathOf(ref.sha256)),
    objectVersion: async (ref) => {
      const info = await stat(store.pathOf(ref.sha256));
      return `${info.ino}:${info.mtimeMs}`;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function makeGcsStore(): Promise<StoreFixture> {
  const bucketName = await createTestBucket();
  const prefix = 'team/artifacts';
  const bucket = emulatorStorage().bucket(bucketName);
  const store = new GcsArtifactStore(emulatorStorage(), { bucket: bucketName, prefix });
  const objectOf = (ref: ArtifactRef) => bucket.file(`${prefix}/sha256/${ref.sha256.slice(0, 2)}/${ref.sha256}`);
  return {
    store,
    listAll: async () => {
      const [files] = await bucket.getFiles({ prefix: `${prefix}/` });
      return files.map((f) => f.name.slice(prefix.length + 1)).sort();
    },
    overwrite: async (ref, bytes) => {
      await objectOf(ref).save(bytes, { resumable: false });
    },
    remove: async (ref) => {
      await objectOf(ref).delete();
    },
    objectVersion: async (ref) => {
      const [metadata] = await objectOf(ref).getMetadata();
      return String(metadata.generation);
    },
    cleanup: async () => {
      await bucket.deleteFiles({ force: true });
      await bucket.delete();
    },
  };
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat();
}

/** Lowercase hex sha256 of bytes. */
export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
