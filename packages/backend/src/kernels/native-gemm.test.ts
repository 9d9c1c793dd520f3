// The native GEMM (packages/backend/native) against an independent float64 triple loop: every SIMD
// level of this CPU, the four transpose combinations, every M and N in 1..37 (K varying with them),
// sizes around the register tiles (6×16, 4×8), cache blocks (KC 256, MC 96, NC 1024) and the
// unpacked matrix-vector paths (M ≤ 3 or N ≤ 8), padded leading dimensions, K = 0 and empty
// outputs, and argument validation. Then BatchMatMul on wasm
// with the native path on: broadcast batch shapes and gradients against the cpu backend.
// (batch-matmul.test.ts runs its cpu comparisons and leak check on both paths as well.)
// Without the addon these tests skip (with the reason), except under CI=true, where they fail.
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@realm/tokenizer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectWasmMatchesCpu } from '../../test/compare.js';
import { initBackends } from '../../test/setup-backends.js';
import { nativeGemmActive, nativeGemmAddon, nativeGemmAvailable, nativeGemmStatus, setNativeGemmEnabled, type NativeGemmSimd } from './native-gemm.js';

const addon = nativeGemmAddon();
if (addon === null) {
  // CI machines have a C++ compiler, so a missing addon there is a build bug, not a skip.
  // (The status names native/build/build.log.)
  if (process.env.CI === 'true') throw new Error(`CI=true but the native GEMM is not available: ${nativeGemmStatus()}`);
  console.warn(`native GEMM tests skipped: ${nativeGemmStatus()}`);
}
const LEVELS: NativeGemmSimd[] = addon?.simdLevels() ?? [];

function randomArray(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

/** op(A)·op(B) in float64, row-major M×N (the same conventions as the addon's sgemm). */
function reference(transA: boolean, transB: boolean, M: number, N: number, K: number, a: Float32Array, aOffset: number, lda: number,
  b: Float32Array, bOffset: number, ldb: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        sum += a[aOffset + (transA ? k * lda + i : i * lda + k)] * b[bOffset + (transB ? j * ldb + k : k * ldb + j)];
      }
      out[i * N + j] = sum;
    }
  }
  return out;
}

interface Layout {
  /** Extra elements per stored row beyond the minimum (padded leading dimensions). */
  pad: number;
  /** Elements before each matrix in its array. */
  offset: number;
}

/**
 * Runs sgemm on fresh arrays (C pre-filled with NaN) and returns the worst |native − float64| /
 * (1 + |float64|) over C, after checking that nothing outside C's M×N region was written.
 */
function worstError(level: NativeGemmSimd, transA: boolean, transB: boolean, M: number, N: number, K: number, layout: Layout = { pad: 0, offset: 0 }, seed = 1): number {
  const { pad, offset } = layout;
  const lda = (transA ? M : K) + pad;
  const ldb = (transB ? K : N) + pad;
  const ldc = N + pad;
  const a = randomArray(seed, offset + (transA ? K : M) * lda);
  const b = randomArray(seed + 1, offset + (transB ? N : K) * ldb);
  const c = new Float32Array(offset + M * ldc + 3).fill(Number.NaN);
  addon!.sgemm(transA, transB, M, N, K, a, offset, lda, b, offset, ldb, c, offset, ldc, level);
  const expected = reference(transA, transB, M, N, K, a, offset, lda, b, offset, ldb);
  let worst = 0;
  for (let index = 0; index < c.length; index++) {
    const local = index - offset;
    const i = Math.floor(local / ldc);
    const j = local - i * ldc;
    const inside = local >= 0 && i < M && j < N;
    if (!inside) {
      if (!Number.isNaN(c[index])) throw new Error(`sgemm wrote outside C at element ${index} (M=${M} N=${N} K=${K} ldc=${ldc} offset=${offset})`);
      continue;
    }
    const e = expected[i * N + j];
    const error = Math.abs(c[index] - e) / (1 + Math.abs(e));
    worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
  }
  return worst;
}

