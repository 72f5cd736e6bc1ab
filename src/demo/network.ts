import { CLASS_COUNT } from './digits';
import { featureCount } from './features';
import type { ModelSpec } from './model-spec';
import { tf, tfl } from './tensorflow';

/**
 * Builds the untrained, compiled network of a spec: optional hidden ReLU layer, then a 10-way softmax.
 * Initialisers are Glorot-uniform seeded from `spec.seed` (one derived seed per layer), biases zero, so the same
 * spec gives the same starting weights. Layer names are fixed so that saved artifacts are byte-identical.
 * Loss: categorical cross-entropy; optimiser: Adam at `spec.learningRate`; metric: accuracy.
 */
export function buildNetwork(spec: ModelSpec): tfl.Sequential {
  const regularizer = spec.l2 > 0 ? tfl.regularizers.l2({ l2: spec.l2 }) : undefined;
  const dense = (name: string, units: number, activation: 'relu' | 'softmax', seedOffset: number, inputDim?: number) =>
    tfl.layers.dense({
      name,
      units,
      activation,
      ...(inputDim === undefined ? {} : { inputShape: [inputDim] }),
      kernelInitializer: tfl.initializers.glorotUniform({ seed: spec.seed + seedOffset }),
      biasInitializer: 'zeros',
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
    });
  const inputs = featureCount(spec.features);
  const layers =
    spec.hiddenUnits > 0
      ? [dense('hidden', spec.hiddenUnits, 'relu', 0, inputs), dense('output', CLASS_COUNT, 'softmax', 1)]
      : [dense('output', CLASS_COUNT, 'softmax', 0, inputs)];
  const model = tfl.sequential({ name: 'digits', layers });
  model.compile({
    optimizer: tf.train.adam(spec.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
