// ExactMipsIndex: faiss IndexFlatIP / REALM's BruteForceRetriever (retrieval.py) — exhaustive inner
// product search over float32 rows, streamed in cache blocks with a fused top-k: by the native C++
// kernel on native threads when it is built, otherwise by WebAssembly/JS kernels on worker threads
// that share the rows through SharedArrayBuffer chunks.
import { ChunkedMatrix, splitRows, type MatrixSnapshot, type RowData } from './chunked-matrix.js';
import { checkStorable } from './storage.js';
import { ExactMipsOptionsSchema, type ExactMipsOptions, type ExactMipsOptionsInput } from './config.js';
import { decodeIndex, encodeIndex } from './format.js';
import { runScanJob, type ScanJob } from './scan-job.js';
import { TopK } from './topk.js';
import type { MipsIndex, SearchResult } from './types.js';
import { checkDim, checkId, checkK, checkMatrix } from './validate.js';
import { nativeKernelAvailable, nativeKernelStatus, nativeSearch, resolveSimdLevel, type NativeSimdLevel } from './native-kernel.js';
import { scratchSlotBytes } from './wasm-kernel.js';
import { sharedScanPool } from './worker-pool.js';

/** Which scan kernel an index runs: the native addon at a SIMD level, WebAssembly SIMD, or plain JS. */
export type MipsKernelName = `native-${NativeSimdLevel}` | 'wasm-simd' | 'js';

/** The native SIMD level to use, or null for the wasm/JS kernels; throws when 'native' cannot be honoured. */
function chooseNativeLevel(options: ExactMipsOptions): NativeSimdLevel | null {
  if (options.kernel === 'wasm' || options.kernel === 'js') return null;
  if (options.storage !== 'float32') {
    if (options.kernel === 'native') throw new Error(`kernel 'native' supports float32 storage only, not ${options.storage} (use kernel 'auto' or 'wasm')`);
    return null;
  }
  if (!nativeKernelAvailable()) {
    if (options.kernel === 'native') throw new Error(`kernel 'native' requested but ${nativeKernelStatus()}`);
    return null;
  }
  return resolveSimdLevel(options.simd);
}

export class ExactMipsIndex implements MipsIndex {
  readonly options: ExactMipsOptions;
  private matrix: ChunkedMatrix;
  /** SIMD level of the native kernel, or null when searches run on the wasm/JS kernels. */
  private readonly nativeLevel: NativeSimdLevel | null;

  constructor(
    readonly dim: number,
    options: ExactMipsOptionsInput = {},
  ) {
    checkDim(dim);
    this.options = ExactMipsOptionsSchema.parse(options);
    this.nativeLevel = chooseNativeLevel(this.options);
    this.matrix = this.emptyMatrix();
  }

  /** The kernel searches run on, e.g. 'native-avx512', 'wasm-simd' or 'js' (for logs and benches). */
  get kernelName(): MipsKernelName {
    if (this.nativeLevel !== null) return `native-${this.nativeLevel}`;
    return this.matrix.wasm ? 'wasm-simd' : 'js';
  }

  /**
   * Storage: plain SharedArrayBuffer chunks for the native and JS kernels; wasm memories with one
   * kernel scratch slot per thread that may scan them (main thread + workers) for the wasm kernels.
   */
  private emptyMatrix(): ChunkedMatrix {
    const { threads, chunkRows, blockRows, kernel, storage } = this.options;
    const plain = kernel === 'js' || this.nativeLevel !== null;
    return new ChunkedMatrix(this.dim, chunkRows, plain ? 0 : (threads + 1) * scratchSlotBytes(this.dim, blockRows, storage), storage);
  }

  /**
   * Rebuilds an index from `serialize()` output; throws on a bad magic, version or checksum. The
   * storage dtype is the file's (options.storage is ignored), so stored rows are not re-rounded.
   */
  static load(bytes: Uint8Array, options: ExactMipsOptionsInput = {}): ExactMipsIndex {
    const decoded = decodeIndex(bytes);
    const index = new ExactMipsIndex(decoded.dim, { ...options, storage: decoded.dtype });
    index.matrix.appendStored(decoded.values, decoded.scales);
    return index;
  }

