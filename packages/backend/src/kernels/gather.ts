// GatherV2 for tfjs-backend-wasm with a fast path for batchDims 0 on float32/int32 params (embedding
// lookups). Stock wasm (kernels/GatherV2.ts) reads the indices back through readSync, reshapes
// both operands and runs a C++ loop that recomputes strided offsets for every output element:
// 25-50 ns per output float, 6-14 ms for a [2144, 128] lookup. Here each output block is one
// contiguous run of `inner` elements copied on the wasm heap (tools/bench/gather/bench.ts: 0.06-0.1
// ms). Everything else uses the stock kernel, including batchDims > 0, whose stock wasm result is
// wrong in tfjs 4.22 (it differs from cpu; see gather.test.ts) and which realm-ts does not use.
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, tensorData } from './wasm-internals.js';

type GatherArgs = { inputs: { x: TensorInfo; indices: TensorInfo }; backend: unknown; attrs: { axis: number; batchDims?: number } };

/** Below this many elements per block a plain loop beats a copyWithin call per block. */
const COPY_WITHIN_MIN = 16;

/** The flattened view of a batchDims-0 gather: params [outer, rows, inner], output [outer, indices.size, inner]. */
export interface GatherGeometry {
  axis: number;
  outer: number;
  rows: number;
  inner: number;
  outShape: number[];
}

/** Geometry of gathering `indicesShape` along `axis` of `shape` (axis may be negative); null when `axis` is not a valid axis. */
export function gatherGeometry(shape: readonly number[], indicesShape: readonly number[], axis: number): GatherGeometry | null {
  const rank = shape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) return null;
  const a = axis < 0 ? axis + rank : axis;
  return {
    axis: a,
    outer: util.sizeFromShape(shape.slice(0, a)),
    rows: shape[a],
    inner: util.sizeFromShape(shape.slice(a + 1)),
    outShape: [...shape.slice(0, a), ...indicesShape, ...shape.slice(a + 1)],
  };
}

/** Builds the GatherV2 kernel; `stock` handles batchDims ≠ 0, other dtypes and anything unusual. */
export function makeRealmGatherV2(stock: KernelFunc): KernelFunc {
  return ((args: GatherArgs): TensorInfo | TensorInfo[] => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs;
    const geometry = (batchDims ?? 0) === 0 && (x.dtype === 'float32' || x.dtype === 'int32') && indices.dtype === 'int32' ? gatherGeometry(x.shape, indices.shape, axis) : null;
    if (!geometry) return stock(args as unknown as Parameters<KernelFunc>[0]);
    const backend = asWasmBackend(args.backend);
    const { outer, rows, inner, outShape } = geometry;
    const xOffset = tensorData(backend, x).memoryOffset;
    const indicesOffset = tensorData(backend, indices).memoryOffset;
    // Element offsets into one 4-byte view of the heap; both dtypes are copied as raw 32-bit words.
    if (xOffset % 4 !== 0 || indicesOffset % 4 !== 0) return stock(args as unknown as Parameters<KernelFunc>[0]);
    const count = util.sizeFromShape(indices.shape);
    // Validate before allocating, with stock tfjs's message (tfjs-backend-wasm and -cpu GatherV2).
    const ids = new Int32Array(backend.wasm.HEAPU8.buffer, indicesOffset, count);
    for (let i = 0; i < count; i++) {
      const index = ids[i];
      if (index < 0 || index >= rows) throw new Error(`GatherV2: the index value ${index} is not in [0, ${rows - 1}]`);
    }
    const out = backend.makeOutput(outShape, x.dtype);
    if (outer * count * inner === 0) return out;
    // Views after makeOutput: its malloc may grow (and so replace) the heap buffer.
    const heap = new Int32Array(backend.wasm.HEAPU8.buffer);
    const src = xOffset / 4;
    const idx = indicesOffset / 4;
    let target = tensorData(backend, out).memoryOffset / 4;
    for (let o = 0; o < outer; o++) {
      const base = src + o * rows * inner;
      if (inner >= COPY_WITHIN_MIN) {
        for (let i = 0; i < count; i++) {
          const start = base + heap[idx + i] * inner;
          heap.copyWithin(target, start, start + inner);
          target += inner;
        }
      } else {
        for (let i = 0; i < count; i++) {
          const start = base + heap[idx + i] * inner;
          for (let j = 0; j < inner; j++) heap[target + j] = heap[start + j];
          target += inner;
        }
      }
    }
    return out;
  }) as unknown as KernelFunc;
}

/** Kernel config replacing tfjs-backend-wasm's GatherV2, delegating to `stock` (and keeping its setup). */
export function realmGatherV2Config(stock: KernelConfig): KernelConfig {
  return { kernelName: 'GatherV2', backendName: 'wasm', kernelFunc: makeRealmGatherV2(stock.kernelFunc), setupFunc: stock.setupFunc };
}