const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

describe.skipIf(addon === null)('native sgemm matches a float64 reference', () => {
  describe.each(LEVELS)('%s', (level) => {
    test.each(TRANSPOSES)('transA %s, transB %s: every M, N in 1..37 (K in 1..37 varying with them)', (transA, transB) => {
      let worst = 0;
      for (let M = 1; M <= 37; M++) {
        for (let N = 1; N <= 37; N++) worst = Math.max(worst, worstError(level, transA, transB, M, N, ((M * 7 + N * 3) % 37) + 1, undefined, M * 100 + N));
      }
      expect(worst).toBeLessThan(1e-5);
    });

    // Around the micro-tiles (6×16 avx2, 4×8 scalar), the cache blocks (KC 256, MC 96, NC 1024) and
    // the unpacked matrix-vector paths (M ≤ 3 or N ≤ 8; 4-row dots, 32-column combines, K tails).
    const BOUNDARIES: Array<[number, number, number]> = [
      [95, 15, 255], [96, 16, 256], [97, 17, 257], [193, 33, 513],
      [5, 1023, 7], [7, 1024, 9], [13, 1025, 3], [6, 2049, 2],
      [101, 47, 300],
      [1, 1025, 257], [3, 70, 300], [4, 9, 33], [500, 8, 37], [301, 1, 19], [2, 2, 1000],
    ];
    test.each(BOUNDARIES)('M=%i N=%i K=%i, all four transposes', (M, N, K) => {
      for (const [transA, transB] of TRANSPOSES) expect(worstError(level, transA, transB, M, N, K)).toBeLessThan(1e-5);
    });

    test('padded leading dimensions and offsets inside larger arrays', () => {
      for (const [transA, transB] of TRANSPOSES) {
        for (const [M, N, K] of [[1, 1, 1], [7, 19, 5], [30, 33, 70], [97, 40, 260]]) {
          expect(worstError(level, transA, transB, M, N, K, { pad: 3, offset: 5 })).toBeLessThan(1e-5);
        }
      }
    });

    test('K = 0 writes zeros; empty outputs write nothing', () => {
      for (const [transA, transB] of TRANSPOSES) {
        const c = new Float32Array(14).fill(Number.NaN);
        addon!.sgemm(transA, transB, 3, 4, 0, new Float32Array(0), 0, transA ? 3 : 1, new Float32Array(0), 0, transB ? 1 : 4, c, 1, 4, level);
        expect(Number.isNaN(c[0]) && Number.isNaN(c[13])).toBe(true);
        expect(Array.from(c.subarray(1, 13))).toEqual(new Array(12).fill(0));
        for (const [M, N] of [[0, 4], [3, 0], [0, 0]]) {
          const empty = new Float32Array(4).fill(Number.NaN);
          addon!.sgemm(transA, transB, M, N, 5, new Float32Array(25), 0, 5, new Float32Array(25), 0, 5, empty, 0, Math.max(1, N), level);
          expect(empty.every(Number.isNaN)).toBe(true);
        }
      }
    });
  });

  test('rejects out-of-bounds extents, small leading dimensions, overlap and bad types with clear errors', () => {
    const gemm = addon!;
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const c = new Float32Array(4);
    expect(() => gemm.sgemm(false, false, 2, 2, 3, a, 1, 3, b, 0, 2, c, 0, 2)).toThrow('sgemm: A needs elements [1, 7) of its Float32Array (2 rows × 3 with stride 3), but the array has 6 elements');
    expect(() => gemm.sgemm(false, true, 2, 2, 3, a, 0, 3, b, 0, 3, c, 1, 2)).toThrow(/^sgemm: C needs elements \[1, 5\)/);
    expect(() => gemm.sgemm(false, false, 2, 2, 3, a, 0, 2, b, 0, 2, c, 0, 2)).toThrow('sgemm: lda (2) must be at least max(1, 3), the row length of A as stored');
    // The same extents transposed: A stored 3×2 with lda 2 uses all 6 elements, which fits.
    expect(() => gemm.sgemm(true, false, 2, 2, 3, a, 0, 2, b, 0, 2, c, 0, 2)).not.toThrow();
    const heap = new Float32Array(32);
    expect(() => gemm.sgemm(false, false, 2, 2, 2, heap, 0, 2, heap, 4, 2, heap, 6, 2)).toThrow('sgemm: C overlaps A or B in memory; the output must be a separate buffer');
    expect(() => gemm.sgemm(false, false, 2, 2, 2, heap, 0, 2, heap, 4, 2, heap, 8, 2)).not.toThrow();
    expect(() => gemm.sgemm(false, false, 2.5, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2)).toThrow(/^sgemm: M must be an integer in \[0, /);
    expect(() => gemm.sgemm(false, false, -1, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2)).toThrow(RangeError);
    expect(() => gemm.sgemm(false, false, 2, 2, 2, new Float64Array(4) as unknown as Float32Array, 0, 2, b, 0, 2, c, 0, 2)).toThrow('sgemm: a must be a Float32Array');
    expect(() => gemm.sgemm(1 as unknown as boolean, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2)).toThrow('sgemm: transA must be a boolean');
    expect(() => gemm.sgemm(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, 'avx9' as NativeGemmSimd)).toThrow(/^sgemm: simd 'avx9' is not supported by this CPU/);
    expect(() => (gemm.sgemm as (...args: unknown[]) => void)(false, false, 2)).toThrow(/^sgemm: expected \(transA, transB, M, N, K, /);
  });
});

describe.skipIf(addon === null)('BatchMatMul on wasm with the native GEMM', () => {
  beforeAll(async () => {
    await initBackends();
    setNativeGemmEnabled(true);
  });
  afterAll(() => setNativeGemmEnabled(undefined));

  test('is active, and switching it off falls back to XNNPACK', () => {
    expect(nativeGemmAvailable()).toBe(true);
    expect(nativeGemmActive()).toBe(true);
    expect(nativeGemmStatus()).toBe(`native GEMM ${LEVELS[0]}`);
    setNativeGemmEnabled(false);
    expect(nativeGemmActive()).toBe(false);
    expect(nativeGemmStatus()).toMatch(/^XNNPACK /);
    setNativeGemmEnabled(true);
  });

  /** [a shape, b shape, transposeA, transposeB] */
  const CASES: Array<[number[], number[], boolean, boolean]> = [
    [[37, 29], [29, 33], false, false],
    [[29, 37], [29, 33], true, false],
    [[37, 29], [33, 29], false, true],
    [[29, 37], [33, 29], true, true],
    // batch-1 right operand: folded into one call unless A is transposed
    [[3, 7, 19], [19, 17], false, false],
    [[3, 19, 7], [1, 17, 19], true, true],
    // batch-1 left operand broadcast over the right batches
    [[7, 19], [3, 17, 19], false, true],
    // rank 4, broadcasting on different axes
    [[2, 1, 13, 9], [1, 3, 9, 11], false, false],
    [[2, 1, 9, 13], [1, 3, 11, 9], true, true],
    [[2, 1, 9, 13], [2, 3, 9, 11], true, false],
    // attention-shaped: [B·heads, 80, 64] × [B·heads, 64, 80] and its transposed gradients
    [[4, 80, 64], [4, 64, 80], false, false],
    [[4, 80, 64], [4, 80, 64], false, true],
    [[4, 80, 80], [4, 80, 64], true, false],
    // encoder-shaped, across the MC / KC blocks
    [[300, 130], [130, 70], false, false],
    [[300, 130], [300, 70], true, false],
  ];

  test.each(CASES)('%j × %j (transposeA %s, transposeB %s) matches float64', async (aShape, bShape, transposeA, transposeB) => {
    await tf.setBackend('wasm');
    const aValues = randomArray(aShape.length * 31 + aShape[0], aShape.reduce((x, y) => x * y, 1));
    const bValues = randomArray(bShape.length * 37 + bShape[0], bShape.reduce((x, y) => x * y, 1));
    const a = tf.tensor(aValues, aShape);
    const b = tf.tensor(bValues, bShape);
    const product = tf.matMul(a, b, transposeA, transposeB);
    const values = await product.data();
    // Expected: the float64 loop per output batch entry, at broadcast operand batch indices.
    const aRank = aShape.length;
    const bRank = bShape.length;
    const M = transposeA ? aShape[aRank - 1] : aShape[aRank - 2];
    const K = transposeA ? aShape[aRank - 2] : aShape[aRank - 1];
    const N = transposeB ? bShape[bRank - 2] : bShape[bRank - 1];
    const outBatch = product.shape.slice(0, -2);
    expect(product.shape).toEqual([...outBatch, M, N]);
    const batchIndex = (outer: number[], flat: number): number => {
      const padded = [...new Array<number>(outBatch.length - outer.length).fill(1), ...outer];
      let index = 0;
      let rest = flat;
      let stride = 1;
      for (let axis = outBatch.length - 1; axis >= 0; axis--) {
        const coordinate = rest % outBatch[axis];
        rest = (rest - coordinate) / outBatch[axis];
        if (padded[axis] !== 1) index += coordinate * stride;
        stride *= padded[axis];
      }
      return index;
    };
    let worst = 0;
    const batches = outBatch.reduce((x, y) => x * y, 1);
    for (let i = 0; i < batches; i++) {
      const expected = reference(transposeA, transposeB, M, N, K, aValues, batchIndex(aShape.slice(0, -2), i) * M * K, transposeA ? M : K,
        bValues, batchIndex(bShape.slice(0, -2), i) * K * N, transposeB ? K : N);
      for (let e = 0; e < M * N; e++) worst = Math.max(worst, Math.abs(values[i * M * N + e] - expected[e]) / (1 + Math.abs(expected[e])));
    }
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([a, b, product]);
  });

  test('an empty inner dimension gives zeros and empty outputs are empty', async () => {
    await tf.setBackend('wasm');
    const product = tf.matMul(tf.ones([2, 0, 3]), tf.ones([2, 0, 4]), true, false);
    expect(product.shape).toEqual([2, 3, 4]);
    expect(Array.from(await product.data())).toEqual(new Array(24).fill(0));
    const empty = tf.matMul(tf.ones([0, 5]), tf.ones([5, 4]));
    expect(empty.shape).toEqual([0, 4]);
    tf.dispose([product, empty]);
  });

  const GRADIENT_CASES: Array<[number[], number[], boolean, boolean]> = [
    [[37, 29], [29, 33], false, false],
    [[29, 37], [33, 29], true, true],
    [[2, 3, 9, 13], [2, 3, 11, 9], true, true],
    [[3, 80, 64], [3, 80, 64], false, true],
  ];
  test.each(GRADIENT_CASES)('gradients of %j × %j (transposeA %s, transposeB %s) match cpu', async (aShape, bShape, transposeA, transposeB) => {
    const outShape = tf.tidy(() => tf.matMul(tf.zeros(aShape), tf.zeros(bShape), transposeA, transposeB).shape);
    await expectWasmMatchesCpu([{ shape: aShape }, { shape: bShape }, { shape: outShape }], (a, b, weights) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), weights)))([a, b]), 11);
  });

  test('the native and XNNPACK paths agree', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomUniform([3, 50, 70], -1, 1, 'float32', 3);
    const b = tf.randomUniform([3, 40, 70], -1, 1, 'float32', 4);
    const native = tf.matMul(a, b, false, true);
    setNativeGemmEnabled(false);
    const xnnpack = tf.matMul(a, b, false, true);
    setNativeGemmEnabled(true);
    const [x, y] = [await native.data(), await xnnpack.data()];
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([a, b, native, xnnpack]);
  });
});
