// Tuning knobs of the exact CPU index. Defaults were chosen by tools/bench/mips on a 2-core machine.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { NATIVE_SIMD_LEVELS, SIMD_ENV_VAR } from './native-kernel.js';
import { STORAGE_DTYPES } from './storage.js';

export const ExactMipsOptionsSchema = z
  .strictObject({
    threads: z
      .number()
      .int()
      .min(1)
      .default(() => availableParallelism())
      .describe('Threads that split the rows of a search (native threads for the native kernel, worker threads otherwise); 1 scans on the calling thread'),
    minParallelWork: z
      .number()
      .int()
      .min(0)
      .default(1 << 22)
      .describe('Searches with fewer multiply-adds (queries × rows × dim) than this stay on the calling thread; 0 forces workers'),
    blockRows: z
      .number()
      .int()
      .min(1)
      .default(2048)
      .describe('Rows scanned per cache block (2048×128 float32 = 1 MB) while every query tile passes over them'),
    kernel: z
      .enum(['auto', 'native', 'wasm', 'js'])
      .default('auto')
      .describe(
        "'auto' uses the native C++ kernel (built at install, float32 storage) when it loaded, else the WebAssembly SIMD kernels; " +
          "'native' requires the addon (an error otherwise); 'wasm' forces the WebAssembly kernels (plain JS where wasm SIMD is missing); 'js' forces the plain JS kernels",
      ),
    simd: z
      .enum(['auto', ...NATIVE_SIMD_LEVELS])
      .default('auto')
      .describe(
        `SIMD level of the native kernel: 'auto' takes the best this CPU has (capped by the ${SIMD_ENV_VAR} environment variable when set); ` +
          'an explicit level must be supported by the CPU. Ignored by the WebAssembly and JS kernels',
      ),
    storage: z
      .enum(STORAGE_DTYPES)
      .default('float32')
      .describe(
        'Row storage: float32 is exact; bfloat16 and float16 halve memory, int8 (per-row scale) quarters it; ' +
          'scores are exact over the stored (rounded) rows — see the bench for recall against float32',
      ),
    chunkRows: z
      .number()
      .int()
      .min(1)
      .default(1 << 20)
      .describe('Rows per storage chunk (SharedArrayBuffer); keeps each buffer far below typed-array and wasm limits'),
  })
  .readonly();

export type ExactMipsOptions = z.infer<typeof ExactMipsOptionsSchema>;
export type ExactMipsOptionsInput = z.input<typeof ExactMipsOptionsSchema>;
