// Shared test setup: wasm (with realm-ts kernels) and cpu initialized once per test file.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/index.js';

export async function initBackends(): Promise<void> {
  await selectBackend({ preferred: 'cpu', log: false });
  await selectBackend({ preferred: 'wasm', log: false });
  await tf.ready();
}
