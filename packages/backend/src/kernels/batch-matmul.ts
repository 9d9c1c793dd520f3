// BatchMatMul for tfjs-backend-wasm with a fast 2-D matmul for every operand layout. When
// @realm/backend's native GEMM is built (native/, see native-gemm.ts), each 2-D product runs there,
// straight on the WebAssembly heap, with transposes handled by its packing (no Transpose kernel).
// Otherwise it always reaches XNNPACK: the stock kernel (tfjs-backend-wasm/src/cc/
// batch_mat_mul_impl.cc) uses XNNPACK only when neither operand is transposed and both have batch
// 1, else a scalar blocked loop (8–15x slower), so transposed operands are materialized first.
import { backend_util, getKernel, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { activeNativeGemm, type NativeGemmAddon } from './native-gemm.js';
import { asWasmBackend, registerAlias, releaseAlias, shapeBytes, tensorData, type WasmBackendInternals, type WasmTensorData } from './wasm-internals.js';

type CppBatchMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, outId: number) => void;

const cppMatMuls = new WeakMap<object, CppBatchMatMul>();

/** The C++ `BatchMatMul` export of this backend's module (the same entry point the stock kernel wraps). */
function cppMatMul(backend: WasmBackendInternals): CppBatchMatMul {
  let fn = cppMatMuls.get(backend.wasm);
  if (!fn) {
    fn = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as CppBatchMatMul;
    cppMatMuls.set(backend.wasm, fn);
  }
  return fn;
}

/** Swaps the last two axes with the backend's own Transpose kernel; the result is an intermediate to dispose. */
function transposeLastTwo(x: TensorInfo, backend: WasmBackendInternals): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('@realm/backend: the wasm backend has no Transpose kernel');
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** For each output batch index, the batch index of an operand with outer shape `outer` (broadcast dims → 0). */
function broadcastBatchIndices(outer: readonly number[], outBatchShape: readonly number[]): Int32Array {
  const outSize = util.sizeFromShape([...outBatchShape]);
  const padded = [...new Array<number>(outBatchShape.length - outer.length).fill(1), ...outer];
  const strides = util.computeStrides(padded);
  const indices = new Int32Array(outSize);
  for (let flat = 0; flat < outSize; flat++) {
    let rest = flat;
    let index = 0;
    for (let axis = outBatchShape.length - 1; axis >= 0; axis--) {
      const coordinate = rest % outBatchShape[axis];
      rest = (rest - coordinate) / outBatchShape[axis];
      if (padded[axis] !== 1) index += coordinate * (axis < strides.length ? strides[axis] : 1);
    }
    indices[flat] = index;
  }
  return indices;
}

let heapView: Float32Array | undefined;

/**
 * The whole wasm heap as float32s for the native GEMM, or null when it cannot run on this heap (the
 * threaded build's SharedArrayBuffer). Call after makeOutput: its malloc may grow, and so replace,
 * the heap buffer.
 */
function heapFloats(backend: WasmBackendInternals): Float32Array | null {
  const buffer = backend.wasm.HEAPU8.buffer;
  if (!(buffer instanceof ArrayBuffer)) return null;
  if (heapView?.buffer !== buffer) heapView = new Float32Array(buffer, 0, buffer.byteLength >>> 2);
  return heapView;
}

interface Product {
  transposeA: boolean;
  transposeB: boolean;
  M: number;
  N: number;
  K: number;
  aOuter: number[];
  bOuter: number[];
  outBatchShape: number[];
}

/**
 * Every 2-D product with the native GEMM on the heap (element offsets = byte offsets / 4; malloc
 * aligns them). A batch-1 right operand with an untransposed left one folds every left batch into
 * the rows of one call; otherwise one call per output batch entry, at broadcast operand indices.
 */
function nativeProducts(gemm: NativeGemmAddon, heap: Float32Array, a: WasmTensorData, b: WasmTensorData, out: WasmTensorData, p: Product): void {
  const { transposeA, transposeB, M, N, K } = p;
  const lda = transposeA ? M : K;
  const ldb = transposeB ? K : N;
  const aBase = a.memoryOffset >>> 2;
  const bBase = b.memoryOffset >>> 2;
  const outBase = out.memoryOffset >>> 2;
  const batchA = util.sizeFromShape(p.aOuter);
  const outBatch = util.sizeFromShape(p.outBatchShape);
  if (util.sizeFromShape(p.bOuter) === 1 && batchA === outBatch && !transposeA) {
    gemm.sgemm(false, transposeB, batchA * M, N, K, heap, aBase, lda, heap, bBase, ldb, heap, outBase, N);
    return;
  }
  const aIndices = broadcastBatchIndices(p.aOuter, p.outBatchShape);
  const bIndices = broadcastBatchIndices(p.bOuter, p.outBatchShape);
  for (let i = 0; i < outBatch; i++) {
    gemm.sgemm(transposeA, transposeB, M, N, K, heap, aBase + aIndices[i] * M * K, lda, heap, bBase + bIndices[i] * K * N, ldb, heap, outBase + i * M * N, N);
  }
}

