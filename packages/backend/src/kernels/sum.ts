// Sum for tfjs-backend-wasm with a fast path for reducing the leading axes (a bias gradient: dy
// [N, H] summed over N). Stock wasm Sum (kernels/Sum.ts) transposes the reduced axes innermost
// first, a full copy; here one pass over the heap adds rows. Other reductions use the stock kernel.
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend } from './wasm-internals.js';

type SumArgs = { inputs: { x: TensorInfo }; backend: unknown; attrs: { axis: number | number[]; keepDims: boolean } };

/** Number of leading axes `axis` reduces (0..k-1, in any order), or 0 when it is not such a prefix. */
function leadingAxesCount(axis: number | number[], shape: number[]): number {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

/** Builds the Sum kernel; `stock` handles every reduction that is not over leading axes of float32. */
export function makeRealmSum(stock: KernelFunc): KernelFunc {
  return ((args: SumArgs): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs;
    const leading = x.dtype === 'float32' ? leadingAxesCount(args.attrs.axis, x.shape) : 0;
    if (leading === 0) return stock(args as unknown as Parameters<KernelFunc>[0]);
    const backend = asWasmBackend(args.backend);
    const innerShape = x.shape.slice(leading);
    const rows = util.sizeFromShape(x.shape.slice(0, leading));
    const width = util.sizeFromShape(innerShape);
    const outShape = args.attrs.keepDims ? [...new Array<number>(leading).fill(1), ...innerShape] : innerShape;
    const out = backend.makeOutput(outShape, 'float32');
    // Views after makeOutput: its malloc may grow (and so replace) the heap buffer.
    const values = backend.typedArrayFromHeap(x) as Float32Array;
    const output = backend.typedArrayFromHeap(out) as Float32Array;
    // Float64 accumulation: summing thousands of rows in float32 would drift from the stock result.
    const totals = new Float64Array(width);
    for (let row = 0; row < rows; row++) {
      const start = row * width;
      for (let j = 0; j < width; j++) totals[j] += values[start + j];
    }
    output.set(totals);
    return out;
  }) as unknown as KernelFunc;
}

/** Kernel config replacing tfjs-backend-wasm's Sum, delegating to `stock` outside the fast path. */
export function realmSumConfig(stock: KernelConfig): KernelConfig {
  // The stock setupFunc (its cwrap) must still run when the backend initializes.
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: makeRealmSum(stock.kernelFunc), setupFunc: stock.setupFunc };
}
