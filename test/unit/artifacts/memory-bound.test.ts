import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ArtifactRef } from '../../../src/domain';
import type { VerifyResult } from '../../../src/artifacts';
import { createTestBucket, emulatorStorage } from '../../helpers/gcs-emulator';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const CHILD = join(ROOT, 'test/fixtures/artifacts/put-artifact.ts');
const HEAP_MIB = 64;
const FILE_BYTES = 256 * 1024 * 1024;
// One 512-byte header, the body (already a multiple of 512), two 512-byte zero blocks closing the archive.
const TAR_BYTES = 512 + FILE_BYTES + 1024;

interface ChildReport {
  refs: ArtifactRef[];
  verified: VerifyResult[];
  heapLimitBytes: number;
  maxRssBytes: number;
}

/** Puts `paths` into `storeUri` from a Node process whose V8 heap is capped at HEAP_MIB. */
async function putInSmallHeap(storeUri: string, paths: string[]): Promise<ChildReport> {
  const { stdout } = await run(
    process.execPath,
    [`--max-old-space-size=${HEAP_MIB}`, '--require', 'tsx/cjs', CHILD, storeUri, ...paths],
    { cwd: ROOT, env: process.env, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout) as ChildReport;
}

async function sha256sum(path: string): Promise<string> {
  const { stdout } = await run('sha256sum', [path]);
  return stdout.split(' ')[0] ?? '';
}

describe('memory stays bounded whatever the artifact size', () => {
  let work: string;
  let bigFile: string;
  let bigDir: string;
  let expectedSha: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'modelctl-memory-'));
    bigFile = join(work, 'weights.bin');
    // Mostly a sparse zero file (fast to make), with distinct bytes at both ends so a lost chunk changes the hash.
    await writeFile(bigFile, 'head of the weights');
    await truncate(bigFile, FILE_BYTES);
    const tail = await open(bigFile, 'r+');
    await tail.write(Buffer.from('tail'), 0, 4, FILE_BYTES - 4);
    await tail.close();
    bigDir = join(work, 'model');
    await mkdir(bigDir);
    await link(bigFile, join(bigDir, 'weights.bin'));
    expectedSha = await sha256sum(bigFile);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('a 256 MiB file and a directory holding it go into the local store from a 64 MiB heap', async () => {
    const report = await putInSmallHeap(join(work, 'store'), [bigFile, bigDir]);
    const [file, dir] = report.refs as [ArtifactRef, ArtifactRef];

    expect(report.heapLimitBytes).toBeLessThan(FILE_BYTES);
    expect(file.sha256).toBe(expectedSha);
    expect(file.sizeBytes).toBe(FILE_BYTES);
    expect(dir.sizeBytes).toBe(TAR_BYTES);
    expect(dir.mediaType).toBe('application/x-tar');
    expect(await sha256sum(fileURLToPath(file.uri))).toBe(expectedSha);
    expect(await sha256sum(fileURLToPath(dir.uri))).toBe(dir.sha256);
    expect(report.verified.map((v) => v.ok)).toEqual([true, true]);
    // Holding the file in memory would need at least its size in resident memory on top of Node itself.
    expect(report.maxRssBytes).toBeLessThan(FILE_BYTES);
  });

  test('a 256 MiB file goes into the GCS store from a 64 MiB heap', async () => {
    const bucketName = await createTestBucket('modelctl-memory');
    try {
      const report = await putInSmallHeap(`gs://${bucketName}/big`, [bigFile]);
      const [file] = report.refs as [ArtifactRef];

      expect(file.sha256).toBe(expectedSha);
      expect(file.uri).toBe(`gs://${bucketName}/big/sha256/${expectedSha.slice(0, 2)}/${expectedSha}`);
      expect(file.sizeBytes).toBe(FILE_BYTES);
      expect(report.verified.map((v) => v.ok)).toEqual([true]);
      expect(report.maxRssBytes).toBeLessThan(FILE_BYTES);
    } finally {
      const bucket = emulatorStorage().bucket(bucketName);
      await bucket.deleteFiles({ force: true });
      await bucket.delete();
    }
  });
});
