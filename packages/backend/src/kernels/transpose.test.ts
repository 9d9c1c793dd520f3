import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectWasmMatchesCpu, wasmAllocations } from '../../test/compare.js';
import { initBackends } from '../../test/setup-backends.js';
import { permutationIsReshape } from './transpose.js';

beforeAll(initBackends);

describe('realm Transpose on wasm', () => {
  test('recognizes permutations that move only size-1 axes', () => {
    expect(permutationIsReshape([30522, 256], [0, 1])).toBe(true);
    expect(permutationIsReshape([4, 1, 3], [1, 0, 2])).toBe(true);
    expect(permutationIsReshape([4, 1, 3], [0, 2, 1])).toBe(true);
    expect(permutationIsReshape([4, 2, 3], [0, 2, 1])).toBe(false);
    expect(permutationIsReshape([2, 3], [1, 0])).toBe(false);
  });

  test('a data-preserving permutation shares the buffer and keeps values', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor3d([[[1, 2, 3]], [[4, 5, 6]]]); // [2, 1, 3]
    const before = wasmAllocations();
    const y = tf.transpose(x, [1, 0, 2]);
    expect(y.shape).toEqual([1, 2, 3]);
    expect(wasmAllocations().dataIds).toBe(before.dataIds);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
  });

  test.each([
    [[5, 7], [0, 1]],
    [[5, 7], [1, 0]],
    [[2, 3, 4], [2, 0, 1]],
    [[2, 1, 4, 1], [1, 0, 3, 2]],
  ])('x %j with perm %j matches cpu, values and gradient', async (shape, perm) => {
    const outShape = perm.map((axis) => shape[axis]);
    await expectWasmMatchesCpu([{ shape }, { shape: outShape }], (x, w) => [tf.transpose(x, perm), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.transpose(a, perm), w)))(x)], shape.length);
  });

  test('frees what it allocates', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([3, 4]);
    const before = wasmAllocations();
    tf.transpose(x, [0, 1]).dispose();
    tf.transpose(x, [1, 0]).dispose();
    expect(wasmAllocations()).toEqual(before);
    x.dispose();
  });
});
