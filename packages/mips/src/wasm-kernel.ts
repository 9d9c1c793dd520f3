// WebAssembly SIMD scan kernels, generated per dimension and storage dtype (float32 or bfloat16,
// widened to float32 in registers by a 16-bit shift) with the row loop fully unrolled over d:
// `scores8` (8 queries × 2 rows per step: a row element is splat-loaded once and multiplied into two
// 4-lane query vectors), `scores1` (one query, 4 independent 4-lane accumulators per row) and
// `scores1Split` (scores1 over two distant row streams at once, for memory parallelism). They read
// rows in place from a chunk's shared WebAssembly.Memory and write scores to a per-thread scratch
// slot at the start of that memory; top-k selection stays in JS on those block scores. float16 and
// int8 modules carry the float32 kernels plus `widen` (wasm-widen.ts), run on each block first.
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';
import type { StorageDtype } from './chunked-matrix.js';
import { encodeModule, op, type WasmFunction } from './wasm-encoder.js';
import { needsWiden, widenFunction } from './wasm-widen.js';

// Parameters of every kernel: (rowPtr, numRows, queryPtr, outPtr, rowPtrB, outPtrB), byte addresses;
// only scores1Split reads the last two (JS callers of the others may omit them).
const ROW = 0;
const NROWS = 1;
const QUERY = 2;
const OUT = 3;
// scores1Split only: the second stream's row and output pointers.
const ROW_B = 4;
const OUT_B = 5;
const FIRST_LOCAL = 6;

/** Emits `while (numRows >= rows) { …body…; advance pointers }`. */
function rowLoop(rows: number, body: number[], rowBytes: number, outBytesPerRow: number): number[] {
  return [
    ...op.block, ...op.loop,
    ...op.localGet(NROWS), ...op.i32Const(rows), ...op.i32LtU, ...op.brIf(1),
    ...body,
    ...op.localGet(ROW), ...op.i32Const(rows * rowBytes), ...op.i32Add, ...op.localSet(ROW),
    ...op.localGet(OUT), ...op.i32Const(rows * outBytesPerRow), ...op.i32Add, ...op.localSet(OUT),
    ...op.localGet(NROWS), ...op.i32Const(rows), ...op.i32Sub, ...op.localSet(NROWS),
    ...op.br(0), ...op.end, ...op.end,
  ];
}

/** scores8 body for `rows` rows per step: out[r][0..8) = Σ_j row_r[j] · query_tile[j][0..8). */
function scores8Step(dim: number, rows: number, storage: StorageDtype): number[] {
  const x = (r: number): number => FIRST_LOCAL + r;
  const q = FIRST_LOCAL + rows;
  const acc = (r: number, half: number): number => FIRST_LOCAL + rows + 1 + 2 * r + half;
  const code: number[] = [];
  for (let j = 0; j < dim; j++) {
    for (let r = 0; r < rows; r++) {
      if (storage === 'float32') code.push(...op.localGet(ROW), ...op.v128Load32Splat((r * dim + j) * 4), ...op.localSet(x(r)));
      else code.push(...op.localGet(ROW), ...op.i32Load16U((r * dim + j) * 2), ...op.i32Const(16), ...op.i32Shl, ...op.f32ReinterpretI32, ...op.f32x4Splat, ...op.localSet(x(r)));
    }
    for (let half = 0; half < 2; half++) {
      code.push(...op.localGet(QUERY), ...op.v128Load((j * 8 + half * 4) * 4), ...op.localSet(q));
      for (let r = 0; r < rows; r++) {
        code.push(...op.localGet(q), ...op.localGet(x(r)), ...op.f32x4Mul);
        if (j > 0) code.push(...op.localGet(acc(r, half)), ...op.f32x4Add);
        code.push(...op.localSet(acc(r, half)));
      }
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let half = 0; half < 2; half++) code.push(...op.localGet(OUT), ...op.localGet(acc(r, half)), ...op.v128Store((r * 8 + half * 4) * 4));
  }
  return code;
}

