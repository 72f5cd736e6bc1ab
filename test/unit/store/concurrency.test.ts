import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../../src/store';
import { BACKENDS, freshLocation, type TestRegistryLocation } from '../../helpers/store';

const WORKER = resolve(__dirname, '../../fixtures/store/register-worker.ts');
const PROCESSES = 8;
const PER_PROCESS = 5;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWorker(config: object, readyFile: string, goFile: string): Promise<Outcome> {
  return new Promise((resolveOutcome, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, JSON.stringify(config), String(PER_PROCESS), readyFile, goFile],
      {
        cwd: resolve(__dirname, '../../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveOutcome({ code, stdout, stderr }));
  });
}

describe.each(BACKENDS)('concurrent registration from separate processes on %s', (backend) => {
  let location: TestRegistryLocation;
  let dir: string;
  beforeAll(async () => {
    location = await freshLocation(backend);
    dir = mkdtempSync(join(tmpdir(), 'modelctl-concurrency-'));
  });
  afterAll(async () => {
    await location.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${PROCESSES} processes × ${PER_PROCESS} registrations of one model get distinct, gap-free versions and no error`, async () => {
    const goFile = join(dir, 'go');
    const readyFiles = Array.from({ length: PROCESSES }, (_, i) => join(dir, `ready-${i}`));
    // The processes also open (and migrate) the brand-new database at the same time.
    const running = readyFiles.map((ready) => runWorker(location.config, ready, goFile));
    // A worker that dies before it is ready shows up in the outcomes below; the bound only stops the wait.
    for (let polls = 0; polls < 3_000 && !readyFiles.every((f) => existsSync(f)); polls++) await sleep(20);
    writeFileSync(goFile, 'go');
    const outcomes = await Promise.all(running);

    expect(outcomes.map((o) => [o.code, o.stderr])).toEqual(outcomes.map(() => [0, '']));
    const got = outcomes.flatMap((o) => JSON.parse(o.stdout) as string[]);
    const expected = Array.from({ length: PROCESSES * PER_PROCESS }, (_, i) => `1.0.${i}`);
    expect([...got].sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]))).toEqual(expected);
    for (const o of outcomes) {
      const mine = (JSON.parse(o.stdout) as string[]).map((v) => Number(v.split('.')[2]));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }

    const store = await openStore(location.config);
    try {
      const versions = await store.listVersions('contended');
      expect(versions.map((v) => v.version)).toEqual(expected);
      expect(new Set(versions.map((v) => v.config.pid)).size).toBe(PROCESSES);
      expect((await store.events('contended')).length).toBe(PROCESSES * PER_PROCESS);
    } finally {
      await store.close();
    }
  });
});
