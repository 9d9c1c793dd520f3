import { afterAll, describe, expect, test } from 'vitest';
import { ExactMipsIndex, bfloat16ToFloat32, float32ToBfloat16, shutdownMipsWorkers, type ExactMipsOptionsInput } from '../src/index.js';
import { expectSameResult, naiveSearch, randomMatrix } from './reference.js';

afterAll(() => shutdownMipsWorkers());

test('float32 → bfloat16 rounds to nearest, ties to even (hand-worked bit patterns)', () => {
  const inputs = new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, 0.1, 0]);
  expect(Array.from(float32ToBfloat16(inputs), (b) => b.toString(16))).toEqual(['3f80', '3f80', '3f82', 'c020', '3dcd', '0']);
  expect(Array.from(bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc020, 0x3dcd])))).toEqual([1, -2.5, 0.10009765625]);
});

describe.each([
  ['wasm, single thread, d=16', { threads: 1 }, 16],
  ['wasm, single thread, d=12 (no scores1)', { threads: 1 }, 12],
  ['wasm, workers, d=24', { threads: 2, minParallelWork: 0, chunkRows: 41, blockRows: 9 }, 24],
  ['js fallback, d=16', { threads: 1, kernel: 'js', blockRows: 13 }, 16],
] as const)('bfloat16 storage (%s) equals exact search over the rounded rows', (_name, options: ExactMipsOptionsInput, dim) => {
  const vectors = randomMatrix(41, 200, dim);
  const rounded = bfloat16ToFloat32(float32ToBfloat16(vectors));
  test.each([
    [1, 5],
    [2, 3],
    [9, 10],
  ])('%i queries, k=%i', async (numQueries, k) => {
    const index = new ExactMipsIndex(dim, { ...options, storage: 'bfloat16' });
    index.add(vectors);
    const queries = randomMatrix(42 + numQueries, numQueries, dim);
    expectSameResult(await index.search(queries, k), naiveSearch(rounded, queries, dim, k), k, expect);
    expect(Array.from(index.reconstruct(7))).toEqual(Array.from(rounded.subarray(7 * dim, 8 * dim)));
  });
});

test('bfloat16 serialize → load keeps the stored bits (dtype 1, half the payload)', async () => {
  const dim = 8;
  const index = new ExactMipsIndex(dim, { threads: 1, storage: 'bfloat16' });
  index.add(randomMatrix(43, 10, dim));
  const bytes = index.serialize();
  expect(bytes.length).toBe(40 + 10 * dim * 2);
  expect(new DataView(bytes.buffer).getUint32(20, true)).toBe(1);
  const loaded = ExactMipsIndex.load(bytes, { threads: 1 });
  expect(loaded.options.storage).toBe('bfloat16');
  expect(loaded.serialize()).toEqual(bytes);
  const queries = randomMatrix(44, 3, dim);
  expect(await loaded.search(queries, 4)).toEqual(await index.search(queries, 4));
});
