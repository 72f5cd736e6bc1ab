import { z } from 'zod';
import { FeatureSet } from './features';

/**
 * What to train: the feature set, the architecture and the optimiser settings, with the seed that makes the run
 * repeatable. `hiddenUnits: 0` is multinomial logistic (softmax) regression; more is a one-hidden-layer ReLU MLP.
 */
export const ModelSpec = z.object({
  features: z.enum([FeatureSet.PIXELS_8X8, FeatureSet.BLOCKS_4X4]),
  /** Units of the hidden ReLU layer; 0 for none (softmax regression). */
  hiddenUnits: z.number().int().min(0).max(1024).default(0),
  /** L2 penalty on every kernel (added to the loss as l2 × Σw²). */
  l2: z.number().min(0).default(0),
  epochs: z.number().int().min(1).max(1000),
  batchSize: z.number().int().min(1).default(32),
  /** Adam's learning rate. */
  learningRate: z.number().gt(0).max(1).default(0.01),
  /** Share of the training rows (the last ones, in the given order) held back to report val metrics per epoch. */
  validationFraction: z.number().min(0).lt(1).default(0.1),
  /** Seed of the weight initialisers; the rows are fed in the given order, unshuffled. */
  seed: z.number().int(),
});
export type ModelSpec = z.infer<typeof ModelSpec>;
export type ModelSpecInput = z.input<typeof ModelSpec>;