  /**
   * Appends rows already in this index's storage dtype (bit patterns for bfloat16/float16, int8
   * with one scale per row), e.g. read from a file; they are not checked or re-rounded.
   */
  appendStored(values: RowData, scales?: Float32Array): void {
    if (values.length % this.dim !== 0) throw new Error(`appendStored: values has ${values.length} values, which is not a multiple of dim ${this.dim} (dimension mismatch)`);
    this.matrix.appendStored(values, scales);
  }

  /**
   * The stored payload in file order, as byte views of the live chunks (no copies): for int8 every
   * chunk's scales, then every chunk's rows. Each piece is at most one chunk (< 2 GiB).
   */
  storedPieces(): Uint8Array[] {
    const values: Uint8Array[] = [];
    const scales: Uint8Array[] = [];
    const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    this.matrix.forEachChunk((rows, rowScales) => {
      values.push(bytes(rows));
      if (rowScales !== undefined) scales.push(bytes(rowScales));
    });
    return [...scales, ...values];
  }

  get size(): number {
    return this.matrix.size;
  }

  add(vectors: Float32Array): void {
    checkMatrix('add', 'vectors', vectors, this.dim);
    checkStorable('add', 'vectors', vectors, this.dim, this.options.storage);
    this.matrix.append(vectors);
  }

  reset(): void {
    this.matrix = this.emptyMatrix();
  }

  replaceAll(matrix: Float32Array): void {
    checkMatrix('replaceAll', 'matrix', matrix, this.dim);
    checkStorable('replaceAll', 'matrix', matrix, this.dim, this.options.storage);
    // Build the new storage completely before swapping the reference: a search holds the snapshot
    // it took at its start, so it finishes on the old rows.
    const next = this.emptyMatrix();
    next.append(matrix);
    this.matrix = next;
  }

  reconstruct(id: number): Float32Array {
    checkId(id, this.size);
    return this.matrix.row(id);
  }

  serialize(): Uint8Array {
    return encodeIndex(this.dim, this.size, this.storedPieces(), this.options.storage);
  }

  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    checkK('search', k);
    const numQueries = checkMatrix('search', 'queries', queries, this.dim);
    const snapshot = this.matrix.snapshot();
    const work = numQueries * snapshot.size * this.dim;
    const parallel = this.options.threads > 1 && snapshot.size > 1 && work >= this.options.minParallelWork;
    if (this.nativeLevel !== null) return this.searchNative(snapshot, queries, k, parallel ? this.options.threads : 1, this.nativeLevel);
    if (parallel) return this.searchParallel(snapshot, queries.slice(), numQueries, k);
    return this.searchLocal(snapshot, queries, k);
  }

  /**
   * One addon call over every chunk: threads > 1 runs on native threads off the event loop (the
   * addon copies the queries and keeps the chunks alive), 1 runs on the calling thread.
   */
  private async searchNative(snapshot: MatrixSnapshot, queries: Float32Array, k: number, threads: number, level: NativeSimdLevel): Promise<SearchResult> {
    const chunks = snapshot.chunks.map((chunk) => ({ rows: (chunk.data as Float32Array).subarray(0, chunk.rows * this.dim), firstId: chunk.firstId }));
    return nativeSearch(queries, this.dim, k, chunks, threads, level);
  }

  private searchLocal(snapshot: MatrixSnapshot, queries: Float32Array, k: number): SearchResult {
    const ranges = splitRows(snapshot, 1)[0] ?? [];
    return runScanJob({ dim: this.dim, k, blockRows: this.options.blockRows, queries, ranges, slot: 0, storage: this.options.storage });
  }

  private async searchParallel(snapshot: MatrixSnapshot, queries: Float32Array, numQueries: number, k: number): Promise<SearchResult> {
    const parts = Math.min(this.options.threads, snapshot.size);
    const jobs: ScanJob[] = splitRows(snapshot, parts).map((ranges, i) => ({
      dim: this.dim, k, blockRows: this.options.blockRows, queries, ranges, slot: i + 1, storage: this.options.storage,
    }));
    const partials = await sharedScanPool().run(jobs);
    const merged = new TopK(numQueries, k);
    for (const partial of partials) merged.mergeResult(partial.scores, partial.ids, k);
    return merged.finish();
  }
}
