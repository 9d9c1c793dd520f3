// Loader for @realm/backend's optional native GEMM (packages/backend/native: a plain N-API C++
// SGEMM with an AVX2+FMA micro-kernel chosen at run time and a portable one, built at install by
// native/build.mjs). The wasm BatchMatMul kernel runs its 2-D products with it, straight on the
// WebAssembly heap, when it loads; otherwise (not built, failed to load, REALM_BACKEND_NATIVE_GEMM=0,
// or the threaded build's shared heap) it uses XNNPACK inside tfjs-backend-wasm.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** SIMD levels of the native GEMM. */
export type NativeGemmSimd = 'avx2' | 'scalar';

/** The functions native/src/gemm.cc exports. */
export interface NativeGemmAddon {
  /**
   * C = op(A)·op(B), row-major, C overwritten. Offsets and leading dimensions count elements of the
   * given arrays; op(A) is M×K (stored K×M when transA), op(B) is K×N (stored N×K when transB).
   * Throws a RangeError/TypeError (code ERR_REALM_NATIVE_GEMM) on bad arguments, out-of-bounds
   * extents, or C overlapping A or B. `simd` defaults to the best level of this CPU.
   */
  sgemm(transA: boolean, transB: boolean, M: number, N: number, K: number,
    a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number,
    c: Float32Array, cOffset: number, ldc: number, simd?: NativeGemmSimd): void;
  /** Levels this CPU runs, best first. */
  simdLevels(): NativeGemmSimd[];
}

/** Where native/build.mjs puts the binary (two levels above both src/kernels/ and dist/kernels/). */
export const NATIVE_GEMM_ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/realm_backend_gemm.node', import.meta.url));

/** native/build.mjs's log of the last build attempt. */
export const NATIVE_GEMM_BUILD_LOG = fileURLToPath(new URL('../../native/build/build.log', import.meta.url));

/** Environment variable that turns the native GEMM off (REALM_BACKEND_NATIVE_GEMM=0): BatchMatMul uses XNNPACK. Read once, at first use. */
export const NATIVE_GEMM_ENV_VAR = 'REALM_BACKEND_NATIVE_GEMM';

let loaded: { addon: NativeGemmAddon | null; reason: string } | undefined;
let envEnabled: boolean | undefined;
let override: boolean | undefined;

function load(): { addon: NativeGemmAddon | null; reason: string } {
  if (loaded !== undefined) return loaded;
  try {
    const addon = createRequire(import.meta.url)(NATIVE_GEMM_ADDON_PATH) as NativeGemmAddon;
    loaded = { addon, reason: 'loaded' };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    loaded = { addon: null, reason: `${NATIVE_GEMM_ADDON_PATH} did not load (${message}); build it with \`node native/build.mjs\` in @realm/backend (log: ${NATIVE_GEMM_BUILD_LOG})` };
  }
  return loaded;
}

function enabled(): boolean {
  if (override !== undefined) return override;
  envEnabled ??= process.env[NATIVE_GEMM_ENV_VAR] !== '0';
  return envEnabled;
}

/** The addon when it is built and loads in this process (whether or not it is switched on), else null. */
export function nativeGemmAddon(): NativeGemmAddon | null {
  return load().addon;
}

/** True when the native GEMM is built and loads in this process (whether or not it is switched on). */
export function nativeGemmAvailable(): boolean {
  return load().addon !== null;
}

/** True when BatchMatMul on wasm uses the native GEMM: available and not switched off (single-threaded wasm heap only). */
export function nativeGemmActive(): boolean {
  return enabled() && nativeGemmAvailable();
}

/** The addon when BatchMatMul should use it (nativeGemmActive()), else null. */
export function activeNativeGemm(): NativeGemmAddon | null {
  return enabled() ? load().addon : null;
}

/** The best SIMD level of the native GEMM on this CPU, or null without the addon. */
export function nativeGemmSimd(): NativeGemmSimd | null {
  return load().addon?.simdLevels()[0] ?? null;
}

/** Which matmul path BatchMatMul on wasm takes and why, e.g. 'native GEMM avx2' or 'XNNPACK (REALM_BACKEND_NATIVE_GEMM=0)'. */
export function nativeGemmStatus(): string {
  if (!nativeGemmAvailable()) return `XNNPACK (native GEMM unavailable: ${load().reason})`;
  if (!enabled()) return override === false ? 'XNNPACK (native GEMM switched off by setNativeGemmEnabled(false))' : `XNNPACK (${NATIVE_GEMM_ENV_VAR}=0)`;
  return `native GEMM ${nativeGemmSimd()}`;
}

/**
 * Switches the native GEMM on or off in this process (for benchmarks and tests comparing the two
 * paths); `undefined` restores the default (on unless REALM_BACKEND_NATIVE_GEMM=0). Switching on
 * without the addon has no effect.
 */
export function setNativeGemmEnabled(on: boolean | undefined): void {
  override = on;
}
