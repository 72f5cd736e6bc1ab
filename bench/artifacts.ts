/**
 * Artifact ingest of one large file into the local store and into the GCS emulator (sha256 while streaming, then
 * the object under its digest): MB/s and the ingesting process's peak RSS, next to what the machine does with the
 * same file in the same run: `sha256sum` alone, `cp` alone, and the two one after the other.
 */
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestBucket, startGcsEmulator, stopGcsEmulator } from '../test/helpers/gcs-emulator';
import type { Benchmark, BenchContext } from './lib/context';
import { median, timed } from './lib/measure';
import { fmt, ratio, type Row } from './lib/report';

const run = promisify(execFile);
const MB = 1e6;
const INGEST = resolve(__dirname, 'artifact-ingest.ts');

interface Ingest {
  ms: number;
  sizeBytes: number;
  baselineRssMiB: number;
  peakRssMiB: number;
}

async function ingest(file: string, target: string): Promise<Ingest> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', INGEST, file, target], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Ingest;
}

async function machineLimit(ctx: BenchContext, file: string): Promise<{ sha: number; cp: number }> {
  const sha = await timed(() => run('sha256sum', [file]));
  const copy = join(ctx.tmp, 'copy.bin');
  const cp = await timed(() => run('cp', [file, copy]));
  rmSync(copy, { force: true });
  return { sha: sha.ms, cp: cp.ms };
}

export const artifacts: Benchmark = {
  name: 'artifacts',
  async run(ctx) {
    const sizeMiB = ctx.quick ? 128 : 2048;
    const file = join(ctx.tmp, 'artifact.bin');
    ctx.log(`artifacts: writing a ${sizeMiB} MiB random file`);
    // Random bytes, so nothing along the way can compress or deduplicate them.
    execFileSync('bash', ['-c', `head -c ${sizeMiB}M /dev/urandom > '${file}'`]);
    const bytes = sizeMiB * 2 ** 20;
    const host = await startGcsEmulator();
    const bucket = host === null ? null : await createTestBucket('modelctl-bench');
    if (host === null) ctx.log('artifacts: fake-gcs-server not found, the GCS row stays empty');
    const limits: { sha: number; cp: number }[] = [];
    const local: Ingest[] = [];
    const gcs: Ingest[] = [];
    try {
      for (let r = 0; r < ctx.runs; r++) {
        ctx.log(`artifacts: run ${r + 1}/${ctx.runs}`);
        limits.push(await machineLimit(ctx, file));
        const dir = join(ctx.tmp, `store-${r}`);
        local.push(await ingest(file, `file://${dir}`));
        rmSync(dir, { recursive: true, force: true });
        // A prefix per run: the same bytes under the same key would be found and not uploaded again.
        if (bucket !== null) gcs.push(await ingest(file, `gs://${bucket}/run-${r}`));
      }
    } finally {
      await stopGcsEmulator();
      rmSync(file, { force: true });
    }
    const mbps = (ms: number) => bytes / MB / (ms / 1000);
    const sha = median(limits.map((l) => mbps(l.sha)));
    const cp = median(limits.map((l) => mbps(l.cp)));
    const both = median(limits.map((l) => mbps(l.sha + l.cp)));
    const row = (label: string, runs: Ingest[]): Row => {
      const rate = median(runs.map((i) => mbps(i.ms)));
      return {
        group: 'artifacts',
        case: label,
        modelctl: `${fmt(rate)} MB/s, peak RSS ${fmt(median(runs.map((i) => i.peakRssMiB)))} MiB`,
        peer: `${fmt(both)} MB/s`,
        ratio: ratio(rate, both),
        note: `process baseline ${fmt(median(runs.map((i) => i.baselineRssMiB)))} MiB`,
      };
    };
    const rows: Row[] = [
      { group: 'artifacts', case: 'sha256sum alone', modelctl: '', peer: `${fmt(sha)} MB/s` },
      { group: 'artifacts', case: 'cp alone', modelctl: '', peer: `${fmt(cp)} MB/s` },
      row('local store (file://)', local),
      ...(gcs.length > 0 ? [row('GCS emulator (gs://, fake-gcs-server in memory)', gcs)] : []),
    ];
    return [
      {
        title: `Artifact ingest (${sizeMiB} MiB file)`,
        peerName: 'sha256sum + cp',
        method: `${ctx.runs} runs. One random ${sizeMiB} MiB file (in the page cache after the first read, for every contender alike). modelctl: \`ArtifactStore.put\` in a fresh Node process (peak RSS is that process's maxrss, baseline its RSS before the put). Machine limit: \`sha256sum\` then \`cp\` of the same file, run one after the other in the same run; modelctl does both jobs in one pass. Ratio above 1: modelctl faster than the two tools in sequence.`,
        rows,
      },
    ];
  },
};
