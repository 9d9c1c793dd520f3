// Runs tfjs-backend-wasm's threaded-SIMD build in Node through worker_threads. Stock tfjs never does
// in Node (flags_wasm.ts: WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tfjs issue #3830), and
// forcing the flag fails: the pthread worker is a blob: URL, which Node's Worker rejects.
import * as tf from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join } from 'node:path';

type ModuleFactory = (config: Record<string, unknown>) => Promise<Record<string, unknown> & { cwrap: (name: string, ret: string | null, args: string[]) => unknown }>;

/**
 * Re-registers the "wasm" backend so that it starts the threaded-SIMD module with `threads`
 * pthreads (call before the backend initializes). Three things stock tfjs does not do in Node:
 * the worker script is written to a real file (Node's Worker takes no blob: URLs); the main
 * script is passed as a path the workers can `importScripts`; and the C++ side's core count
 * (emscripten_num_logical_cores() / 2, i.e. os.cpus().length / 2, which caps the pool at 1 on a
 * 2-core machine) is lifted by reporting 2·threads CPUs while the module instantiates.
 */
export function installThreadedWasm(threads: number): void {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factoryPath = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(factoryPath) as ModuleFactory;
  const { wasmWorkerContents } = require(join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const workerPath = join(os.tmpdir(), `realm-tfjs-wasm-pthread-${process.pid}.cjs`);
  // The worker source is a template literal: its "\n" escapes arrive as real newlines inside string
  // literals and must be escaped again (tfjs does the same before making its Blob).
  writeFileSync(workerPath, wasmWorkerContents.replace(/\n/g, '\\n'));
  tfWasm.setThreadsCount(threads);
  if (tf.engine().registryFactory.wasm) tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    const osModule = require('node:os') as typeof os & { cpus: typeof os.cpus };
    const realCpus = osModule.cpus;
    const cpus = realCpus();
    osModule.cpus = (): os.CpuInfo[] => Array.from({ length: Math.max(2 * threads, cpus.length) }, (_, i) => cpus[i % cpus.length]);
    let module: Awaited<ReturnType<ModuleFactory>>;
    try {
      module = await factory({
        locateFile: (path: string) => (path.endsWith('.worker.js') ? workerPath : join(root, 'dist', path.endsWith('.wasm') ? 'tfjs-backend-wasm-threaded-simd.wasm' : path)),
        mainScriptUrlOrBlob: factoryPath,
      });
    } finally {
      osModule.cpus = realCpus;
    }
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    return new tfWasm.BackendWasm(module as unknown as ConstructorParameters<typeof tfWasm.BackendWasm>[0]);
  }, 2);
}
