// Throughput measurement shared by `realm mips bench` and tools/bench/mips: repeated searches of the
// same batch for at least `minSeconds`. After a small warm-up search, when the first timed call alone takes
// `minSeconds` (1M rows × 512 queries) it is the measurement, so big rows stay affordable.
import type { MipsIndex } from './types.js';

export interface SearchThroughput {
  /** Queries answered per second. */
  readonly qps: number;
  /** Bytes of float32 matrix read per second: size × dim × 4 per batch, divided by batch time. */
  readonly matrixGBps: number;
  readonly repetitions: number;
}

export async function measureSearchThroughput(index: MipsIndex, queries: Float32Array, k: number, minSeconds = 1): Promise<SearchThroughput> {
  const batch = queries.length / index.dim;
  // Warm-up on a small slice: starts the worker pool and compiles the kernels without paying for
  // a full (possibly very long) batch.
  await index.search(queries.subarray(0, Math.min(batch, 8) * index.dim), k);
  const first = performance.now();
  await index.search(queries, k);
  const firstSeconds = (performance.now() - first) / 1000;
  if (firstSeconds >= minSeconds) {
    return { qps: batch / firstSeconds, matrixGBps: (index.size * index.dim * 4) / firstSeconds / 1e9, repetitions: 1 };
  }
  const start = performance.now();
  let repetitions = 0;
  let elapsed = 0;
  while (elapsed < minSeconds * 1000 || repetitions < 2) {
    await index.search(queries, k);
    repetitions++;
    elapsed = performance.now() - start;
  }
  const batchSeconds = elapsed / 1000 / repetitions;
  return { qps: batch / batchSeconds, matrixGBps: (index.size * index.dim * 4) / batchSeconds / 1e9, repetitions };
}
