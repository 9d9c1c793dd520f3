// The exact-MIPS scan kernel: register-blocked dot products of a tile of queries against a block
// of rows, fused with top-k selection, so nothing of size numQueries×N is ever materialised.
// Plays the role of faiss's exhaustive_inner_product_seq / REALM's matmul+top_k, in plain JS.
import type { TopK } from './topk.js';

/** A group of up to 8 queries laid out for one kernel call. */
export interface QueryTile {
  /** 8, 4 or 1: how many queries the kernel computes per row. */
  readonly width: 8 | 4 | 1;
  /** Index of the tile's first query in the batch. */
  readonly first: number;
  /** Real queries in the tile (the rest of a width-8/4 tile is zero padding, never offered). */
  readonly count: number;
  /** width>1: component-interleaved [dim, width] float64; width 1: the query itself. */
  readonly values: Float64Array;
}

/**
 * Cuts a batch into tiles: as many 8-wide tiles as possible, then one 8- or 4-wide padded tile, or
 * single-query tiles for a remainder of 1–2 (padding 1 query to 4 would waste 3/4 of the reads).
 */
export function makeQueryTiles(queries: Float32Array, dim: number): QueryTile[] {
  const n = queries.length / dim;
  const tiles: QueryTile[] = [];
  let first = 0;
  while (first < n) {
    const left = n - first;
    const width: 8 | 4 | 1 = left >= 5 ? 8 : left >= 3 ? 4 : 1;
    const count = Math.min(width, left);
    const values = new Float64Array(dim * width);
    for (let t = 0; t < count; t++) {
      for (let j = 0; j < dim; j++) values[j * width + t] = queries[(first + t) * dim + j];
    }
    tiles.push({ width, first, count, values });
    first += count;
  }
  return tiles;
}

/**
 * Scans rows [rowStart, rowEnd) of `data` (row-major, `dim` wide) in blocks of `blockRows`, offering
 * each row's score to `topk` under id `idOffset + row`. Blocks keep a slice of the matrix in cache
 * while every query tile passes over it, so each row is read from memory once per batch.
 */
export function scanRows(
  data: Float32Array,
  dim: number,
  rowStart: number,
  rowEnd: number,
  idOffset: number,
  tiles: readonly QueryTile[],
  topk: TopK,
  blockRows: number,
): void {
  for (let blockStart = rowStart; blockStart < rowEnd; blockStart += blockRows) {
    const blockEnd = Math.min(rowEnd, blockStart + blockRows);
    for (const tile of tiles) {
      if (tile.width === 8) scanTile8(data, dim, blockStart, blockEnd, idOffset, tile, topk);
      else if (tile.width === 4) scanTile4(data, dim, blockStart, blockEnd, idOffset, tile, topk);
      else scanSingle(data, dim, blockStart, blockEnd, idOffset, tile, topk);
    }
  }
}

function scanTile8(data: Float32Array, dim: number, r0: number, r1: number, idOffset: number, tile: QueryTile, topk: TopK): void {
  const q = tile.values;
  const thr = topk.thresholds;
  const first = tile.first;
  const count = tile.count;
  for (let r = r0; r < r1; r++) {
    const b = r * dim;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let j = 0, p = 0; j < dim; j++, p += 8) {
      const x = data[b + j];
      s0 += q[p] * x;
      s1 += q[p + 1] * x;
      s2 += q[p + 2] * x;
      s3 += q[p + 3] * x;
      s4 += q[p + 4] * x;
      s5 += q[p + 5] * x;
      s6 += q[p + 6] * x;
      s7 += q[p + 7] * x;
    }
    const id = idOffset + r;
    // Scores are rounded to float32 before comparing so ties are judged on the reported values.
    let v = Math.fround(s0);
    if (v >= thr[first]) topk.offer(first, v, id);
    v = Math.fround(s1);
    if (v >= thr[first + 1] && count > 1) topk.offer(first + 1, v, id);
    v = Math.fround(s2);
    if (v >= thr[first + 2] && count > 2) topk.offer(first + 2, v, id);
    v = Math.fround(s3);
    if (v >= thr[first + 3] && count > 3) topk.offer(first + 3, v, id);
    v = Math.fround(s4);
    if (v >= thr[first + 4] && count > 4) topk.offer(first + 4, v, id);
    v = Math.fround(s5);
    if (v >= thr[first + 5] && count > 5) topk.offer(first + 5, v, id);
    v = Math.fround(s6);
    if (v >= thr[first + 6] && count > 6) topk.offer(first + 6, v, id);
    v = Math.fround(s7);
    if (v >= thr[first + 7] && count > 7) topk.offer(first + 7, v, id);
  }
}

function scanTile4(data: Float32Array, dim: number, r0: number, r1: number, idOffset: number, tile: QueryTile, topk: TopK): void {
  const q = tile.values;
  const thr = topk.thresholds;
  const first = tile.first;
  const count = tile.count;
  for (let r = r0; r < r1; r++) {
    const b = r * dim;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0, p = 0; j < dim; j++, p += 4) {
      const x = data[b + j];
      s0 += q[p] * x;
      s1 += q[p + 1] * x;
      s2 += q[p + 2] * x;
      s3 += q[p + 3] * x;
    }
    const id = idOffset + r;
    let v = Math.fround(s0);
    if (v >= thr[first]) topk.offer(first, v, id);
    v = Math.fround(s1);
    if (v >= thr[first + 1] && count > 1) topk.offer(first + 1, v, id);
    v = Math.fround(s2);
    if (v >= thr[first + 2] && count > 2) topk.offer(first + 2, v, id);
    v = Math.fround(s3);
    if (v >= thr[first + 3] && count > 3) topk.offer(first + 3, v, id);
  }
}

function scanSingle(data: Float32Array, dim: number, r0: number, r1: number, idOffset: number, tile: QueryTile, topk: TopK): void {
  const q = tile.values;
  const thr = topk.thresholds;
  const first = tile.first;
  const dim4 = dim - (dim % 4);
  for (let r = r0; r < r1; r++) {
    const b = r * dim;
    // Four independent accumulators break the add dependency chain; the sum order is fixed per
    // row, so identical rows always produce identical scores (ties stay exact).
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j < dim4; j += 4) {
      s0 += q[j] * data[b + j];
      s1 += q[j + 1] * data[b + j + 1];
      s2 += q[j + 2] * data[b + j + 2];
      s3 += q[j + 3] * data[b + j + 3];
    }
    for (; j < dim; j++) s0 += q[j] * data[b + j];
    const v = Math.fround(s0 + s1 + s2 + s3);
    if (v >= thr[first]) topk.offer(first, v, r + idOffset);
  }
}
