import { CLASS_COUNT, type DigitRow } from './digits';
import { type FeatureSet, featureCount, toFeatures } from './features';
import { tf } from './tensorflow';

/**
 * Feature matrix `[rows, features]` (float32) of the rows under a feature set.
 * The caller disposes the tensor.
 */
export function featureTensor(set: FeatureSet, rows: readonly Pick<DigitRow, 'pixels'>[]): tf.Tensor2D {
  return tf.tensor2d(
    rows.flatMap((r) => toFeatures(set, r.pixels)),
    [rows.length, featureCount(set)],
  );
}

/** Features `x` and one-hot labels `y` `[rows, 10]` of labelled rows; the caller disposes both. */
export function toTensors(set: FeatureSet, rows: readonly DigitRow[]): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = featureTensor(set, rows);
  const y = tf.tidy(
    () =>
      tf.cast(
        tf.oneHot(
          tf.tensor1d(
            rows.map((r) => r.label),
            'int32',
          ),
          CLASS_COUNT,
        ),
        'float32',
      ) as tf.Tensor2D,
  );
  return { x, y };
}