/**
 * a [..., M, K] (or [..., K, M] with transposeA) times b [..., K, N] (or [..., N, K] with
 * transposeB) with broadcast batch dims, float32. With the native GEMM active (nativeGemmActive(),
 * single-threaded heap) every 2-D product runs there on the operands in place. Otherwise,
 * transposed operands are materialized first; a batch-1 right operand folds every left batch into
 * the rows of one 2-D matmul; else each batch entry is one 2-D XNNPACK matmul on heap aliases of
 * the operands (no copies).
 */
export function realmBatchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: unknown; attrs: { transposeA: boolean; transposeB: boolean } }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`BatchMatMul on wasm supports float32 only, got ${a.dtype} × ${b.dtype}`);
  }
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const M = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const K = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const bInner = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const N = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  util.assert(K === bInner, () => `Error in matMul: inner shapes (${K}) and (${bInner}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outBatchShape = backend_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const outShape = [...outBatchShape, M, N];
  const out = backend.makeOutput(outShape, 'float32');
  const outSize = util.sizeFromShape(outShape);
  if (outSize === 0) return out;
  if (K === 0) {
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    return out;
  }

  const gemm = activeNativeGemm();
  if (gemm !== null) {
    const heap = heapFloats(backend);
    const aData = tensorData(backend, a);
    const bData = tensorData(backend, b);
    const outData = tensorData(backend, out);
    if (heap !== null && ((aData.memoryOffset | bData.memoryOffset | outData.memoryOffset) & 3) === 0) {
      nativeProducts(gemm, heap, aData, bData, outData, { transposeA, transposeB, M, N, K, aOuter, bOuter, outBatchShape });
      return out;
    }
  }

  const intermediates: TensorInfo[] = [];
  const left = transposeA ? transposeLastTwo(a, backend) : a;
  const right = transposeB ? transposeLastTwo(b, backend) : b;
  if (transposeA) intermediates.push(left);
  if (transposeB) intermediates.push(right);
  const matmul = cppMatMul(backend);
  const leftData = tensorData(backend, left);
  const rightData = tensorData(backend, right);
  const outData = tensorData(backend, out);
  const batchA = util.sizeFromShape(aOuter);
  const batchB = util.sizeFromShape(bOuter);
  const outBatch = util.sizeFromShape(outBatchShape);

  if (batchB === 1 && batchA === outBatch) {
    // Every left batch entry shares the right matrix: one [batchA·M, K] × [K, N] matmul.
    matmul(leftData.id, shapeBytes([1, batchA * M, K]), 3, rightData.id, shapeBytes([1, K, N]), 3, false, false, outData.id);
  } else {
    const aIndices = broadcastBatchIndices(aOuter, outBatchShape);
    const bIndices = broadcastBatchIndices(bOuter, outBatchShape);
    const aShape = shapeBytes([1, M, K]);
    const bShape = shapeBytes([1, K, N]);
    for (let i = 0; i < outBatch; i++) {
      const aId = registerAlias(backend, leftData.memoryOffset + aIndices[i] * M * K * 4, M * K);
      const bId = registerAlias(backend, rightData.memoryOffset + bIndices[i] * K * N * 4, K * N);
      const outId = registerAlias(backend, outData.memoryOffset + i * M * N * 4, M * N);
      try {
        matmul(aId, aShape, 3, bId, bShape, 3, false, false, outId);
      } finally {
        releaseAlias(backend, aId);
        releaseAlias(backend, bId);
        releaseAlias(backend, outId);
      }
    }
  }
  for (const intermediate of intermediates) backend.disposeData(intermediate.dataId);
  return out;
}

/** Kernel config replacing tfjs-backend-wasm's BatchMatMul. */
export const realmBatchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: realmBatchMatMul as unknown as KernelFunc,
};
