import { afterAll, describe, expect, test } from 'vitest';
import { ExactMipsIndex, shutdownMipsWorkers, type ExactMipsOptionsInput } from '../src/index.js';
import { expectSameResult, naiveSearch, randomMatrix, rows } from './reference.js';

afterAll(() => shutdownMipsWorkers());

const SINGLE: ExactMipsOptionsInput = { threads: 1, kernel: 'wasm' };
// Workers forced on small data: 3 threads so a split lands mid-chunk, tiny chunks and blocks so
// every range crosses chunk and block boundaries.
const WORKERS: ExactMipsOptionsInput = { threads: 3, minParallelWork: 0, chunkRows: 37, blockRows: 16, kernel: 'wasm' };

describe.each([
  ['wasm, single thread, d=19', SINGLE, 19],
  ['wasm, single thread, d=16', SINGLE, 16],
  ['wasm, small chunks/blocks, d=16', { threads: 1, chunkRows: 50, blockRows: 7 }, 16],
  ['wasm, workers, d=16', WORKERS, 16],
  ['js, single thread, d=19', { ...SINGLE, kernel: 'js' }, 19],
  ['js, small chunks/blocks, d=16', { threads: 1, chunkRows: 50, blockRows: 7, kernel: 'js' }, 16],
  ['js, workers, d=19', { ...WORKERS, kernel: 'js' }, 19],
] as const)('ExactMipsIndex (%s) matches the naive triple loop', (_name, options, dim) => {
  const vectors = randomMatrix(1, 300, dim);
  test.each([
    [1, 1],
    [1, 8],
    [2, 5],
    [3, 10],
    [7, 4],
    [13, 100],
    [64, 8],
  ])('%i queries, k=%i', async (numQueries, k) => {
    const index = new ExactMipsIndex(dim, options);
    index.add(vectors);
    const queries = randomMatrix(100 + numQueries, numQueries, dim);
    const result = await index.search(queries, k);
    expect(result.scores.length).toBe(numQueries * k);
    expectSameResult(result, naiveSearch(vectors, queries, dim, k), k, expect);
  });

  test('k = N returns every row in score order; k > N pads with -1 / -Infinity', async () => {
    const index = new ExactMipsIndex(dim, options);
    const few = vectors.subarray(0, 5 * dim);
    index.add(few);
    const queries = randomMatrix(7, 2, dim);
    expectSameResult(await index.search(queries, 5), naiveSearch(few, queries, dim, 5), 5, expect);
    const padded = await index.search(queries, 8);
    expectSameResult(padded, naiveSearch(few, queries, dim, 8), 8, expect);
    expect(rows(padded.ids, 8)[0].slice(5)).toEqual([-1, -1, -1]);
    expect(rows(padded.scores, 8)[1].slice(5)).toEqual([-Infinity, -Infinity, -Infinity]);
  });

  test('an empty index returns only padding', async () => {
    const index = new ExactMipsIndex(dim, options);
    const result = await index.search(randomMatrix(3, 2, dim), 3);
    expect(Array.from(result.ids)).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(Array.from(result.scores)).toEqual(Array(6).fill(-Infinity));
  });

  test('ties: duplicated rows score equally and the lower id wins', async () => {
    // Rows 0..9 random, then rows 10..19 repeat 0..9, then rows 20..29 repeat them again.
    const base = randomMatrix(5, 10, dim);
    const tripled = new Float32Array(30 * dim);
    for (let copy = 0; copy < 3; copy++) tripled.set(base, copy * 10 * dim);
    const index = new ExactMipsIndex(dim, options);
    index.add(tripled);
    const queries = randomMatrix(6, 4, dim);
    const result = await index.search(queries, 4);
    const expected = naiveSearch(tripled, queries, dim, 4);
    expectSameResult(result, expected, 4, expect);
    for (const ids of rows(result.ids, 4)) {
      // The best row appears three times with the same score: as ids b, b+10, b+20, in that order.
      expect(ids.slice(0, 3)).toEqual([ids[0], ids[0] + 10, ids[0] + 20]);
      expect(ids[0]).toBeLessThan(10);
    }
  });
});