/**
 * scores1Split body: one row from each of two streams (rowA, rowB) per step, so the memory system
 * fetches two distant sequential streams at once (more misses in flight than one stream gets).
 * Per row the arithmetic is exactly scores1's, so scores are bit-identical to it.
 */
function scores1SplitStep(dim: number, storage: StorageDtype): number[] {
  return scores1Step(dim, 2, storage, [ROW, ROW_B]);
}

/**
 * scores1 body (float32: dim % 4 === 0; bfloat16: dim % 8 === 0): out[r] = Σ_j row_r[j] · query[j],
 * summed in a fixed order per row.
 */
function scores1Step(dim: number, rows: number, storage: StorageDtype, rowBases?: readonly number[]): number[] {
  const base = (r: number): number => (rowBases === undefined ? ROW : rowBases[r]);
  const rowOffset = (r: number): number => (rowBases === undefined ? r * dim * (storage === 'float32' ? 4 : 2) : 0);
  const outBase = (r: number): number => (rowBases === undefined ? OUT : r === 0 ? OUT : OUT_B);
  const outOffset = (r: number): number => (rowBases === undefined ? r * 4 : 0);
  const groups = dim / 4;
  const chains = Math.min(4, groups);
  const q = FIRST_LOCAL;
  const acc = (r: number, c: number): number => FIRST_LOCAL + 1 + r * 4 + c;
  const sum = FIRST_LOCAL + 1 + rows * 4;
  const packed = FIRST_LOCAL + 2 + rows * 4;
  const code: number[] = [];
  for (let g = 0; g < groups; g++) {
    code.push(...op.localGet(QUERY), ...op.v128Load(g * 16), ...op.localSet(q));
    for (let r = 0; r < rows; r++) {
      const c = g % chains;
      if (storage === 'float32') {
        code.push(...op.localGet(base(r)), ...op.v128Load(rowOffset(r) + g * 16));
      } else {
        // One 16-byte load holds 8 bfloat16 values: groups g (even) and g + 1 use its low/high half.
        if (g % 2 === 0) code.push(...op.localGet(base(r)), ...op.v128Load(rowOffset(r) + g * 8), ...op.localSet(packed + r));
        code.push(...op.localGet(packed + r), ...(g % 2 === 0 ? op.i32x4ExtendLowI16x8U : op.i32x4ExtendHighI16x8U), ...op.i32Const(16), ...op.i32x4Shl);
      }
      code.push(...op.localGet(q), ...op.f32x4Mul);
      if (g >= chains) code.push(...op.localGet(acc(r, c)), ...op.f32x4Add);
      code.push(...op.localSet(acc(r, c)));
    }
  }
  for (let r = 0; r < rows; r++) {
    // ((a0 + a1) + (a2 + a3)), then ((l0 + l1) + (l2 + l3)) across lanes.
    code.push(...op.localGet(acc(r, 0)));
    if (chains > 1) code.push(...op.localGet(acc(r, 1)), ...op.f32x4Add);
    if (chains > 2) {
      code.push(...op.localGet(acc(r, 2)));
      if (chains > 3) code.push(...op.localGet(acc(r, 3)), ...op.f32x4Add);
      code.push(...op.f32x4Add);
    }
    code.push(...op.localSet(sum), ...op.localGet(outBase(r)));
    code.push(...op.localGet(sum), ...op.f32x4ExtractLane(0), ...op.localGet(sum), ...op.f32x4ExtractLane(1), ...op.f32Add);
    code.push(...op.localGet(sum), ...op.f32x4ExtractLane(2), ...op.localGet(sum), ...op.f32x4ExtractLane(3), ...op.f32Add, ...op.f32Add);
    code.push(...op.f32Store(outOffset(r)));
  }
  return code;
}

/**
 * Builds the kernel module for one dimension and storage (scores1 only for dims it can vectorise).
 * float16 and int8 get the float32 scan kernels plus `widen`, which converts a block to float32.
 */
export function encodeKernelModule(dim: number, storage: StorageDtype = 'float32'): Uint8Array {
  if (storage === 'float16' || storage === 'int8') return encodeModule(scanFunctions(dim, 'float32').concat(widenFunction(dim, storage)));
  return encodeModule(scanFunctions(dim, storage));
}

