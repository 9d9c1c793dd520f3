// Tuning knobs of the exact CPU index. Defaults were chosen by tools/bench/mips on a 2-core machine.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { STORAGE_DTYPES } from './storage.js';

export const ExactMipsOptionsSchema = z
  .strictObject({
    threads: z
      .number()
      .int()
      .min(1)
      .default(() => availableParallelism())
      .describe('Worker threads that split the rows of a search; 1 scans on the calling thread'),
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
      .enum(['auto', 'js'])
      .default('auto')
      .describe("'auto' uses the WebAssembly SIMD kernels when the runtime has them; 'js' forces the plain JS kernels"),
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
