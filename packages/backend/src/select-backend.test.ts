import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { gradientsRegistered } from './gradients.js';
import { realmBatchMatMul } from './kernels/batch-matmul.js';
import { nativeGemmActive, nativeGemmSimd, setNativeGemmEnabled } from './kernels/native-gemm.js';
import { realmWasmKernelsRegistered, registerRealmWasmKernels, unregisterRealmWasmKernels } from './kernels/register.js';
import { selectBackend } from './select-backend.js';

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  test.skipIf(nativeInstalled)('without tfjs-node picks wasm, says why in one line, registers kernels and gradients', async () => {
    const lines: string[] = [];
    const selected = await selectBackend({ log: (line) => lines.push(line) });
    expect(selected.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selected.tried).toEqual([
      { name: 'node-gpu', error: '@tensorflow/tfjs-node-gpu: not installed' },
      { name: 'node', error: '@tensorflow/tfjs-node: not installed' },
    ]);
    // ", native GEMM avx2" (or "scalar") when packages/backend/native is built and not switched off.
    const gemm = nativeGemmActive() ? `, native GEMM ${nativeGemmSimd()}` : '';
    expect(selected.reason).toBe(`wasm (SIMD, 1 thread, realm-ts kernels${gemm}): fastest available; @tensorflow/tfjs-node-gpu: not installed; @tensorflow/tfjs-node: not installed`);
    expect(lines).toEqual([`realm: tfjs backend ${selected.reason}`]);
    expect(realmWasmKernelsRegistered()).toBe(true);
    expect(gradientsRegistered()).toBe(true);
  });

  test.skipIf(nativeInstalled)('a requested backend that cannot start is an error, not a fallback', async () => {
    await expect(selectBackend({ preferred: 'node', log: false })).rejects.toThrow('backend node requested but unavailable: @tensorflow/tfjs-node: not installed');
    await expect(selectBackend({ preferred: 'node-gpu', log: false })).rejects.toThrow('backend node-gpu requested but unavailable: @tensorflow/tfjs-node-gpu: not installed');
  });

  test('the wasm description names the native GEMM only while BatchMatMul uses it', async () => {
    setNativeGemmEnabled(false);
    try {
      expect((await selectBackend({ preferred: 'wasm', log: false })).reason).toBe('wasm (SIMD, 1 thread, realm-ts kernels): requested');
    } finally {
      setNativeGemmEnabled(undefined);
    }
    expect((await selectBackend({ preferred: 'wasm', realmKernels: false, log: false })).reason).toBe('wasm (SIMD, 1 thread): requested');
    if (nativeGemmActive()) {
      expect((await selectBackend({ preferred: 'wasm', log: false })).reason).toBe(`wasm (SIMD, 1 thread, realm-ts kernels, native GEMM ${nativeGemmSimd()}): requested`);
    }
  });

  test('a requested cpu backend is used as asked', async () => {
    const lines: string[] = [];
    const selected = await selectBackend({ preferred: 'cpu', log: (line) => lines.push(line) });
    expect(selected).toEqual({ name: 'cpu', reason: 'cpu (plain JavaScript): requested', tried: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toEqual(['realm: tfjs backend cpu (plain JavaScript): requested']);
  });

  test('an unknown backend name lists the valid ones', async () => {
    await expect(selectBackend({ preferred: 'tpu' as never, log: false })).rejects.toThrow('unknown backend "tpu" (choose one of: node-gpu, node, wasm, cpu)');
  });

  test('kernel registration is idempotent and reversible; stock kernels work again afterwards', async () => {
    await selectBackend({ preferred: 'wasm', log: false });
    registerRealmWasmKernels();
    registerRealmWasmKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(realmBatchMatMul);
    unregisterRealmWasmKernels();
    expect(realmWasmKernelsRegistered()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(realmBatchMatMul);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    // stock BatchMatMul (its setup re-run): [[1,2],[3,4]]·[[5],[6]] = [[17],[39]]
    const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
    expect(Array.from(await product.data())).toEqual([17, 39]);
    product.dispose();
    registerRealmWasmKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(realmBatchMatMul);
  });
});
