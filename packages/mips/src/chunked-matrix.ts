// Row storage for the exact index: a list of shared chunks rather than one array, because REALM's
// 13.3M×128 float32 block_emb (6.8 GB) exceeds a single typed array/wasm memory, and because workers
// read shared chunks without copying. With SIMD available each chunk is a shared WebAssembly.Memory
// whose first `scratchBytes` are per-thread kernel scratch slots, followed by the rows.
import { decodeRows, encodeRows, hasRowScales, isStoredType, valueBytes, valuesView, type RowData, type StorageDtype } from './storage.js';
import { wasmApi, type WasmMemory } from './wasm-api.js';
import { kernelModule } from './wasm-kernel.js';

export type { RowData, StorageDtype } from './storage.js';

/** One chunk as seen by a search: its rows at snapshot time and the id of its first row. */
export interface ChunkView {
  readonly memory?: WasmMemory;
  readonly data: RowData;
  /** int8 storage: one scale per row (same row indexing as data). */
  readonly scales?: Float32Array;
  readonly rows: number;
  readonly firstId: number;
}

/** An immutable view of the matrix taken when a search starts. */
export interface MatrixSnapshot {
  readonly dim: number;
  readonly size: number;
  readonly chunks: readonly ChunkView[];
}

interface Chunk {
  memory?: WasmMemory;
  data: RowData;
  scales?: Float32Array;
  rows: number;
}

const MIN_CAPACITY_ROWS = 1024;
const WASM_PAGE_BYTES = 65_536;
/** Keep every chunk well inside V8's typed-array and wasm32 memory limits. */
const MAX_CHUNK_BYTES = 2 ** 31;

/** Appendable row-major matrix stored in shared chunks of at most `chunkRows` rows. */
export class ChunkedMatrix {
  private chunks: Chunk[] = [];
  private count = 0;
  readonly chunkRows: number;
  /** Chunks are wasm memories (SIMD kernels usable) rather than plain SharedArrayBuffers. */
  readonly wasm: boolean;

  constructor(
    readonly dim: number,
    chunkRows: number,
    /** Scratch reserved at the start of each wasm chunk; 0 stores plain SharedArrayBuffers. */
    readonly scratchBytes = 0,
    readonly storage: StorageDtype = 'float32',
  ) {
    this.wasm = scratchBytes > 0 && kernelModule(dim, storage) !== null;
    const rowBytes = dim * this.valueBytes + (hasRowScales(storage) ? 4 : 0);
    this.chunkRows = Math.max(1, Math.min(chunkRows, Math.floor((MAX_CHUNK_BYTES - scratchBytes - 4) / rowBytes)));
  }

  /** Bytes per stored component. */
  get valueBytes(): number {
    return valueBytes(this.storage);
  }

  private view(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset: number, length: number): RowData {
    return valuesView(this.storage, buffer, byteOffset, length);
  }

  private allocate(capacityRows: number): Chunk {
    const length = capacityRows * this.dim;
    const withScales = hasRowScales(this.storage);
    if (!this.wasm) {
      const scales = withScales ? new Float32Array(new SharedArrayBuffer(capacityRows * 4)) : undefined;
      return { data: this.view(new SharedArrayBuffer(length * this.valueBytes), 0, length), scales, rows: 0 };
    }
    // Layout: [kernel scratch][rows][int8: row scales, 4-byte aligned] — the widen kernel reads the scales.
    const valuesEnd = this.scratchBytes + Math.ceil((length * this.valueBytes) / 4) * 4;
    const pages = Math.ceil((valuesEnd + (withScales ? capacityRows * 4 : 0)) / WASM_PAGE_BYTES);
    const memory = new (wasmApi as NonNullable<typeof wasmApi>).Memory({ initial: pages, maximum: pages, shared: true });
    const scales = withScales ? new Float32Array(memory.buffer, valuesEnd, capacityRows) : undefined;
    return { memory, data: this.view(memory.buffer, this.scratchBytes, length), scales, rows: 0 };
  }

  get size(): number {
    return this.count;
  }

  /** Appends float32 rows (converted to the storage dtype); length checked by the caller. */
  append(vectors: Float32Array): void {
    const stored = encodeRows(this.storage, vectors, this.dim);
    this.appendStored(stored.values, stored.scales);
  }

