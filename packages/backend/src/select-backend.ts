// Chooses the TensorFlow.js backend for a realm-ts program: tfjs-node-gpu, tfjs-node, wasm (SIMD,
// realm-ts kernels, native GEMM when built), cpu — the first that works, or exactly the one asked for. Logs one line.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureGradients } from './gradients.js';
import { nativeGemmActive, nativeGemmSimd } from './kernels/native-gemm.js';
import { registerRealmWasmKernels } from './kernels/register.js';
import { installThreadedWasm } from './wasm-threads.js';

/** Backends in order of preference (fastest first). */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface SelectBackendOptions {
  /** Use exactly this backend (e.g. from `--backend`); if it cannot start, selectBackend throws. */
  preferred?: BackendName;
  /** Where the one-line decision goes; `false` silences it. Default: console.error (keeps stdout clean). */
  log?: ((line: string) => void) | false;
  /**
   * wasm threads. 1 (default) is tfjs's Node behaviour; >1 loads the threaded-SIMD build through
   * worker_threads (see wasm-threads.ts; measured no faster on 2 cores).
   */
  wasmThreads?: number;
  /** Register realm-ts's wasm kernels when wasm is chosen (default true). */
  realmKernels?: boolean;
  /** Make sure tfjs-core's gradients are registered, for training (default true; see gradients.ts). */
  gradients?: boolean;
}

export interface BackendAttempt {
  name: BackendName;
  error: string;
}

export interface SelectedBackend {
  /** The backend now active in tfjs-core. */
  name: BackendName;
  /** Why: what it is, and why each faster one was unavailable. */
  reason: string;
  /** The faster backends that failed, in order, with why. */
  tried: BackendAttempt[];
}

/** tfjs-core's registry name of each choice (both tfjs-node packages register "tensorflow"). */
const TFJS_NAMES: Record<BackendName, string> = { 'node-gpu': 'tensorflow', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };
const NODE_PACKAGES: Partial<Record<BackendName, string>> = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' };

/** Raised when one backend cannot start; its message is what `tried` reports. */
class BackendUnavailable extends Error {}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && (message ?? '').includes(specifier);
}

/** Imports an optional native tfjs package by a computed specifier, so TypeScript and bundlers never require it. */
async function importOptional(specifier: string): Promise<void> {
  try {
    await import(/* @vite-ignore */ specifier);
  } catch (error) {
    if (isModuleNotFound(error, specifier)) throw new BackendUnavailable(`${specifier}: not installed`);
    throw new BackendUnavailable(`${specifier}: failed to load (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Activates tfjs-core backend `tfjsName`; tf.setBackend swallows init errors, so surface them. */
async function activate(tfjsName: string, label: string): Promise<void> {
  if (!tf.engine().registryFactory[tfjsName]) throw new BackendUnavailable(`${label}: loaded, but no "${tfjsName}" backend is registered with this copy of @tensorflow/tfjs-core`);
  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]): void => { warnings.push(args.map(String).join(' ')); };
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfjsName);
  } finally {
    console.warn = originalWarn;
  }
  if (!ok) throw new BackendUnavailable(`${label}: initialization failed${warnings.length ? ` (${warnings.join('; ')})` : ''}`);
}

/** Directory holding tfjs-backend-wasm's .wasm binaries inside node_modules. */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

let wasmPathsSet = false;

async function startWasm(options: SelectBackendOptions): Promise<string> {
  const threads = options.wasmThreads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasmThreads must be a positive integer, got ${options.wasmThreads}`);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  if (!tf.findBackend('wasm')) {
    const directory = wasmBinaryDirectory();
    const binary = simd ? (threads > 1 ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm') : 'tfjs-backend-wasm.wasm';
    if (!existsSync(join(directory, binary))) throw new BackendUnavailable(`wasm: binary ${join(directory, binary)} is missing`);
    if (!wasmPathsSet) {
      // Load from node_modules, never the network.
      tfWasm.setWasmPaths(directory);
      wasmPathsSet = true;
    }
    if (threads > 1) {
      if (!simd) throw new BackendUnavailable('wasm: threads need the threaded-SIMD build, but this runtime has no wasm SIMD');
      installThreadedWasm(threads);
    }
  }
  if (options.realmKernels ?? true) registerRealmWasmKernels();
  await activate('wasm', 'wasm');
  const actualThreads = tfWasm.getThreadsCount();
  const realmKernels = options.realmKernels ?? true;
  // The native GEMM runs only on the single-threaded build's heap (the threaded one is shared).
  const gemm = realmKernels && threads === 1 && nativeGemmActive() ? `, native GEMM ${nativeGemmSimd()}` : '';
  return `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${actualThreads} thread${actualThreads === 1 ? '' : 's'}${realmKernels ? ', realm-ts kernels' : ''}${gemm})`;
}

async function start(name: BackendName, options: SelectBackendOptions): Promise<string> {
  const nodePackage = NODE_PACKAGES[name];
  if (nodePackage) {
    await importOptional(nodePackage);
    await activate(TFJS_NAMES[name], nodePackage);
    return `${name} (${nodePackage})`;
  }
  if (name === 'wasm') return startWasm(options);
  await activate('cpu', 'cpu');
  return 'cpu (plain JavaScript)';
}

/**
 * Activates the fastest available tfjs backend: node-gpu, node, wasm, then cpu. With `preferred`,
 * activates exactly that one and throws if it cannot start (no silent fallback). Logs one line
 * saying what was picked and why the faster ones were not.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  const log = options.log === false ? (): void => {} : (options.log ?? ((line: string): void => console.error(line)));
  const { preferred } = options;
  if (preferred !== undefined && !(BACKEND_NAMES as readonly string[]).includes(preferred)) {
    throw new Error(`unknown backend "${preferred}" (choose one of: ${BACKEND_NAMES.join(', ')})`);
  }
  if (options.gradients ?? true) await ensureGradients();
  const tried: BackendAttempt[] = [];
  for (const name of preferred ? [preferred] : BACKEND_NAMES) {
    let description: string;
    try {
      description = await start(name, options);
    } catch (error) {
      if (!(error instanceof BackendUnavailable)) throw error;
      if (preferred) throw new Error(`backend ${preferred} requested but unavailable: ${error.message}`);
      tried.push({ name, error: error.message });
      continue;
    }
    const why = preferred ? 'requested' : tried.length ? `fastest available; ${tried.map((t) => t.error).join('; ')}` : 'fastest available';
    const reason = `${description}: ${why}`;
    log(`realm: tfjs backend ${reason}`);
    return { name, reason, tried };
  }
  throw new Error(`no tfjs backend could start: ${tried.map((t) => `${t.name}: ${t.error}`).join('; ')}`);
}
