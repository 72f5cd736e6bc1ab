/**
 * One artifact ingest in a process of its own, so its peak RSS is the ingest's: `node --import tsx
 * bench/artifact-ingest.ts <file> <file:///dir | gs://bucket>`. Prints {ms, sizeBytes, baselineRssMiB, peakRssMiB}.
 */
import { createArtifactStore } from '../src/artifacts';
import { peakRssMiB, timed } from './lib/measure';

async function main(): Promise<void> {
  const [file, target] = process.argv.slice(2);
  if (file === undefined || target === undefined) throw new Error('usage: artifact-ingest.ts <file> <store uri>');
  const store = createArtifactStore(target);
  const baselineRssMiB = peakRssMiB();
  const { ms, value } = await timed(() => store.put(file));
  console.log(JSON.stringify({ ms, sizeBytes: value.sizeBytes, baselineRssMiB, peakRssMiB: peakRssMiB() }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
