import { afterAll, describe, expect, test } from 'vitest';
import {
  ExactMipsIndex,
  dequantizeInt8Rows,
  float16ToFloat32,
  float32ToFloat16,
  quantizeInt8Rows,
  shutdownMipsWorkers,
  type ExactMipsOptionsInput,
} from '../src/index.js';
import { kernelModule } from '../src/wasm-kernel.js';
import { expectSameResult, naiveSearch, randomMatrix } from './reference.js';

afterAll(() => shutdownMipsWorkers());

const hex = (values: Uint16Array): string[] => Array.from(values, (b) => b.toString(16).padStart(4, '0'));

describe('float16', () => {
  test('hand-worked bit patterns: rounding to nearest even, subnormals, range limits', () => {
    const inputs = [1, -2, 0.1, 65504, 65519, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -14, 2 ** -15, 2 ** -24, 2 ** -25, 3 * 2 ** -26, -0, 1 / 3];
    expect(hex(float32ToFloat16(new Float32Array(inputs)))).toEqual([
      '3c00', 'c000', '2e66', '7bff', '7bff', '7c00', '3c00', '3c02', '0400', '0200', '0001', '0000', '0001', '8000', '3555',
    ]);
    expect(Array.from(float16ToFloat32(new Uint16Array([0x3c00, 0x2e66, 0x7bff, 0x0001, 0x0400, 0x3555, 0xfc00, 0x8001])))).toEqual([
      1, 0.0999755859375, 65504, 2 ** -24, 2 ** -14, 0.333251953125, -Infinity, -(2 ** -24),
    ]);
  });

  test('every finite float16 survives float16 → float32 → float16 unchanged', () => {
    const all = new Uint16Array(65_536).map((_, i) => i);
    const finite = all.filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(finite.length).toBe(63_488);
    expect(float32ToFloat16(float16ToFloat32(finite))).toEqual(finite);
  });

  test('round-trip error is at most half an ulp: 2^-11 relative (normals), 2^-25 absolute (subnormals)', () => {
    const values = randomMatrix(91, 4000, 1).map((x, i) => x * 2 ** ((i % 40) - 30));
    const back = float16ToFloat32(float32ToFloat16(values));
    let worstRelative = 0;
    for (let i = 0; i < values.length; i++) {
      const error = Math.abs(back[i] - values[i]);
      if (Math.abs(values[i]) >= 2 ** -14) worstRelative = Math.max(worstRelative, error / Math.abs(values[i]));
      else expect(error).toBeLessThanOrEqual(2 ** -25);
    }
    expect(worstRelative).toBeLessThanOrEqual(2 ** -11);
    expect(worstRelative).toBeGreaterThan(2 ** -13); // the bound is nearly reached, so it is the right one
  });
});

describe('int8 with a per-row scale', () => {
  test('hand-picked rows: scale = max|x| / 127, round half away from zero, all-zero row', () => {
    const { values, scales } = quantizeInt8Rows(new Float32Array([1, -0.5, 0.25, 0, 0, 0, 0, 0, -3, 1, 0, 3]), 4);
    expect(Array.from(values)).toEqual([127, -64, 32, 0, 0, 0, 0, 0, -127, 42, 0, 127]);
    expect(Array.from(scales)).toEqual([Math.fround(1 / 127), 0, Math.fround(3 / 127)]);
    expect(Array.from(dequantizeInt8Rows(values, scales, 4))).toEqual(
      [127, -64, 32, 0, 0, 0, 0, 0, -127, 42, 0, 127].map((q, i) => Math.fround(q * scales[Math.floor(i / 4)])),
    );
    // Sign symmetry: −x quantises to −q.
    expect(Array.from(quantizeInt8Rows(new Float32Array([-1, 0.5, -0.25, 0]), 4).values)).toEqual([-127, 64, -32, 0]);
  });

  test('round-trip error ≤ scale / 2 per component, and the largest component is exact to float32', () => {
    const dim = 24;
    const vectors = randomMatrix(92, 500, dim).map((x, i) => x * (1 + (Math.floor(i / dim) % 7) * 10));
    const { values, scales } = quantizeInt8Rows(vectors, dim);
    const back = dequantizeInt8Rows(values, scales, dim);
    let worst = 0;
    for (let i = 0; i < vectors.length; i++) {
      const scale = scales[Math.floor(i / dim)];
      const ratio = Math.abs(back[i] - vectors[i]) / scale;
      worst = Math.max(worst, ratio);
      expect(Math.abs(values[i])).toBeLessThanOrEqual(127);
    }
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-5);
    expect(worst).toBeGreaterThan(0.45);
    for (let r = 0; r < 500; r++) {
      const row = Array.from(vectors.subarray(r * dim, (r + 1) * dim), Math.abs);
      const max = Math.max(...row);
      expect(Math.abs(Math.abs(back[r * dim + row.indexOf(max)]) - max)).toBeLessThanOrEqual(max * 2 ** -22);
    }
  });
});

