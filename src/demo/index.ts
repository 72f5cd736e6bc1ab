/**
 * Training, evaluation and serving of the demo's handwritten-digits classifiers on TensorFlow.js (CPU backend):
 * load the data, split it deterministically, train a model version with per-epoch metrics, evaluate it on the
 * held-out rows, save it as a registrable artifact directory and load it back, and predict for A/B traffic.
 */
export { CLASS_COUNT, DigitRow, PIXEL_COUNT, loadDigits, parseDigitsCsv } from './digits';
export { SplitOptions, type TrainTestSplit, splitTrainTest } from './split';
export { FeatureSet, featureCount, toFeatures } from './features';
export { ModelSpec, type ModelSpecInput } from './model-spec';
export type { EpochMetrics, TrainedModel } from './trained-model';
export { type TrainOptions, trainModel } from './train';
export { type Evaluation, evaluate } from './evaluate';
export { isCorrect, predict, predictProbabilities } from './predict';
export { ArtifactFile, ModelCard } from './model-card';
export { type ArtifactFileInfo, type SaveArtifactOptions, loadModelArtifact, saveModelArtifact } from './artifact';
export { DIGITS_SPLIT, DIGITS_V1, DIGITS_V2 } from './versions';
export { DEMO_GUARD_POLICY, HOLDOUT_BASIS_POINTS, driftedTraffic, serveUnderGuard, shiftRight } from './live-traffic';
