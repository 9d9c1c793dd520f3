// A minimal WebAssembly binary emitter for the SIMD scan kernels (no toolchain is available to
// compile .wat ahead of time): LEB128, sections and the handful of opcodes the kernels use.

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** Opcodes (core and 0xFD-prefixed SIMD) used by the kernels. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32LtU: [0x49],
  i32Shl: [0x74],
  i32Load16U: (offset: number): number[] => [0x2f, 0x01, ...uleb(offset)],
  i32Load8S: (offset: number): number[] => [0x2c, 0x00, ...uleb(offset)],
  f32Load: (offset: number): number[] => [0x2a, 0x02, ...uleb(offset)],
  f32Const: (value: number): number[] => [0x43, ...new Uint8Array(new Float32Array([value]).buffer)],
  i32And: [0x71],
  i32Or: [0x72],
  f32Mul: [0x94],
  f32ConvertI32S: [0xb2],
  i32x4Splat: [0xfd, ...uleb(17)],
  v128And: [0xfd, ...uleb(78)],
  v128Or: [0xfd, ...uleb(80)],
  i16x8ExtendLowI8x16S: [0xfd, ...uleb(135)],
  i16x8ExtendHighI8x16S: [0xfd, ...uleb(136)],
  i32x4ExtendLowI16x8S: [0xfd, ...uleb(167)],
  i32x4ExtendHighI16x8S: [0xfd, ...uleb(168)],
  f32x4ConvertI32x4S: [0xfd, ...uleb(250)],
  f32ReinterpretI32: [0xbe],
  f32x4Splat: [0xfd, ...uleb(19)],
  i32x4ExtendLowI16x8U: [0xfd, ...uleb(169)],
  i32x4ExtendHighI16x8U: [0xfd, ...uleb(170)],
  i32x4Shl: [0xfd, ...uleb(171)],
  f32Add: [0x92],
  f32Store: (offset: number): number[] => [0x38, 0x02, ...uleb(offset)],
  v128Load: (offset: number): number[] => [0xfd, ...uleb(0), 0x02, ...uleb(offset)],
  v128Load32Splat: (offset: number): number[] => [0xfd, ...uleb(9), 0x02, ...uleb(offset)],
  v128Store: (offset: number): number[] => [0xfd, ...uleb(11), 0x02, ...uleb(offset)],
  f32x4ExtractLane: (lane: number): number[] => [0xfd, ...uleb(31), lane],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Mul: [0xfd, ...uleb(230)],
} as const;

export interface WasmFunction {
  readonly exportName: string;
  /** Number of i32 parameters (the functions return nothing). */
  readonly params: number;
  readonly v128Locals: number;
  readonly body: number[];
}

/** A module importing a shared memory `env.memory` and exporting the given functions. */
export function encodeModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [0x7f])), 0x00]);
  // Memory limits flag 0x03 = has maximum + shared; 1 page minimum, 65536 pages (4 GiB) maximum.
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]];
  const exports = functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const locals = f.v128Locals > 0 ? vec([[...uleb(f.v128Locals), 0x7b]]) : vec([]);
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}
