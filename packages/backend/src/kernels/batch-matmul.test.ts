import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectWasmMatchesCpu, wasmAllocations } from '../../test/compare.js';
import { initBackends } from '../../test/setup-backends.js';
import { realmBatchMatMul } from './batch-matmul.js';
import { nativeGemmAvailable, setNativeGemmEnabled } from './native-gemm.js';

beforeAll(initBackends);
afterAll(() => setNativeGemmEnabled(undefined));

// Both matmul paths: XNNPACK always, the native GEMM when its addon is built (native-gemm.test.ts
// covers it in depth and says why it is skipped otherwise).
const PATHS: Array<[string, boolean]> = nativeGemmAvailable() ? [['XNNPACK', false], ['native GEMM', true]] : [['XNNPACK', false]];

// [a shape, b shape, transposeA, transposeB]
const CASES: Array<[number[], number[], boolean, boolean]> = [
  [[3, 5], [5, 4], false, false],
  [[5, 3], [5, 4], true, false],
  [[3, 5], [4, 5], false, true],
  [[5, 3], [4, 5], true, true],
  [[2, 3, 5], [2, 5, 4], false, false],
  [[2, 5, 3], [2, 5, 4], true, false],
  [[2, 3, 5], [2, 4, 5], false, true],
  [[2, 5, 3], [2, 4, 5], true, true],
  // batch-1 right operand: left batches fold into the rows of one 2-D matmul
  [[2, 3, 5], [5, 4], false, false],
  [[2, 5, 3], [1, 4, 5], true, true],
  // batch-1 left operand broadcast over the right batches
  [[3, 5], [3, 5, 4], false, false],
  // rank 4 with broadcasting on different axes
  [[2, 1, 3, 5], [1, 3, 5, 4], false, false],
  [[2, 1, 5, 3], [1, 3, 4, 5], true, true],
  // attention-like: one query row, many heads
  [[6, 1, 8], [6, 8, 7], false, false],
];

describe.each(PATHS)('realm BatchMatMul on wasm (%s)', (_path, native) => {
  beforeAll(() => setNativeGemmEnabled(native));

  test('is the registered wasm BatchMatMul', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(realmBatchMatMul);
  });

  test.each(CASES)('%j × %j (transposeA %s, transposeB %s) matches cpu', async (aShape, bShape, transposeA, transposeB) => {
    // The cpu reference broadcasts batch dims explicitly first: tfjs-backend-cpu (like stock wasm)
    // maps output batch i to operand batch i % batchSize, wrong for e.g. [2,1,…] against [1,3,…].
    const reference = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
      const outBatch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const full = (x: tf.Tensor): tf.Tensor => (outBatch.length === 0 ? x : tf.broadcastTo(x, [...outBatch, ...x.shape.slice(-2)]));
      return tf.matMul(full(a), full(b), transposeA, transposeB);
    };
    await expectWasmMatchesCpu([{ shape: aShape }, { shape: bShape }], (a, b) => tf.matMul(a, b, transposeA, transposeB), aShape.length * 7 + bShape.length, 1e-4, reference);
  });

  test.each(CASES.filter(([, , ta, tb]) => ta || tb).slice(0, 4))('gradients of %j × %j (transposeA %s, transposeB %s) match cpu', async (aShape, bShape, transposeA, transposeB) => {
    const outShape = tf.tidy(() => tf.matMul(tf.zeros(aShape), tf.zeros(bShape), transposeA, transposeB).shape);
    await expectWasmMatchesCpu([{ shape: aShape }, { shape: bShape }, { shape: outShape }], (a, b, weights) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), weights)))([a, b]), 3);
  });

  test('an empty inner dimension gives zeros', async () => {
    await tf.setBackend('wasm');
    const product = tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4]));
    expect(product.shape).toEqual([3, 4]);
    expect(Array.from(await product.data())).toEqual(new Array(12).fill(0));
    product.dispose();
  });

  test('a larger product agrees with a hand-checkable identity: A·I = A', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomUniform([2, 70, 50], -1, 1, 'float32', 7);
    const product = tf.matMul(a, tf.eye(50), false, true);
    expect(Array.from(await product.data())).toEqual(Array.from(await a.data()));
    tf.dispose([a, product]);
  });

  test('rejects mismatched inner dimensions with tfjs-core\'s message', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([3, 5]);
    const b = tf.zeros([4, 2]);
    expect(() => tf.matMul(a, b)).toThrow(/inner shapes \(5\) and \(4\)/);
    tf.dispose([a, b]);
  });

  test('frees every intermediate (transposes, aliases)', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomUniform([4, 6, 5], -1, 1, 'float32', 1);
    const b = tf.randomUniform([4, 7, 6], -1, 1, 'float32', 2);
    const before = wasmAllocations();
    tf.matMul(a, b, true, true).dispose();
    tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, true, true)))([a, b]));
    expect(wasmAllocations()).toEqual(before);
    tf.dispose([a, b]);
  });
});
