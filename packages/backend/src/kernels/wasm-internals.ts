// Typed access to the parts of tfjs-backend-wasm 4.x's BackendWasm that our kernels need: the
// Emscripten module (heap, malloc, cwrap), the dataId → heap-offset map, and tensor registration.
// Mirrors tfjs-backend-wasm/src/backend_wasm.ts; these fields are public there but untyped for us.
import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** What backend_wasm.ts stores per dataId. */
export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** The Emscripten module fields we use (names as in tfjs-backend-wasm's generated module). */
export interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(offset: number): void;
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

/** The BackendWasm surface our kernels use. */
export interface WasmBackendInternals extends KernelBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: DataId): WasmTensorData | undefined; has(dataId: DataId): boolean };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Narrows a kernel's `backend` argument, failing clearly if it is not a tfjs-backend-wasm instance. */
export function asWasmBackend(backend: unknown): WasmBackendInternals {
  const candidate = backend as Partial<WasmBackendInternals> | null;
  if (!candidate || typeof candidate !== 'object' || !candidate.wasm || !candidate.dataIdMap || typeof candidate.wasm.cwrap !== 'function') {
    throw new Error('@realm/backend wasm kernel called on a backend that is not tfjs-backend-wasm (no wasm module / dataIdMap)');
  }
  return candidate as WasmBackendInternals;
}

/** Heap data of a tensor, failing clearly when its dataId is unknown to the backend. */
export function tensorData(backend: WasmBackendInternals, info: TensorInfo): WasmTensorData {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error(`@realm/backend: tensor [${info.shape.join(', ')}] is not on the wasm backend`);
  return data;
}

/**
 * Registers a C++-side tensor id that aliases `size` elements at `memoryOffset` of an existing
 * buffer (no copy, no allocation). Release it with `releaseAlias`, which never frees the memory.
 */
export function registerAlias(backend: WasmBackendInternals, memoryOffset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, memoryOffset);
  return id;
}

/** Unregisters an alias id (and, through the C++ disposal callbacks, any XNNPACK operator cached on it). */
export function releaseAlias(backend: WasmBackendInternals, id: number): void {
  backend.wasm.tfjs.disposeData(id);
}

/** An int32 shape as the byte array the generated cwrap wrappers take for `array` arguments. */
export function shapeBytes(shape: readonly number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}
