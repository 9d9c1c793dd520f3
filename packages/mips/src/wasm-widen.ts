// WebAssembly SIMD "widen" kernels for the storages without scan kernels of their own (float16 and
// int8): they convert a block of stored rows to float32 in the thread's scratch slot, where the
// float32 scan kernels then read it. The float32 values are exactly what the JS decoders produce
// (float16 widening is exact; int8 gives fround(q · scale)), so scores match a float32 index over
// the decoded rows bit for bit.
import type { StorageDtype } from './storage.js';
import { op, type WasmFunction } from './wasm-encoder.js';

// widen(rowPtr, numRows, scalesPtr, outPtr): byte addresses; scalesPtr is read by int8 only.
const ROW = 0;
const NROWS = 1;
const SCALES = 2;
const OUT = 3;
const PACKED = 4; // v128 locals from here
const WIDE = 5;
const SCALE = 6;
const MASK_MAGNITUDE = 7;
const MASK_SIGN = 8;
const RESCALE = 9;

/** float16 bits h → float32: bits ((h & 0x7fff) << 13) | ((h & 0x8000) << 16), times 2^112 (exact, subnormals included). */
const FLOAT16_RESCALE = 2 ** 112;

function int8Row(dim: number): number[] {
  const code: number[] = [...op.localGet(SCALES), ...op.f32Load(0), ...op.f32x4Splat, ...op.localSet(SCALE)];
  const groups = Math.floor(dim / 16);
  for (let g = 0; g < groups; g++) {
    code.push(...op.localGet(ROW), ...op.v128Load(g * 16), ...op.localSet(PACKED));
    for (let part = 0; part < 4; part++) {
      code.push(...op.localGet(OUT), ...op.localGet(PACKED));
      code.push(...(part < 2 ? op.i16x8ExtendLowI8x16S : op.i16x8ExtendHighI8x16S));
      code.push(...(part % 2 === 0 ? op.i32x4ExtendLowI16x8S : op.i32x4ExtendHighI16x8S));
      code.push(...op.f32x4ConvertI32x4S, ...op.localGet(SCALE), ...op.f32x4Mul, ...op.v128Store((g * 16 + part * 4) * 4));
    }
  }
  for (let j = groups * 16; j < dim; j++) {
    code.push(...op.localGet(OUT), ...op.localGet(ROW), ...op.i32Load8S(j), ...op.f32ConvertI32S);
    code.push(...op.localGet(SCALES), ...op.f32Load(0), ...op.f32Mul, ...op.f32Store(j * 4));
  }
  return code;
}

function float16Row(dim: number): number[] {
  const code: number[] = [];
  const groups = Math.floor(dim / 8);
  for (let g = 0; g < groups; g++) {
    code.push(...op.localGet(ROW), ...op.v128Load(g * 16), ...op.localSet(PACKED));
    for (let half = 0; half < 2; half++) {
      code.push(...op.localGet(OUT), ...op.localGet(PACKED), ...(half === 0 ? op.i32x4ExtendLowI16x8U : op.i32x4ExtendHighI16x8U), ...op.localSet(WIDE));
      code.push(...op.localGet(WIDE), ...op.i32Const(13), ...op.i32x4Shl, ...op.localGet(MASK_MAGNITUDE), ...op.v128And);
      code.push(...op.localGet(WIDE), ...op.i32Const(16), ...op.i32x4Shl, ...op.localGet(MASK_SIGN), ...op.v128And);
      code.push(...op.v128Or, ...op.localGet(RESCALE), ...op.f32x4Mul, ...op.v128Store((g * 8 + half * 4) * 4));
    }
  }
  for (let j = groups * 8; j < dim; j++) {
    code.push(...op.localGet(OUT));
    code.push(...op.localGet(ROW), ...op.i32Load16U(j * 2), ...op.i32Const(0x7fff), ...op.i32And, ...op.i32Const(13), ...op.i32Shl);
    code.push(...op.localGet(ROW), ...op.i32Load16U(j * 2), ...op.i32Const(0x8000), ...op.i32And, ...op.i32Const(16), ...op.i32Shl);
    code.push(...op.i32Or, ...op.f32ReinterpretI32, ...op.f32Const(FLOAT16_RESCALE), ...op.f32Mul, ...op.f32Store(j * 4));
  }
  return code;
}

/** Whether rows of this storage are widened to float32 before scanning (float16, int8). */
export function needsWiden(storage: StorageDtype): boolean {
  return storage === 'float16' || storage === 'int8';
}

/** The `widen` function for one dimension and storage: numRows rows → float32 rows at outPtr. */
export function widenFunction(dim: number, storage: 'float16' | 'int8'): WasmFunction {
  const rowBytes = storage === 'int8' ? dim : dim * 2;
  const setup = [
    ...op.i32Const(0x0fffe000), ...op.i32x4Splat, ...op.localSet(MASK_MAGNITUDE),
    ...op.i32Const(-0x80000000), ...op.i32x4Splat, ...op.localSet(MASK_SIGN),
    ...op.f32Const(FLOAT16_RESCALE), ...op.f32x4Splat, ...op.localSet(RESCALE),
  ];
  return {
    exportName: 'widen',
    params: 4,
    v128Locals: 6,
    body: [
      ...setup,
      ...op.block, ...op.loop,
      ...op.localGet(NROWS), ...op.i32Const(1), ...op.i32LtU, ...op.brIf(1),
      ...(storage === 'int8' ? int8Row(dim) : float16Row(dim)),
      ...op.localGet(ROW), ...op.i32Const(rowBytes), ...op.i32Add, ...op.localSet(ROW),
      ...op.localGet(SCALES), ...op.i32Const(4), ...op.i32Add, ...op.localSet(SCALES),
      ...op.localGet(OUT), ...op.i32Const(dim * 4), ...op.i32Add, ...op.localSet(OUT),
      ...op.localGet(NROWS), ...op.i32Const(1), ...op.i32Sub, ...op.localSet(NROWS),
      ...op.br(0), ...op.end, ...op.end,
    ],
  };
}
