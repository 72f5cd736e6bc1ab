/**
 * Trains the demo's two digits classifiers on the handwritten-digits data, prints per-epoch metrics and held-out
 * accuracies, and saves both as artifact directories.
 *
 *   npx tsx examples/train-digits.ts [artifact-dir]
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DIGITS_SPLIT,
  DIGITS_V1,
  DIGITS_V2,
  evaluate,
  loadDigits,
  saveModelArtifact,
  splitTrainTest,
  trainModel,
} from '../src/demo';

async function main(): Promise<void> {
  const rows = await loadDigits(join(__dirname, 'data', 'digits.csv.gz'));
  const { train, test } = splitTrainTest(rows, DIGITS_SPLIT);
  console.log(`digits: ${rows.length} rows, ${train.length} for training, ${test.length} held out`);
  const out = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'digits-')));

  const results = [];
  for (const [version, spec] of [
    ['1.0.0', DIGITS_V1],
    ['2.0.0', DIGITS_V2],
  ] as const) {
    console.log(
      `\nv${version}: ${spec.features}, ${spec.hiddenUnits ? `${spec.hiddenUnits} hidden units` : 'softmax regression'}`,
    );
    const model = await trainModel(spec, train, {
      onEpoch: (m) =>
        console.log(
          `  epoch ${String(m.epoch).padStart(2)}  loss ${m.loss.toFixed(4)}  acc ${m.accuracy.toFixed(4)}` +
            `  val_loss ${m.valLoss?.toFixed(4) ?? '-'}  val_acc ${m.valAccuracy?.toFixed(4) ?? '-'}`,
        ),
    });
    const held = evaluate(model, test);
    const dir = join(out, `v${version}`);
    await saveModelArtifact(model, dir, { metrics: { accuracy: held.accuracy, logLoss: held.logLoss } });
    console.log(
      `  held-out: accuracy ${held.accuracy.toFixed(4)} (${held.correct}/${held.n}), log-loss ${held.logLoss.toFixed(4)}; artifact ${dir}`,
    );
    results.push({ version, ...held });
  }
  const [v1, v2] = results;
  if (v1 && v2) console.log(`\nv2 - v1 held-out accuracy: ${((v2.accuracy - v1.accuracy) * 100).toFixed(2)} points`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
