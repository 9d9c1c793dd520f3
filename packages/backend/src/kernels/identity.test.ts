import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { realmIdentityConfig } from './identity.js';
import { expectWasmMatchesCpu, wasmAllocations } from '../../test/compare.js';
import { initBackends } from '../../test/setup-backends.js';

// The sharing Identity is not registered by default (see REALM_WASM_KERNELS): install it for these tests only.
let stockIdentity: tf.KernelConfig | undefined;
beforeAll(async () => {
  await initBackends();
  stockIdentity = tf.getKernel('Identity', 'wasm');
  if (stockIdentity) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(realmIdentityConfig);
});
afterAll(() => {
  tf.unregisterKernel('Identity', 'wasm');
  if (stockIdentity) tf.registerKernel(stockIdentity);
});

describe('realm Identity on wasm', () => {
  test('clone shares the buffer instead of copying, and each handle outlives the other', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const before = tf.engine().findBackend('wasm')!.numDataIds();
    const copy = tf.clone(x);
    expect(tf.engine().findBackend('wasm')!.numDataIds()).toBe(before);
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(tf.engine().findBackend('wasm')!.numDataIds()).toBe(before - 1);
  });

  test('a variable assigned after a clone leaves the clone unchanged', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(await snapshot.data())).toEqual([1, 2, 3]);
    expect(Array.from(await v.data())).toEqual([7, 8, 9]);
    tf.dispose([v, snapshot]);
  });

  test('gradients through saved (cloned) tensors match cpu and free everything', async () => {
    await expectWasmMatchesCpu([{ shape: [4, 6] }, { shape: [6, 3] }], (x, w) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.tanh(tf.matMul(a, b)))))([x, w]));
    await tf.setBackend('wasm');
    const x = tf.ones([4, 6]);
    const before = wasmAllocations();
    tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(tf.exp(tf.mul(a, a))))(x));
    expect(wasmAllocations()).toEqual(before);
    x.dispose();
  });
});
