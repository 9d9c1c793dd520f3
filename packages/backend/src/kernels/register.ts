// Installs (and can remove) realm-ts's wasm kernels in tfjs-core's global kernel registry, keeping
// the stock kernels they replace so they can be restored (the benchmark compares both).
import { findBackend, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { realmBatchMatMulConfig } from './batch-matmul.js';
import { realmGatherV2Config } from './gather.js';
import { realmUnsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { realmSumConfig } from './sum.js';
import { realmTransposeConfig } from './transpose.js';

/**
 * Every kernel realm-ts registers on the wasm backend (Sum, Transpose and GatherV2, which wrap the
 * stock kernels, are added at registration). The buffer-sharing Identity (`realmIdentityConfig`) is not
 * registered: together with the Transpose wrapper and BatchMatMul it gave ORQA's span head
 * gradients that differed between identical calls and then turned NaN (found 2026-11-25); the
 * stock copying Identity is used until that is understood.
 */
export const REALM_WASM_KERNELS: readonly KernelConfig[] = [realmBatchMatMulConfig, realmUnsortedSegmentSumConfig];

/** Kernels that wrap the stock wasm kernel of the same name (falling back to it outside their fast path). */
const WRAPPERS: ReadonlyArray<{ kernelName: string; wrap: (stock: KernelConfig) => KernelConfig }> = [
  { kernelName: 'Sum', wrap: realmSumConfig },
  { kernelName: 'Transpose', wrap: realmTransposeConfig },
  { kernelName: 'GatherV2', wrap: realmGatherV2Config },
];

/** Stock configs displaced by ours (null: the stock backend had none), by kernel name. */
const displaced = new Map<string, KernelConfig | null>();

/** True while realm-ts's wasm kernels are registered. */
export function realmWasmKernelsRegistered(): boolean {
  return displaced.size > 0;
}

/**
 * Registers realm-ts's faster wasm kernels (BatchMatMul through XNNPACK for transposed and batched
 * operands, UnsortedSegmentSum so gather has a gradient, …). Idempotent. Call after importing
 * @tensorflow/tfjs-backend-wasm (whose import registers the stock kernels), before or after
 * tf.setBackend('wasm').
 */
export function registerRealmWasmKernels(): void {
  if (realmWasmKernelsRegistered()) return;
  for (const config of REALM_WASM_KERNELS) {
    const stock = getKernel(config.kernelName, 'wasm') ?? null;
    if (stock) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
    displaced.set(config.kernelName, stock);
  }
  for (const { kernelName, wrap } of WRAPPERS) {
    const stock = getKernel(kernelName, 'wasm');
    if (!stock) continue;
    unregisterKernel(kernelName, 'wasm');
    registerKernel(wrap(stock));
    displaced.set(kernelName, stock);
  }
}

/** Restores the stock wasm kernels that registerRealmWasmKernels replaced (for comparisons and tests). */
export function unregisterRealmWasmKernels(): void {
  const wasmBackend = findBackend('wasm');
  for (const [kernelName, stock] of displaced) {
    unregisterKernel(kernelName, 'wasm');
    if (!stock) continue;
    registerKernel(stock);
    // A stock kernel's setup (its cwrap) only runs when the backend initializes; if that happened
    // while ours was registered, run it now.
    if (wasmBackend && stock.setupFunc) stock.setupFunc(wasmBackend);
  }
  displaced.clear();
}
