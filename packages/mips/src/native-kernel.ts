// Loader for the native exact-search addon (packages/mips/native, a plain N-API C++ kernel built at
// install by native/build.mjs): AVX-512 / AVX2+FMA / portable tiles with a fused top-k, chosen at
// run time. When the addon is missing or fails to load, callers fall back to the WebAssembly kernels.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** SIMD levels of the native kernel, best first (the index into this list is not the level id). */
export const NATIVE_SIMD_LEVELS = ['avx512', 'avx2', 'scalar'] as const;

export type NativeSimdLevel = (typeof NATIVE_SIMD_LEVELS)[number];

/** Environment variable that caps the SIMD level chosen by `simd: 'auto'` (e.g. REALM_MIPS_SIMD=avx2). */
export const SIMD_ENV_VAR = 'REALM_MIPS_SIMD';

/** The addon's level ids (native/src/kernels.h SimdLevel). */
const LEVEL_IDS: Record<NativeSimdLevel, number> = { scalar: 0, avx2: 1, avx512: 2 };

interface NativeResult {
  scores: Float32Array;
  ids: Int32Array;
}

/** The functions native/src/addon.cc exports. */
interface NativeAddon {
  search(queries: Float32Array, dim: number, k: number, chunks: Float32Array[], idOffsets: number[], threads: number, level: number): NativeResult;
  searchAsync(queries: Float32Array, dim: number, k: number, chunks: Float32Array[], idOffsets: number[], threads: number, level: number): Promise<NativeResult>;
  simdLevels(): string[];
}

/** Where native/build.mjs puts the binary; one level above both src/ and dist/. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../native/build/Release/realm_mips.node', import.meta.url));

/** Environment variable that turns the native addon off (REALM_MIPS_NATIVE=off): the WASM kernels are used. */
export const NATIVE_ENV_VAR = 'REALM_MIPS_NATIVE';

let loaded: { addon: NativeAddon | null; reason: string } | undefined;

function load(): { addon: NativeAddon | null; reason: string } {
  if (loaded !== undefined) return loaded;
  if (process.env[NATIVE_ENV_VAR] === 'off') {
    loaded = { addon: null, reason: `the native addon is turned off by ${NATIVE_ENV_VAR}=off` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
    loaded = { addon, reason: 'loaded' };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    loaded = { addon: null, reason: `${NATIVE_ADDON_PATH} did not load (${message}); build it with \`node native/build.mjs\` in @realm/mips` };
  }
  return loaded;
}

/** True when the native addon is built and loads in this process. */
export function nativeKernelAvailable(): boolean {
  return load().addon !== null;
}

/** Why the native addon is unavailable (or 'loaded'). */
export function nativeKernelStatus(): string {
  return load().reason;
}

/** SIMD levels this CPU runs in the native kernel, best first; empty without the addon. */
export function nativeSimdLevels(): NativeSimdLevel[] {
  const addon = load().addon;
  return addon === null ? [] : (addon.simdLevels() as NativeSimdLevel[]);
}

/**
 * The level a search runs at: an explicit request must be supported by this CPU; 'auto' takes the
 * best one, capped by REALM_MIPS_SIMD when that is set (so CI can cover the AVX2 and scalar paths).
 */
export function resolveSimdLevel(requested: 'auto' | NativeSimdLevel, env: NodeJS.ProcessEnv = process.env): NativeSimdLevel {
  const supported = nativeSimdLevels();
  if (supported.length === 0) throw new Error(`the native kernel is unavailable: ${nativeKernelStatus()}`);
  if (requested !== 'auto') {
    if (!supported.includes(requested)) throw new Error(`simd '${requested}' is not supported by this CPU (supported: ${supported.join(', ')})`);
    return requested;
  }
  const cap = env[SIMD_ENV_VAR];
  if (cap === undefined || cap === '') return supported[0];
  if (!(NATIVE_SIMD_LEVELS as readonly string[]).includes(cap)) {
    throw new Error(`${SIMD_ENV_VAR} must be one of ${NATIVE_SIMD_LEVELS.join(', ')}, got '${cap}'`);
  }
  // The best supported level not above the cap (scalar is always supported).
  return supported.find((level) => LEVEL_IDS[level] <= LEVEL_IDS[cap as NativeSimdLevel]) ?? 'scalar';
}

/** float32 rows of one chunk (whole rows, row-major) and the id of its first row. */
export interface NativeChunk {
  readonly rows: Float32Array;
  readonly firstId: number;
}

/**
 * Exact top-k of `queries` over the chunks, best first, padded with (-Infinity, -1); ties go to
 * the lower id. threads > 1 runs asynchronously on native threads that split the rows.
 */
export function nativeSearch(queries: Float32Array, dim: number, k: number, chunks: readonly NativeChunk[], threads: number, level: NativeSimdLevel): Promise<NativeResult> | NativeResult {
  const addon = load().addon;
  if (addon === null) throw new Error(`the native kernel is unavailable: ${nativeKernelStatus()}`);
  const rows = chunks.map((chunk) => chunk.rows);
  const offsets = chunks.map((chunk) => chunk.firstId);
  if (threads > 1) return addon.searchAsync(queries, dim, k, rows, offsets, threads, LEVEL_IDS[level]);
  return addon.search(queries, dim, k, rows, offsets, 1, LEVEL_IDS[level]);
}
