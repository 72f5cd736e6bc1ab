import { parseInput } from '../domain/errors';
import { DigitRow } from './digits';
import { ModelSpec, type ModelSpecInput } from './model-spec';
import { buildNetwork } from './network';
import { toTensors } from './tensors';
import { readyTensorflow, tf } from './tensorflow';
import type { EpochMetrics, TrainedModel } from './trained-model';

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Called after each epoch, awaited before the next one starts (so it may log to a store). */
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
}

/**
 * Trains a digits classifier with TensorFlow.js (CPU backend) on the rows in the given order, unshuffled: the last
 * `validationFraction` of `train` is held back for the per-epoch `valLoss`/`valAccuracy`. Together with the seeded
 * initialisers this makes training repeatable: the same spec and rows give the same weights.
 * @param spec the model to train (see {@link ModelSpec}); validated here.
 * @param train labelled rows, best already shuffled (as {@link splitTrainTest} returns them).
 * @returns the trained model with its per-epoch history.
 * @throws ModelctlError INVALID_INPUT for a bad spec (naming the field) or when there are no training rows.
 */
export async function trainModel(
  spec: ModelSpecInput,
  train: readonly DigitRow[],
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const parsed = parseInput(ModelSpec, spec, 'model spec');
  parseInput(DigitRow.array().min(1), train, 'training rows');
  await readyTensorflow();
  const network = buildNetwork(parsed);
  const { x, y } = toTensors(parsed.features, train);
  const history: EpochMetrics[] = [];
  try {
    await network.fit(x, y, {
      epochs: parsed.epochs,
      batchSize: parsed.batchSize,
      shuffle: false,
      validationSplit: parsed.validationFraction,
      verbose: 0,
      yieldEvery: 'never',
      callbacks: {
        onEpochEnd: async (epoch, logs = {}) => {
          const metrics: EpochMetrics = {
            epoch: epoch + 1,
            loss: logs.loss ?? NaN,
            accuracy: logs.acc ?? NaN,
            ...(logs.val_loss === undefined ? {} : { valLoss: logs.val_loss }),
            ...(logs.val_acc === undefined ? {} : { valAccuracy: logs.val_acc }),
          };
          history.push(metrics);
          await options.onEpoch?.(metrics);
        },
      },
    });
  } finally {
    tf.dispose([x, y]);
  }
  return { spec: parsed, network, history };
}
