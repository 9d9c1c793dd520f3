import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectWasmMatchesCpu, wasmAllocations } from '../../test/compare.js';
import { initBackends } from '../../test/setup-backends.js';

beforeAll(initBackends);

describe('realm Sum on wasm', () => {
  test('sums leading axes, by hand', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(Array.from(await tf.sum(x, 0).data())).toEqual([6, 8, 10, 12]);
    const both = tf.sum(x, [1, 0], true);
    expect(both.shape).toEqual([1, 1, 2]);
    expect(Array.from(await both.data())).toEqual([16, 20]);
    tf.dispose([x, both]);
  });

  test.each([
    [[37, 5], 0, false],
    [[4, 6, 3], [0, 1], true],
    [[4, 6, 3], 1, false], // not leading: the stock kernel
    [[4, 6, 3], -1, true],
    [[8, 3], [0, 1], false], // every axis: the stock kernel
  ])('x %j over axis %j (keepDims %s) matches cpu', async (shape, axis, keepDims) => {
    await expectWasmMatchesCpu([{ shape }], (x) => tf.sum(x, axis, keepDims), shape.length);
  });

  test('bias gradients (sum of dy over rows) match cpu', async () => {
    await expectWasmMatchesCpu([{ shape: [50, 7] }, { shape: [7] }], (x, bias) => tf.grad((b: tf.Tensor) => tf.sum(tf.square(tf.add(x, b))))(bias));
  });

  test('int32 goes to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32');
    const total = tf.sum(x, 0);
    expect(total.dtype).toBe('int32');
    expect(Array.from(await total.data())).toEqual([4, 6]);
    tf.dispose([x, total]);
  });

  test('allocates only its output', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([20, 4]);
    const before = wasmAllocations();
    tf.sum(x, 0).dispose();
    expect(wasmAllocations()).toEqual(before);
    x.dispose();
  });
});
