import type { ModelSpec } from './model-spec';
import type { tfl } from './tensorflow';

/** Metrics after one training epoch; `val*` are on the held-back validation slice of the training rows. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss (cross-entropy, plus the L2 penalty if any) over the epoch's batches. */
  loss: number;
  /** Training accuracy over the epoch, 0..1. */
  accuracy: number;
  /** Cross-entropy on the validation slice; absent when `validationFraction` is 0. */
  valLoss?: number;
  /** Accuracy on the validation slice, 0..1; absent when `validationFraction` is 0. */
  valAccuracy?: number;
}

/**
 * A trained (or loaded) digits classifier: its spec, the network, and the per-epoch history of its training.
 * The weights live in TensorFlow.js memory until `network.dispose()`.
 */
export interface TrainedModel {
  spec: ModelSpec;
  network: tfl.LayersModel;
  history: EpochMetrics[];
}