  /** Appends rows already in the storage dtype (with their scales for int8), e.g. from a file. */
  appendStored(vectors: RowData, scales?: Float32Array): void {
    if (!isStoredType(this.storage, vectors)) throw new Error(`appendStored: expected ${this.storage} values`);
    const dim = this.dim;
    let offsetRows = 0;
    const totalRows = vectors.length / dim;
    if (hasRowScales(this.storage) !== (scales !== undefined) || (scales !== undefined && scales.length !== totalRows)) {
      throw new Error(`appendStored: ${this.storage} rows need ${hasRowScales(this.storage) ? `${totalRows} scales` : 'no scales'}, got ${scales?.length ?? 'none'}`);
    }
    while (offsetRows < totalRows) {
      let last = this.chunks[this.chunks.length - 1];
      if (last === undefined || last.rows === this.chunkRows) {
        last = { data: this.view(new ArrayBuffer(0), 0, 0), rows: 0 };
        this.chunks.push(last);
      }
      const take = Math.min(totalRows - offsetRows, this.chunkRows - last.rows);
      const needRows = last.rows + take;
      if (needRows * dim > last.data.length) {
        // Grow geometrically (amortised O(1) appends). The chunk object is replaced, not mutated,
        // so snapshots held by searches in flight keep the old buffer.
        const capacityRows = Math.min(this.chunkRows, Math.max(needRows, (2 * last.data.length) / dim, MIN_CAPACITY_ROWS));
        const grown = this.allocate(capacityRows);
        (grown.data as Float32Array).set(last.data.subarray(0, last.rows * dim) as Float32Array);
        if (grown.scales !== undefined && last.scales !== undefined) grown.scales.set(last.scales.subarray(0, last.rows));
        last = { ...grown, rows: last.rows };
        this.chunks[this.chunks.length - 1] = last;
      }
      (last.data as Float32Array).set(vectors.subarray(offsetRows * dim, (offsetRows + take) * dim) as Float32Array, last.rows * dim);
      if (scales !== undefined) (last.scales as Float32Array).set(scales.subarray(offsetRows, offsetRows + take), last.rows);
      // Rows past a snapshot's row count are never read by it, so appending in place is safe.
      this.chunks[this.chunks.length - 1] = { ...last, rows: needRows };
      offsetRows += take;
      this.count += take;
    }
  }

  /** Freezes the current rows: later appends/replacements are invisible to the snapshot. */
  snapshot(): MatrixSnapshot {
    let firstId = 0;
    const chunks: ChunkView[] = [];
    for (const chunk of this.chunks) {
      chunks.push({ memory: chunk.memory, data: chunk.data, scales: chunk.scales, rows: chunk.rows, firstId });
      firstId += chunk.rows;
    }
    return { dim: this.dim, size: this.count, chunks };
  }

  /** Copies row `id` out as float32 (id already range-checked). */
  row(id: number): Float32Array {
    const chunk = this.chunks[Math.floor(id / this.chunkRows)];
    const r = id % this.chunkRows;
    const stored = chunk.data.slice(r * this.dim, (r + 1) * this.dim);
    return decodeRows(this.storage, stored, chunk.scales?.subarray(r, r + 1), this.dim);
  }

  /** Calls `visit` with each chunk's filled rows (and int8 scales) in id order (for serialisation). */
  forEachChunk(visit: (rows: RowData, scales?: Float32Array) => void): void {
    for (const chunk of this.chunks) visit(chunk.data.subarray(0, chunk.rows * this.dim), chunk.scales?.subarray(0, chunk.rows));
  }
}

/** A contiguous run of rows inside one chunk, with the id offset that maps row → global id. */
export interface RowRange {
  readonly memory?: WasmMemory;
  readonly data: RowData;
  readonly scales?: Float32Array;
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly idOffset: number;
}

/** Splits a snapshot's rows into `parts` contiguous, nearly equal groups of chunk ranges. */
export function splitRows(snapshot: MatrixSnapshot, parts: number): RowRange[][] {
  const groups: RowRange[][] = [];
  const per = Math.ceil(snapshot.size / parts);
  for (let p = 0; p < parts; p++) {
    const lo = p * per;
    const hi = Math.min(snapshot.size, lo + per);
    const group: RowRange[] = [];
    for (const chunk of snapshot.chunks) {
      const start = Math.max(lo, chunk.firstId);
      const end = Math.min(hi, chunk.firstId + chunk.rows);
      if (start < end) group.push({ memory: chunk.memory, data: chunk.data, scales: chunk.scales, rowStart: start - chunk.firstId, rowEnd: end - chunk.firstId, idOffset: chunk.firstId });
    }
    if (group.length > 0) groups.push(group);
  }
  return groups;
}
