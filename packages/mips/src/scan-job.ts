// One unit of scan work (a batch of queries against some row ranges) that runs the same way on the
// main thread or inside a worker; returns the finished [numQueries, k] top-k for those rows. Ranges
// in wasm chunk memories go through the SIMD kernels, others through the plain JS kernels.
import type { RowRange, StorageDtype } from './chunked-matrix.js';
import { decodeRows } from './storage.js';
import type { WasmMemory } from './wasm-api.js';
import { makeQueryTiles, scanRows } from './kernel.js';
import { TopK } from './topk.js';
import { instantiateKernels, kernelModule, scratchSlotBytes, widenOffset, type KernelExports } from './wasm-kernel.js';

export interface ScanJob {
  readonly dim: number;
  readonly k: number;
  readonly blockRows: number;
  readonly queries: Float32Array;
  readonly ranges: readonly RowRange[];
  readonly storage: StorageDtype;
  /** Scratch slot of the thread running the job (0 = main thread, worker i = i + 1). */
  readonly slot: number;
}

export function runScanJob(job: ScanJob): { scores: Float32Array; ids: Int32Array } {
  const numQueries = job.queries.length / job.dim;
  const topk = new TopK(numQueries, job.k);
  let jsTiles: ReturnType<typeof makeQueryTiles> | undefined;
  let wasmTiles: WasmTile[] | undefined;
  for (const range of job.ranges) {
    const module = range.memory === undefined ? null : kernelModule(job.dim, job.storage);
    if (range.memory !== undefined && module !== null) {
      const kernels = instantiateKernels(module, range.memory);
      wasmTiles ??= makeWasmTiles(job.queries, job.dim, kernels.scores1 !== undefined);
      scanRangeWasm(kernels, range, job, wasmTiles, topk);
    } else if (range.data instanceof Float32Array) {
      jsTiles ??= makeQueryTiles(job.queries, job.dim);
      scanRows(range.data, job.dim, range.rowStart, range.rowEnd, range.idOffset, jsTiles, topk, job.blockRows);
    } else {
      // Reduced precision without a wasm kernel: widen one block at a time and run the JS kernels on it.
      jsTiles ??= makeQueryTiles(job.queries, job.dim);
      const { dim, blockRows } = job;
      for (let start = range.rowStart; start < range.rowEnd; start += blockRows) {
        const end = Math.min(range.rowEnd, start + blockRows);
        const block = decodeRows(job.storage, range.data.subarray(start * dim, end * dim), range.scales?.subarray(start, end), dim);
        scanRows(block, dim, 0, end - start, range.idOffset + start, jsTiles, topk, blockRows);
      }
    }
  }
  return topk.finish();
}

interface WasmTile {
  readonly first: number;
  readonly count: number;
  /** 8: component-interleaved [dim, 8] tile for scores8; 1: the query for scores1. */
  readonly width: 8 | 1;
  readonly values: Float32Array;
}

/** 8-wide tiles (the last one zero-padded) and single queries for a remainder of 1–2. */
function makeWasmTiles(queries: Float32Array, dim: number, hasScores1: boolean): WasmTile[] {
  const n = queries.length / dim;
  const tiles: WasmTile[] = [];
  for (let first = 0; first < n; ) {
    const left = n - first;
    if (left <= 2 && hasScores1) {
      tiles.push({ first, count: 1, width: 1, values: queries.slice(first * dim, (first + 1) * dim) });
      first++;
      continue;
    }
    const count = Math.min(8, left);
    const values = new Float32Array(dim * 8);
    for (let t = 0; t < count; t++) for (let j = 0; j < dim; j++) values[j * 8 + t] = queries[(first + t) * dim + j];
    tiles.push({ first, count, width: 8, values });
    first += count;
  }
  return tiles;
}

function scanRangeWasm(kernels: KernelExports, range: RowRange, job: ScanJob, tiles: readonly WasmTile[], topk: TopK): void {
  const { dim, blockRows } = job;
  const buffer = (range.memory as WasmMemory).buffer;
  const slotBytes = scratchSlotBytes(dim, blockRows, job.storage);
  const queryPtr = job.slot * slotBytes;
  // float16 / int8: each block is first widened to float32 here, then scanned by the float32 kernels.
  const widen = kernels.widen;
  const widenPtr = queryPtr + widenOffset(dim, blockRows);
  const storedRowBytes = dim * range.data.BYTES_PER_ELEMENT;
  const outPtr = queryPtr + Math.ceil((8 * dim * 4) / 64) * 64;
  const queryView = new Float32Array(buffer, queryPtr, 8 * dim);
  const out = new Float32Array(buffer, outPtr, blockRows * 8);
  const thresholds = topk.thresholds;
  const rowBytes = widen === undefined ? storedRowBytes : dim * 4;
  for (let blockStart = range.rowStart; blockStart < range.rowEnd; blockStart += blockRows) {
    const rows = Math.min(range.rowEnd, blockStart + blockRows) - blockStart;
    let rowPtr = range.data.byteOffset + blockStart * storedRowBytes;
    if (widen !== undefined) {
      widen(rowPtr, rows, range.scales === undefined ? 0 : range.scales.byteOffset + blockStart * 4, widenPtr);
      rowPtr = widenPtr;
    }
    const firstId = range.idOffset + blockStart;
    for (const tile of tiles) {
      const first = tile.first;
      queryView.set(tile.values);
      if (tile.width === 1) {
        // Two streams (the block's halves) keep more cache misses in flight than one: several times the
        // bytes/s of a single stream on the bench machine. Scores are bit-identical either way.
        const half = rows >> 1;
        const { scores1, scores1Split } = kernels as Required<KernelExports>;
        scores1Split(rowPtr, half, queryPtr, outPtr, rowPtr + half * rowBytes, outPtr + half * 4);
        if (rows % 2 === 1) scores1(rowPtr + (rows - 1) * rowBytes, 1, queryPtr, outPtr + (rows - 1) * 4);
        for (let i = 0; i < rows; i++) {
          const v = out[i];
          if (v >= thresholds[first]) topk.offer(first, v, firstId + i);
        }
        continue;
      }
      kernels.scores8(rowPtr, rows, queryPtr, outPtr);
      const count = tile.count;
      for (let i = 0; i < rows; i++) {
        for (let t = 0, p = i * 8; t < count; t++, p++) {
          const v = out[p];
          if (v >= thresholds[first + t]) topk.offer(first + t, v, firstId + i);
        }
      }
    }
  }
}