function scanFunctions(dim: number, storage: 'float32' | 'bfloat16'): WasmFunction[] {
  const rowBytes = dim * (storage === 'float32' ? 4 : 2);
  const functions: WasmFunction[] = [
    {
      exportName: 'scores8',
      params: 6,
      v128Locals: 2 + 1 + 4,
      body: [...rowLoop(2, scores8Step(dim, 2, storage), rowBytes, 32), ...rowLoop(1, scores8Step(dim, 1, storage), rowBytes, 32)],
    },
  ];
  if (dim % (storage === 'float32' ? 4 : 8) === 0) {
    functions.push({
      exportName: 'scores1Split',
      params: 6,
      v128Locals: 1 + 2 * 4 + 1 + 2,
      body: [
        ...op.block, ...op.loop,
        ...op.localGet(NROWS), ...op.i32Const(1), ...op.i32LtU, ...op.brIf(1),
        ...scores1SplitStep(dim, storage),
        ...op.localGet(ROW), ...op.i32Const(rowBytes), ...op.i32Add, ...op.localSet(ROW),
        ...op.localGet(ROW_B), ...op.i32Const(rowBytes), ...op.i32Add, ...op.localSet(ROW_B),
        ...op.localGet(OUT), ...op.i32Const(4), ...op.i32Add, ...op.localSet(OUT),
        ...op.localGet(OUT_B), ...op.i32Const(4), ...op.i32Add, ...op.localSet(OUT_B),
        ...op.localGet(NROWS), ...op.i32Const(1), ...op.i32Sub, ...op.localSet(NROWS),
        ...op.br(0), ...op.end, ...op.end,
      ],
    });
    functions.push({
      exportName: 'scores1',
      params: 6,
      v128Locals: 1 + 2 * 4 + 1 + 2,
      body: [...rowLoop(2, scores1Step(dim, 2, storage), rowBytes, 4), ...rowLoop(1, scores1Step(dim, 1, storage), rowBytes, 4)],
    });
  }
  return functions;
}

export interface KernelExports {
  scores8(rowPtr: number, numRows: number, queryPtr: number, outPtr: number): void;
  scores1?(rowPtr: number, numRows: number, queryPtr: number, outPtr: number): void;
  /** numRows pairs: rows rowPtrA+i and rowPtrB+i → outA[i], outB[i]. */
  scores1Split?(rowPtrA: number, numRows: number, queryPtr: number, outPtrA: number, rowPtrB: number, outPtrB: number): void;
  /** float16 / int8 modules: numRows stored rows (int8: with their scales) → float32 rows at outPtr. */
  widen?(rowPtr: number, numRows: number, scalesPtr: number, outPtr: number): void;
}

const modules = new Map<string, WasmModule | null>();

/** The compiled kernel module for `dim` and storage, or null when this runtime lacks WebAssembly SIMD. */
export function kernelModule(dim: number, storage: StorageDtype = 'float32'): WasmModule | null {
  const key = `${storage}:${dim}`;
  let module = modules.get(key);
  if (module === undefined) {
    const bytes = encodeKernelModule(dim, storage);
    module = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    modules.set(key, module);
  }
  return module;
}

/** Instantiates the kernels over a chunk memory. */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): KernelExports {
  if (wasmApi === undefined) throw new Error('WebAssembly is not available');
  return new wasmApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/**
 * Bytes of one thread's scratch slot: an 8-wide query tile, then blockRows × 8 scores, then (float16
 * and int8) the block widened to float32.
 */
export function scratchSlotBytes(dim: number, blockRows: number, storage: StorageDtype = 'float32'): number {
  return widenOffset(dim, blockRows) + (needsWiden(storage) ? align64(blockRows * dim * 4) : 0);
}

/** Offset of the widened block inside a scratch slot. */
export function widenOffset(dim: number, blockRows: number): number {
  return align64(8 * dim * 4) + align64(blockRows * 8 * 4);
}

function align64(n: number): number {
  return Math.ceil(n / 64) * 64;
}