test('add appends with sequential ids across calls and chunks; reconstruct returns the row', async () => {
  const dim = 4;
  const index = new ExactMipsIndex(dim, { threads: 1, chunkRows: 3 });
  const a = randomMatrix(1, 5, dim);
  const b = randomMatrix(2, 4, dim);
  index.add(a);
  index.add(b);
  expect(index.size).toBe(9);
  expect(Array.from(index.reconstruct(0))).toEqual(Array.from(a.subarray(0, 4)));
  expect(Array.from(index.reconstruct(6))).toEqual(Array.from(b.subarray(4, 8)));
  // Query equal to a large multiple of row 7 (b's row 2) must find id 7 first among these rows.
  const all = new Float32Array([...a, ...b]);
  const query = b.slice(8, 12);
  expectSameResult(await index.search(query, 9), naiveSearch(all, query, dim, 9), 9, expect);
  expect(() => index.reconstruct(9)).toThrow('reconstruct: id 9 is out of range (index holds 9 vectors)');
  index.reset();
  expect(index.size).toBe(0);
});

test('errors name the argument', async () => {
  const index = new ExactMipsIndex(4, SINGLE);
  expect(() => index.add(new Float32Array(6))).toThrow('add: vectors has 6 values, which is not a multiple of dim 4 (dimension mismatch)');
  expect(() => index.add(new Float32Array([0, 1, 2, 3, 4, 5, NaN, 7]))).toThrow('add: vectors row 1 component 2 is NaN (only finite values are allowed)');
  expect(() => index.replaceAll(new Float32Array([Infinity, 0, 0, 0]))).toThrow('replaceAll: matrix row 0 component 0 is Infinity');
  await expect(index.search(new Float32Array(5), 1)).rejects.toThrow('search: queries has 5 values, which is not a multiple of dim 4');
  await expect(index.search(new Float32Array([0, -Infinity, 0, 0]), 1)).rejects.toThrow('search: queries row 0 component 1 is -Infinity');
  await expect(index.search(new Float32Array(4), 0)).rejects.toThrow('search: k must be a positive integer, got 0');
  await expect(index.search(new Float32Array(4), 2.5)).rejects.toThrow('search: k must be a positive integer, got 2.5');
  expect(() => new ExactMipsIndex(0)).toThrow('dim must be a positive integer, got 0');
  expect(() => new ExactMipsIndex(4, { threads: 0 })).toThrow();
});

test('replaceAll during in-flight searches: started searches finish on the old matrix', async () => {
  const dim = 8;
  const oldRows = randomMatrix(11, 400, dim);
  const newRows = randomMatrix(12, 250, dim);
  const queries = randomMatrix(13, 6, dim);
  for (const options of [SINGLE, WORKERS, { ...WORKERS, kernel: 'js' as const }, { ...WORKERS, kernel: 'auto' as const }]) {
    const index = new ExactMipsIndex(dim, options);
    index.add(oldRows);
    const inFlight = [index.search(queries, 5), index.search(queries.subarray(0, dim), 3)];
    index.replaceAll(newRows);
    index.add(newRows.subarray(0, 10 * dim));
    const after = index.search(queries, 5);
    const [first, second] = await Promise.all(inFlight);
    expectSameResult(first, naiveSearch(oldRows, queries, dim, 5), 5, expect);
    expectSameResult(second, naiveSearch(oldRows, queries.subarray(0, dim), dim, 3), 3, expect);
    const appended = new Float32Array([...newRows, ...newRows.subarray(0, 10 * dim)]);
    expectSameResult(await after, naiveSearch(appended, queries, dim, 5), 5, expect);
    expect(index.size).toBe(260);
  }
});
