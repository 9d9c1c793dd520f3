import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectWasmMatchesCpu, wasmAllocations } from '../../test/compare.js';
import { initBackends } from '../../test/setup-backends.js';

beforeAll(initBackends);

describe('realm UnsortedSegmentSum on wasm', () => {
  test('sums rows by segment, by hand: ids [2, 0, 2, -1, 5] into 3 segments', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
    const ids = tf.tensor1d([2, 0, 2, -1, 5], 'int32');
    const sums = tf.unsortedSegmentSum(x, ids, 3);
    // segment 0: row 1; segment 1: none; segment 2: rows 0 + 2; ids -1 and 5 are dropped
    expect(sums.shape).toEqual([3, 2]);
    expect(Array.from(await sums.data())).toEqual([3, 4, 0, 0, 6, 8]);
    tf.dispose([x, ids, sums]);
  });

  test.each([
    [[6], 4],
    [[6, 3], 5],
    [[5, 2, 3], 3],
  ])('x %j into %i segments matches cpu', async (xShape, numSegments) => {
    const ids = [0, 3, 1, 3, 0, 2].slice(0, xShape[0]).map((id) => id % numSegments);
    await expectWasmMatchesCpu([{ shape: xShape }, { shape: [xShape[0]], dtype: 'int32', values: ids }], (x, segmentIds) => tf.unsortedSegmentSum(x, segmentIds as tf.Tensor1D, numSegments), xShape.length);
  });

  test('int32 values match cpu', async () => {
    await expectWasmMatchesCpu([{ shape: [4, 2], dtype: 'int32', values: [1, -2, 3, 4, 50, 6, -7, 8] }, { shape: [4], dtype: 'int32', values: [1, 1, 0, 1] }],
      (x, segmentIds) => tf.unsortedSegmentSum(x, segmentIds as tf.Tensor1D, 2));
  });

  test('gives gather (an embedding lookup) a gradient that matches cpu', async () => {
    const ids = [4, 1, 4, 0, 7, 1, 1, 3];
    await expectWasmMatchesCpu([{ shape: [9, 5] }, { shape: [8], dtype: 'int32', values: ids }, { shape: [8, 5] }], (table, indices, weights) =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), weights)))(table));
  });

  test('names the shapes when segmentIds is not a prefix of x', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([4, 2]);
    const ids = tf.tensor1d([0, 1, 0], 'int32');
    expect(() => tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments: 2 }))
      .toThrow('UnsortedSegmentSum: segmentIds shape [3] must be a prefix of x shape [4, 2]');
    tf.dispose([x, ids]);
  });

  test('allocates only its output', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([10, 4]);
    const ids = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'int32');
    const before = wasmAllocations();
    tf.unsortedSegmentSum(x, ids, 5).dispose();
    expect(wasmAllocations()).toEqual(before);
    tf.dispose([x, ids]);
  });
});
