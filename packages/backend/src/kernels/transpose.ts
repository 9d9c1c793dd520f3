// Transpose for tfjs-backend-wasm that returns a shared buffer when the permutation moves no data
// (only size-1 axes move, e.g. perm [0, 1] from gather's gradient). Stock wasm (kernels/Transpose.ts)
// copies the whole tensor in that case; a [30522, 256] embedding gradient costs ~100 ms per step.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend } from './wasm-internals.js';

type TransposeArgs = { inputs: { x: TensorInfo }; backend: unknown; attrs: { perm: number[] } };

/** True when applying `perm` to `shape` keeps every element at its flat offset. */
export function permutationIsReshape(shape: readonly number[], perm: readonly number[]): boolean {
  let previous = -1;
  for (const axis of perm) {
    if (shape[axis] === 1) continue;
    if (axis < previous) return false;
    previous = axis;
  }
  return true;
}

/** Builds the Transpose kernel; `stock` does every transpose that actually moves data. */
export function makeRealmTranspose(stock: KernelFunc): KernelFunc {
  return ((args: TransposeArgs): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs;
    const { perm } = args.attrs;
    if (x.dtype === 'string' || !permutationIsReshape(x.shape, perm)) return stock(args as unknown as Parameters<KernelFunc>[0]);
    const backend = asWasmBackend(args.backend);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: perm.map((axis) => x.shape[axis]), dtype: x.dtype };
  }) as unknown as KernelFunc;
}

/** Kernel config replacing tfjs-backend-wasm's Transpose, delegating to `stock` (and keeping its setup). */
export function realmTransposeConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: 'Transpose', backendName: 'wasm', kernelFunc: makeRealmTranspose(stock.kernelFunc), setupFunc: stock.setupFunc };
}
