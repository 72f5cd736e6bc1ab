import { FeatureSet } from './features';
import type { ModelSpecInput } from './model-spec';
import type { SplitOptions } from './split';

/** The demo's held-out split: 30 % of the 1,797 digits (539 rows) for testing, shuffled with seed 42. */
export const DIGITS_SPLIT: SplitOptions = { testFraction: 0.3, seed: 42 };

/**
 * Version 1 of the demo model: a deliberately modest baseline, softmax regression on the 4×4 block-averaged image
 * (16 features) with an L2 penalty of 0.003. The coarse inputs lose the strokes that tell 3, 5, 8 and 9 apart and the
 * penalty keeps the weights small, so it scores well below version 2 (about 13 accuracy points on the held-out split):
 * enough for an A/B test that replays the held-out rows 50/50 to reach significance for almost any assignment.
 */
export const DIGITS_V1: ModelSpecInput = {
  features: FeatureSet.BLOCKS_4X4,
  hiddenUnits: 0,
  l2: 0.003,
  epochs: 30,
  batchSize: 32,
  learningRate: 0.01,
  validationFraction: 0.1,
  seed: 42,
};

/** Version 2 of the demo model: the same softmax regression on all 64 pixels, without the penalty. */
export const DIGITS_V2: ModelSpecInput = { ...DIGITS_V1, features: FeatureSet.PIXELS_8X8, l2: 0 };