describe.each([
  ['float16', 2, 16],
  ['int8', 1, 16],
  ['float16', 2, 19],
  ['int8', 1, 19],
] as const)('%s storage, dim %i', (storage, bytesPerValue, dim) => {
  const vectors = randomMatrix(93, 200, dim);
  const stored = storage === 'float16' ? float16ToFloat32(float32ToFloat16(vectors)) : (() => {
    const q = quantizeInt8Rows(vectors, dim);
    return dequantizeInt8Rows(q.values, q.scales, dim);
  })();

  test.each([
    ['single thread', { threads: 1 }],
    ['workers, small chunks and blocks', { threads: 2, minParallelWork: 0, chunkRows: 37, blockRows: 9 }],
    ['js kernels', { threads: 1, kernel: 'js', blockRows: 13 }],
  ] as const)('%s: search equals the naive loop over the stored rows', async (_name, options: ExactMipsOptionsInput) => {
    const index = new ExactMipsIndex(dim, { ...options, storage });
    index.add(vectors.subarray(0, 120 * dim));
    index.add(vectors.subarray(120 * dim));
    for (const [numQueries, k] of [[1, 5], [3, 10], [9, 40]]) {
      const queries = randomMatrix(94 + numQueries, numQueries, dim);
      expectSameResult(await index.search(queries, k), naiveSearch(stored, queries, dim, k), k, expect);
    }
    expect(Array.from(index.reconstruct(130))).toEqual(Array.from(stored.subarray(130 * dim, 131 * dim)));
  });

  test('serialize → load keeps the stored values (dtype code, payload size)', async () => {
    const index = new ExactMipsIndex(dim, { threads: 1, storage, chunkRows: 50 });
    index.add(vectors);
    const bytes = index.serialize();
    expect(bytes.length).toBe(40 + 200 * dim * bytesPerValue + (storage === 'int8' ? 200 * 4 : 0));
    expect(new DataView(bytes.buffer).getUint32(20, true)).toBe(storage === 'float16' ? 2 : 3);
    const loaded = ExactMipsIndex.load(bytes, { threads: 1 });
    expect(loaded.options.storage).toBe(storage);
    expect(loaded.serialize()).toEqual(bytes);
    const queries = randomMatrix(99, 4, dim);
    expect(await loaded.search(queries, 6)).toEqual(await index.search(queries, 6));
  });
});

test.each([16, 19, 35])('wasm widen kernels (dim %i) give scores bit-identical to a float32 index over the decoded rows', async (dim) => {
  expect(kernelModule(dim, 'float16')).not.toBeNull();
  expect(kernelModule(dim, 'int8')).not.toBeNull();
  // Magnitudes from float16 subnormals (2^-20) to its largest normals, and ±.
  const vectors = randomMatrix(95, 150, dim).map((x, i) => x * 2 ** ((i * 7) % 36 - 20));
  const queries = randomMatrix(96, 9, dim);
  const f16 = float16ToFloat32(float32ToFloat16(vectors));
  const q8 = quantizeInt8Rows(vectors, dim);
  for (const [storage, decoded] of [['float16', f16], ['int8', dequantizeInt8Rows(q8.values, q8.scales, dim)]] as const) {
    const reference = new ExactMipsIndex(dim, { threads: 1, kernel: 'wasm' });
    reference.add(decoded);
    for (const options of [{ threads: 1 }, { threads: 2, minParallelWork: 0, chunkRows: 40, blockRows: 11 }]) {
      const index = new ExactMipsIndex(dim, { ...options, storage });
      index.add(vectors);
      for (const batch of [1, 2, 9]) {
        const q = queries.subarray(0, batch * dim);
        expect(await index.search(q, 12)).toEqual(await reference.search(q, 12));
      }
    }
  }
});

test('float16 storage rejects values it would turn into infinity, naming row and component', () => {
  const index = new ExactMipsIndex(2, { threads: 1, storage: 'float16' });
  expect(() => index.add(new Float32Array([1, 2, 3, 70000]))).toThrow('add: vectors row 1 component 1 is 70000, outside the float16 range (|x| < 65520)');
  expect(() => index.replaceAll(new Float32Array([-65520, 0]))).toThrow('replaceAll: matrix row 0 component 0 is -65520, outside the float16 range');
  index.add(new Float32Array([65504, -65519]));
  expect(Array.from(index.reconstruct(0))).toEqual([65504, -65504]);
});
