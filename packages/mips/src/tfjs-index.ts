// TfjsMipsIndex: REALM's BruteForceRetriever on tfjs — per row chunk, scores = Q·chunkᵀ then top_k,
// so only [numQueries, chunkRows] scores exist at once; per-chunk top-k lists are merged on the host
// with the shared tie rule. Runs on whichever tfjs backend the application registered.
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { TopK } from './topk.js';
import type { MipsIndex, SearchResult } from './types.js';
import { checkDim, checkId, checkK, checkMatrix } from './validate.js';
import { encodeIndex } from './format.js';

export const TfjsMipsOptionsSchema = z
  .strictObject({
    chunkRows: z
      .number()
      .int()
      .min(1)
      .default(65_536)
      .describe('Rows per matrix tensor; a search materialises at most numQueries × chunkRows scores at a time'),
  })
  .readonly();

export type TfjsMipsOptionsInput = z.input<typeof TfjsMipsOptionsSchema>;

/** A matrix tensor shared by index states and searches in flight; disposed when nobody holds it. */
interface HeldChunk {
  readonly tensor: tf.Tensor2D;
  readonly rows: number;
  holders: number;
}

function hold(chunks: readonly HeldChunk[]): void {
  for (const chunk of chunks) chunk.holders++;
}

function release(chunks: readonly HeldChunk[]): void {
  for (const chunk of chunks) if (--chunk.holders === 0) chunk.tensor.dispose();
}

export class TfjsMipsIndex implements MipsIndex {
  private readonly chunkRows: number;
  /** Current chunks (each held once by the index itself). */
  private chunks: HeldChunk[] = [];

  constructor(
    readonly dim: number,
    options: TfjsMipsOptionsInput = {},
  ) {
    checkDim(dim);
    this.chunkRows = TfjsMipsOptionsSchema.parse(options).chunkRows;
  }

  get size(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.rows, 0);
  }

  add(vectors: Float32Array): void {
    checkMatrix('add', 'vectors', vectors, this.dim);
    this.append(vectors);
  }

  private append(vectors: Float32Array): void {
    const dim = this.dim;
    let rest = vectors;
    const last = this.chunks[this.chunks.length - 1];
    if (last !== undefined && last.rows < this.chunkRows && rest.length > 0) {
      // Top up the partial chunk by building a replacement; the old tensor lives on while a
      // search in flight still holds it.
      const take = Math.min(this.chunkRows - last.rows, rest.length / dim);
      const tensor = tf.tidy(() => tf.concat([last.tensor, tf.tensor2d(rest.subarray(0, take * dim), [take, dim])], 0) as tf.Tensor2D);
      this.chunks[this.chunks.length - 1] = { tensor, rows: last.rows + take, holders: 1 };
      release([last]);
      rest = rest.subarray(take * dim);
    }
    while (rest.length > 0) {
      const take = Math.min(this.chunkRows, rest.length / dim);
      // slice() copies, so later edits to the caller's array cannot change the index.
      this.chunks.push({ tensor: tf.tensor2d(rest.slice(0, take * dim), [take, dim]), rows: take, holders: 1 });
      rest = rest.subarray(take * dim);
    }
  }

  reset(): void {
    const old = this.chunks;
    this.chunks = [];
    release(old);
  }

  replaceAll(matrix: Float32Array): void {
    checkMatrix('replaceAll', 'matrix', matrix, this.dim);
    const old = this.chunks;
    this.chunks = [];
    this.append(matrix);
    release(old);
  }

  /** Releases every tensor the index owns (searches in flight keep theirs until they finish). */
  dispose(): void {
    this.reset();
  }

  reconstruct(id: number): Float32Array {
    checkId(id, this.size);
    const chunk = this.chunks[Math.floor(id / this.chunkRows)];
    const row = id % this.chunkRows;
    return tf.tidy(() => tf.slice(chunk.tensor, [row, 0], [1, this.dim]).dataSync() as Float32Array).slice();
  }

  serialize(): Uint8Array {
    return encodeIndex(this.dim, this.size, this.chunks.map((chunk) => chunk.tensor.dataSync() as Float32Array));
  }

  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    checkK('search', k);
    const numQueries = checkMatrix('search', 'queries', queries, this.dim);
    const chunks = this.chunks;
    hold(chunks);
    try {
      const merged = new TopK(numQueries, k);
      const queryTensor = tf.tensor2d(queries, [numQueries, this.dim]);
      try {
        let firstId = 0;
        for (const chunk of chunks) {
          const chunkK = Math.min(k, chunk.rows);
          const { values, indices } = tf.tidy(() => {
            // [numQueries, rows]
            const scores = tf.matMul(queryTensor, chunk.tensor, false, true);
            // [numQueries, chunkK] each
            return tf.topk(scores, chunkK, true);
          });
          const [chunkScores, chunkIds] = await Promise.all([values.data() as Promise<Float32Array>, indices.data() as Promise<Int32Array>]);
          values.dispose();
          indices.dispose();
          for (let q = 0; q < numQueries; q++) {
            for (let j = 0; j < chunkK; j++) merged.offer(q, chunkScores[q * chunkK + j], firstId + chunkIds[q * chunkK + j]);
          }
          firstId += chunk.rows;
        }
      } finally {
        queryTensor.dispose();
      }
      return merged.finish();
    } finally {
      release(chunks);
    }
  }
}
