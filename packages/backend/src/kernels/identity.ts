// Identity for tfjs-backend-wasm that shares the input's heap buffer instead of copying it.
// tfjs-core's engine.clone runs Identity on every tensor it saves for backprop
// (engine.ts saveTensorsForBackwardMode), so the stock copying kernel (tfjs-backend-wasm
// kernels/Identity.ts) memcpys every saved activation of a training step; tfjs-backend-cpu shares.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend } from './wasm-internals.js';

/**
 * Returns a TensorInfo on the same dataId with its reference count raised, as the wasm Reshape
 * kernel does. Safe because tfjs tensors are immutable: kernels always write fresh outputs and a
 * Variable's assign swaps its dataId rather than writing into the buffer.
 */
export function realmIdentity(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x } = args.inputs;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Kernel config replacing tfjs-backend-wasm's copying Identity. */
export const realmIdentityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: realmIdentity as unknown as KernelFunc,
};
