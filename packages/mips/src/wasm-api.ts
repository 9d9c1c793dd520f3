// The slice of the WebAssembly JS API the kernels use. Node has it at runtime, but this repo's
// TypeScript lib (ES2023 + @types/node, no DOM) does not declare it, so it is typed here.

export interface WasmMemory {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
}

export type WasmModule = object;

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The runtime's WebAssembly object, or undefined where there is none. */
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
