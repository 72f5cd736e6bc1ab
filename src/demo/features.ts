import { PIXEL_COUNT } from './digits';

/** The feature sets a model can be trained on. */
export const FeatureSet = {
  /** All 64 pixels of the 8×8 image, each scaled to 0..1. */
  PIXELS_8X8: 'pixels-8x8',
  /** The image averaged over 2×2 pixel blocks: a 4×4 image, 16 features, each scaled to 0..1. */
  BLOCKS_4X4: 'blocks-4x4',
} as const;
export type FeatureSet = (typeof FeatureSet)[keyof typeof FeatureSet];

const SIDE = 8;
const BLOCK = 2;
const MAX_PIXEL = 16;

/** Number of features each set yields per image. */
export function featureCount(set: FeatureSet): number {
  return set === FeatureSet.PIXELS_8X8 ? PIXEL_COUNT : (SIDE / BLOCK) ** 2;
}

/**
 * Turns one image's pixel counts (64 values 0..16, row-major 8×8) into the feature vector of `set`,
 * every feature in 0..1.
 */
export function toFeatures(set: FeatureSet, pixels: readonly number[]): number[] {
  if (set === FeatureSet.PIXELS_8X8) return pixels.map((p) => p / MAX_PIXEL);
  const blocksPerSide = SIDE / BLOCK;
  const features: number[] = [];
  for (let by = 0; by < blocksPerSide; by++) {
    for (let bx = 0; bx < blocksPerSide; bx++) {
      let sum = 0;
      for (let dy = 0; dy < BLOCK; dy++) {
        for (let dx = 0; dx < BLOCK; dx++) sum += pixels[(by * BLOCK + dy) * SIDE + bx * BLOCK + dx] ?? 0;
      }
      features.push(sum / (BLOCK * BLOCK * MAX_PIXEL));
    }
  }
  return features;
}
