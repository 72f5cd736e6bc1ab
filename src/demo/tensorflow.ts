import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

let ready: Promise<void> | undefined;

/**
 * Readies TensorFlow.js on its pure-JavaScript CPU backend, once per process.
 * The CPU backend needs no native binary, so it installs anywhere npm does; production mode turns off the
 * per-op debug checks and the console banner that suggests installing the native backend.
 * @returns a promise that resolves when the `cpu` backend is active.
 */
export function readyTensorflow(): Promise<void> {
  ready ??= (async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return ready;
}

export { tf, tfl };
