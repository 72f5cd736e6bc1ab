import { FeatureSet, featureCount, toFeatures } from '../../../src/demo';

describe('toFeatures', () => {
  const image = Array.from({ length: 64 }, (_, i) => i % 17);

  it('scales all 64 pixels to 0..1', () => {
    const f = toFeatures(FeatureSet.PIXELS_8X8, image);
    expect(f).toHaveLength(featureCount(FeatureSet.PIXELS_8X8));
    expect(f.slice(0, 3)).toEqual([0, 1 / 16, 2 / 16]);
    expect(f[16]).toBe(1);
  });

  it('averages each 2x2 block of the 8x8 image into a row-major 4x4 image', () => {
    const f = toFeatures(FeatureSet.BLOCKS_4X4, image);
    expect(featureCount(FeatureSet.BLOCKS_4X4)).toBe(16);
    expect(f).toHaveLength(16);
    // top-left block: pixels 0, 1, 8, 9 → (0 + 1 + 8 + 9) / 4 / 16
    expect(f[0]).toBe(18 / 64);
    // bottom-right block: pixels 54, 55, 62, 63 → (3 + 4 + 11 + 12) / 4 / 16
    expect(f[15]).toBe(30 / 64);
  });
});
