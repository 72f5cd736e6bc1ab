import type { DigitRow } from './digits';
import { featureTensor } from './tensors';
import { tf } from './tensorflow';
import type { TrainedModel } from './trained-model';

/**
 * Class probabilities per row: `rows.length` arrays of 10 numbers summing to 1 (float32 softmax outputs).
 * @param rows images (only `pixels` is read); an empty array gives an empty result.
 */
export function predictProbabilities(model: TrainedModel, rows: readonly Pick<DigitRow, 'pixels'>[]): number[][] {
  if (rows.length === 0) return [];
  return tf.tidy(() => {
    const output = model.network.predict(featureTensor(model.spec.features, rows)) as tf.Tensor2D;
    return output.arraySync();
  });
}

/**
 * Predicted digit per row: the class of highest probability (the lowest class wins a tie).
 * @returns labels 0..9, one per row, in row order.
 */
export function predict(model: TrainedModel, rows: readonly Pick<DigitRow, 'pixels'>[]): number[] {
  return predictProbabilities(model, rows).map(argmax);
}

/**
 * Whether the model classifies one labelled row correctly: the binary outcome of an A/B replay in which each
 * held-out row is a unit served by the model of its arm.
 */
export function isCorrect(model: TrainedModel, row: DigitRow): boolean {
  return predict(model, [row])[0] === row.label;
}

/** Index of the largest value; the first one on ties. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}
