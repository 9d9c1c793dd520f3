import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, test } from 'vitest';
import { ExactMipsIndex } from '../src/index.js';
import { TfjsMipsIndex } from '../src/tfjs.js';
import { expectSameResult, naiveSearch, randomMatrix, rows } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dim = 11;
const vectors = randomMatrix(21, 150, dim);

test.each([
  [1, 1, 1000],
  [1, 7, 40],
  [5, 3, 64],
  [9, 30, 150],
  [4, 150, 33],
])('%i queries, k=%i, chunkRows=%i match the naive triple loop', async (numQueries, k, chunkRows) => {
  const index = new TfjsMipsIndex(dim, { chunkRows });
  index.add(vectors.subarray(0, 100 * dim));
  index.add(vectors.subarray(100 * dim));
  expect(index.size).toBe(150);
  const queries = randomMatrix(22 + numQueries, numQueries, dim);
  expectSameResult(await index.search(queries, k), naiveSearch(vectors, queries, dim, k), k, expect);
  index.dispose();
});

test('k > N pads, an empty index returns padding, ties go to the lower id', async () => {
  const base = randomMatrix(23, 4, dim);
  const doubled = new Float32Array([...base, ...base]);
  const index = new TfjsMipsIndex(dim, { chunkRows: 3 });
  expect(Array.from((await index.search(base.subarray(0, dim), 2)).ids)).toEqual([-1, -1]);
  index.add(doubled);
  const queries = randomMatrix(24, 3, dim);
  const result = await index.search(queries, 10);
  expectSameResult(result, naiveSearch(doubled, queries, dim, 10), 10, expect);
  for (const ids of rows(result.ids, 10)) {
    expect(ids.slice(0, 2)).toEqual([ids[0], ids[0] + 4]);
    expect(ids.slice(8)).toEqual([-1, -1]);
  }
  index.dispose();
});

test('agrees with ExactMipsIndex, including serialize and reconstruct', async () => {
  const tfIndex = new TfjsMipsIndex(dim, { chunkRows: 64 });
  tfIndex.add(vectors);
  const exact = ExactMipsIndex.load(tfIndex.serialize(), { threads: 1 });
  expect(Array.from(tfIndex.reconstruct(70))).toEqual(Array.from(vectors.subarray(70 * dim, 71 * dim)));
  expect(Array.from(exact.reconstruct(149))).toEqual(Array.from(vectors.subarray(149 * dim)));
  const queries = randomMatrix(25, 6, dim);
  const a = await tfIndex.search(queries, 5);
  const b = await exact.search(queries, 5);
  expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
  tfIndex.dispose();
});

test('searches, add, replaceAll and dispose leak no tensors; in-flight searches keep the old matrix', async () => {
  const before = tf.memory().numTensors;
  const index = new TfjsMipsIndex(dim, { chunkRows: 40 });
  index.add(vectors.subarray(0, 90 * dim));
  index.add(vectors.subarray(90 * dim));
  const afterAdd = tf.memory().numTensors;
  expect(afterAdd - before).toBe(4);
  const queries = randomMatrix(26, 3, dim);
  await index.search(queries, 4);
  expect(tf.memory().numTensors).toBe(afterAdd);

  const inFlight = index.search(queries, 4);
  const replacement = randomMatrix(27, 30, dim);
  index.replaceAll(replacement);
  expectSameResult(await inFlight, naiveSearch(vectors, queries, dim, 4), 4, expect);
  expectSameResult(await index.search(queries, 4), naiveSearch(replacement, queries, dim, 4), 4, expect);
  expect(tf.memory().numTensors - before).toBe(1);
  expect(() => index.add(new Float32Array(3))).toThrow('add: vectors has 3 values, which is not a multiple of dim 11');
  await expect(index.search(queries, -1)).rejects.toThrow('search: k must be a positive integer, got -1');
  index.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
