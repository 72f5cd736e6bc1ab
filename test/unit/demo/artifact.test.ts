import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DIGITS_V1,
  DIGITS_V2,
  type DigitRow,
  type TrainedModel,
  evaluate,
  loadModelArtifact,
  predict,
  predictProbabilities,
  saveModelArtifact,
  trainModel,
} from '../../../src/demo';
import { loadDemoDigits } from '../../helpers/digits';

let train: DigitRow[];
let test: DigitRow[];
let model: TrainedModel;
let root: string;

beforeAll(async () => {
  ({ train, test } = await loadDemoDigits());
  model = await trainModel({ ...DIGITS_V2, hiddenUnits: 8, epochs: 3 }, train);
  root = await mkdtemp(join(tmpdir(), 'digits-artifact-'));
});

const listed = async (dir: string) => (await readdir(dir)).sort();

describe('saveModelArtifact and loadModelArtifact', () => {
  it('round-trips a model: the loaded one gives the same probabilities, labels and card', async () => {
    const dir = join(root, 'round-trip', 'v2');
    const files = await saveModelArtifact(model, dir, { metrics: { accuracy: 0.5, logLoss: 1.25 } });
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'model-card.json']);
    // 64×8 + 8 + 8×10 + 10 float32 weights
    expect(files[1]).toMatchObject({ name: 'weights.bin', sizeBytes: 4 * (64 * 8 + 8 + 8 * 10 + 10) });
    expect(files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(await listed(dir)).toEqual(['model-card.json', 'model.json', 'weights.bin']);
    expect(await readdir(join(root, 'round-trip'))).toEqual(['v2']);

    const loaded = await loadModelArtifact(dir);
    expect(predictProbabilities(loaded, test)).toEqual(predictProbabilities(model, test));
    expect(predict(loaded, test)).toEqual(predict(model, test));
    expect(evaluate(loaded, test)).toEqual(evaluate(model, test));
    expect(loaded.spec).toEqual(model.spec);
    expect(loaded.history).toEqual(model.history);
    expect(loaded.card).toMatchObject({
      task: 'digits-classification',
      framework: { name: '@tensorflow/tfjs-layers', version: '4.22.0' },
      inputs: { featureSet: 'pixels-8x8', featureCount: 64 },
      classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      metrics: { accuracy: 0.5, logLoss: 1.25 },
      files: { model: 'model.json', weights: 'weights.bin' },
    });
  });

  it('writes byte-identical artifacts for two trainings of the same spec', async () => {
    const spec = { ...DIGITS_V1, epochs: 3 };
    const first = await trainModel(spec, train);
    const again = await trainModel(spec, train);
    const a = await saveModelArtifact(first, join(root, 'same-a'));
    const b = await saveModelArtifact(again, join(root, 'same-b'));
    expect(b).toEqual(a);
  });

  it('writes into an existing empty directory', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    await saveModelArtifact(model, dir);
    expect(await listed(dir)).toEqual(['model-card.json', 'model.json', 'weights.bin']);
  });

  it('refuses a non-empty directory and leaves it as it was', async () => {
    const dir = join(root, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'mine');
    await expect(saveModelArtifact(model, dir)).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: `artifact directory ${dir} already exists and is not empty; choose a new directory`,
    });
    expect(await listed(dir)).toEqual(['keep.txt']);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  describe('a damaged artifact', () => {
    const damaged = async (name: string, damage: (dir: string) => Promise<void>) => {
      const dir = join(root, name);
      await saveModelArtifact(model, dir);
      await damage(dir);
      return dir;
    };

    it('missing its weights fails with ARTIFACT_MISSING naming the file', async () => {
      const dir = await damaged('no-weights', (d) =>
        import('node:fs/promises').then((fs) => fs.rm(join(d, 'weights.bin'))),
      );
      await expect(loadModelArtifact(dir)).rejects.toMatchObject({
        code: 'ARTIFACT_MISSING',
        message: `artifact ${dir} has no weights.bin`,
      });
    });

    it('with truncated weights fails with ARTIFACT_INVALID giving both sizes', async () => {
      const dir = await damaged('short-weights', async (d) =>
        writeFile(join(d, 'weights.bin'), (await readFile(join(d, 'weights.bin'))).subarray(4)),
      );
      await expect(loadModelArtifact(dir)).rejects.toMatchObject({
        code: 'ARTIFACT_INVALID',
        message: `artifact ${dir}: weights.bin has 2436 bytes, the manifest in model.json needs 2440`,
      });
    });

    it('with a card that names an unknown feature set fails with ARTIFACT_INVALID naming the field', async () => {
      const dir = await damaged('bad-card', async (d) => {
        const card = JSON.parse(await readFile(join(d, 'model-card.json'), 'utf8')) as { spec: { features: string } };
        card.spec.features = 'pixels-16x16';
        await writeFile(join(d, 'model-card.json'), JSON.stringify(card));
      });
      await expect(loadModelArtifact(dir)).rejects.toMatchObject({
        code: 'ARTIFACT_INVALID',
        message: expect.stringMatching(new RegExp(`^artifact ${dir}: model-card\\.json is invalid: spec\\.features: `)),
      });
    });

    it('whose model.json is not JSON fails with ARTIFACT_INVALID', async () => {
      const dir = await damaged('bad-json', (d) => writeFile(join(d, 'model.json'), '{"modelTopology":'));
      await expect(loadModelArtifact(dir)).rejects.toMatchObject({
        code: 'ARTIFACT_INVALID',
        message: expect.stringMatching(new RegExp(`^artifact ${dir}: model\\.json is not JSON: `)),
      });
    });
  });
});
