import { z } from 'zod';
import { CLASS_COUNT } from './digits';
import { featureCount } from './features';
import { ModelSpec } from './model-spec';
import type { TrainedModel } from './trained-model';

/** File names inside a model artifact directory. */
export const ArtifactFile = {
  /** TensorFlow.js layers-model JSON: topology, training config and the weights manifest. */
  MODEL: 'model.json',
  /** The weights, little-endian float32, in the order of the manifest. */
  WEIGHTS: 'weights.bin',
  /** {@link ModelCard}: what the model is, how it was trained, how it scored. */
  CARD: 'model-card.json',
} as const;
export type ArtifactFile = (typeof ArtifactFile)[keyof typeof ArtifactFile];

const EpochMetricsSchema = z.object({
  epoch: z.number().int().min(1),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number().optional(),
  valAccuracy: z.number().optional(),
});

/**
 * `model-card.json`: a self-description of the artifact, enough to rebuild the inputs from raw pixels and to know
 * where the numbers came from. Carries no timestamp, so retraining the same spec on the same rows gives a
 * byte-identical artifact.
 */
export const ModelCard = z.object({
  schemaVersion: z.literal(1),
  task: z.literal('digits-classification'),
  framework: z.object({ name: z.string(), version: z.string() }),
  /** Spec the weights were trained from, seed included. */
  spec: ModelSpec,
  inputs: z.object({
    featureSet: ModelSpec.shape.features,
    featureCount: z.number().int().min(1),
    preprocessing: z.string(),
  }),
  classes: z.array(z.number().int()).length(CLASS_COUNT),
  /** Per-epoch training history. */
  history: z.array(EpochMetricsSchema),
  /** Final scalar metrics given by the caller, e.g. held-out accuracy and log-loss. */
  metrics: z.record(z.string(), z.number()),
  files: z.object({ model: z.literal(ArtifactFile.MODEL), weights: z.literal(ArtifactFile.WEIGHTS) }),
});
export type ModelCard = z.infer<typeof ModelCard>;

/** The card of a trained model; `metrics` are the caller's final scalars (e.g. from {@link evaluate}). */
export function modelCardOf(model: TrainedModel, metrics: Record<string, number>, frameworkVersion: string): ModelCard {
  return {
    schemaVersion: 1,
    task: 'digits-classification',
    framework: { name: '@tensorflow/tfjs-layers', version: frameworkVersion },
    spec: model.spec,
    inputs: {
      featureSet: model.spec.features,
      featureCount: featureCount(model.spec.features),
      preprocessing:
        model.spec.features === 'pixels-8x8'
          ? '64 pixel counts (0..16, row-major 8x8) divided by 16'
          : 'mean of each 2x2 pixel block of the 8x8 image (row-major 4x4), divided by 16',
    },
    classes: Array.from({ length: CLASS_COUNT }, (_, i) => i),
    history: model.history,
    metrics,
    files: { model: ArtifactFile.MODEL, weights: ArtifactFile.WEIGHTS },
  };
}
