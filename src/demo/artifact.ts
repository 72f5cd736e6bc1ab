import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { ArtifactFile, ModelCard, modelCardOf } from './model-card';
import { readyTensorflow, tf, tfl } from './tensorflow';
import type { TrainedModel } from './trained-model';

/** One file written by {@link saveModelArtifact}. */
export interface ArtifactFileInfo {
  name: ArtifactFile;
  sizeBytes: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** Options of {@link saveModelArtifact}. */
export interface SaveArtifactOptions {
  /** Final scalar metrics to record in the model card, e.g. `{ accuracy: 0.96, logLoss: 0.16 }`. */
  metrics?: Record<string, number>;
}

const ModelJson = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z
    .array(
      z.object({
        paths: z.tuple([z.literal(ArtifactFile.WEIGHTS)]),
        weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.literal('float32') })),
      }),
    )
    .length(1),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
});

/**
 * Writes a self-contained artifact directory for a trained model: `model.json` (TensorFlow.js layers-model format:
 * topology and weights manifest, loadable by `tf.loadLayersModel`), `weights.bin` (float32 weights) and
 * `model-card.json` ({@link ModelCard}: spec and seed, input preprocessing, per-epoch history, `metrics`).
 * Written to a sibling temporary directory and renamed into place, so a failure leaves no partial artifact.
 * The same trained weights and metrics always give the same bytes.
 * @param dir directory to create; its parent is created if missing.
 * @returns the files written, with sizes (bytes) and SHA-256, in the order model, weights, card.
 * @throws ModelctlError ALREADY_EXISTS when `dir` exists and is not empty.
 */
export async function saveModelArtifact(
  model: TrainedModel,
  dir: string,
  options: SaveArtifactOptions = {},
): Promise<ArtifactFileInfo[]> {
  await readyTensorflow();
  if ((await listDir(dir))?.length) {
    throw new ModelctlError(
      ErrorCode.ALREADY_EXISTS,
      `artifact directory ${dir} already exists and is not empty; choose a new directory`,
    );
  }
  let modelJson = '';
  let weights = Buffer.alloc(0);
  await model.network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      modelJson = JSON.stringify({
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [ArtifactFile.WEIGHTS], weights: artifacts.weightSpecs }],
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const card = modelCardOf(model, options.metrics ?? {}, tfl.version_layers);
  const contents: [ArtifactFile, Buffer][] = [
    [ArtifactFile.MODEL, Buffer.from(modelJson)],
    [ArtifactFile.WEIGHTS, weights],
    [ArtifactFile.CARD, Buffer.from(`${JSON.stringify(card, null, 2)}\n`)],
  ];
  await mkdir(dirname(dir), { recursive: true });
  const staging = join(dirname(dir), `.${basename(dir)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(staging);
    for (const [name, bytes] of contents) await writeFile(join(staging, name), bytes);
    // rename(2) replaces an empty directory but refuses a non-empty one, so a racing writer cannot be clobbered
    if ((await listDir(dir)) !== undefined) await rmdir(dir);
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return contents.map(([name, bytes]) => ({
    name,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  }));
}

/**
 * Loads an artifact directory written by {@link saveModelArtifact}; the result predicts exactly as the saved model.
 * @returns the model, with its spec and training history taken from the card, and the card itself.
 * @throws ModelctlError ARTIFACT_MISSING naming the file when one of the three files is absent;
 *   ARTIFACT_INVALID naming the file and the problem when one is malformed or the weights do not fit the topology.
 */
export async function loadModelArtifact(dir: string): Promise<TrainedModel & { card: ModelCard }> {
  await readyTensorflow();
  const card = parseArtifactJson(ModelCard, await readArtifactFile(dir, ArtifactFile.CARD), dir, ArtifactFile.CARD);
  const modelJson = parseArtifactJson(
    ModelJson,
    await readArtifactFile(dir, ArtifactFile.MODEL),
    dir,
    ArtifactFile.MODEL,
  );
  const weights = await readArtifactFile(dir, ArtifactFile.WEIGHTS);
  const weightSpecs = modelJson.weightsManifest[0]?.weights ?? [];
  const expectedBytes = weightSpecs.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.length !== expectedBytes) {
    throw new ModelctlError(
      ErrorCode.ARTIFACT_INVALID,
      `artifact ${dir}: ${ArtifactFile.WEIGHTS} has ${weights.length} bytes, the manifest in ${ArtifactFile.MODEL} needs ${expectedBytes}`,
    );
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length);
  let network: tfl.LayersModel;
  try {
    network = await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
    );
  } catch (err) {
    throw new ModelctlError(
      ErrorCode.ARTIFACT_INVALID,
      `artifact ${dir}: ${ArtifactFile.MODEL} cannot be loaded: ${(err as Error).message}`,
    );
  }
  return { spec: card.spec, network, history: card.history, card };
}

async function listDir(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readArtifactFile(dir: string, name: ArtifactFile): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelctlError(ErrorCode.ARTIFACT_MISSING, `artifact ${dir} has no ${name}`);
    }
    throw err;
  }
}

function parseArtifactJson<T>(schema: z.ZodType<T>, bytes: Buffer, dir: string, name: ArtifactFile): T {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ModelctlError(
      ErrorCode.ARTIFACT_INVALID,
      `artifact ${dir}: ${name} is not JSON: ${(err as Error).message}`,
    );
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelctlError(ErrorCode.ARTIFACT_INVALID, `artifact ${dir}: ${name} is invalid: ${problems}`);
  }
  return result.data;
}
