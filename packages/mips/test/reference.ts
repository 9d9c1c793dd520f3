// Test helpers: seeded random matrices and the naive triple-loop MIPS that every fast path is
// checked against (faiss tests/test_index.py compares IndexFlat with numpy brute force the same way).
import { createRng } from '@realm/tokenizer';

/** n×dim values uniform in [-1, 1) from a seeded generator. */
export function randomMatrix(seed: number, rows: number, dim: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

/**
 * Full scores matrix in float64, then a stable sort by (score desc, id asc) on the float32-rounded
 * score: deliberately the simplest possible implementation, sharing no code with the index.
 */
export function naiveSearch(vectors: Float32Array, queries: Float32Array, dim: number, k: number): { scores: number[][]; ids: number[][] } {
  const n = vectors.length / dim;
  const m = queries.length / dim;
  const scores: number[][] = [];
  const ids: number[][] = [];
  for (let q = 0; q < m; q++) {
    const all: { id: number; score: number }[] = [];
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += queries[q * dim + j] * vectors[i * dim + j];
      all.push({ id: i, score: Math.fround(dot) });
    }
    all.sort((a, b) => b.score - a.score || a.id - b.id);
    const top = all.slice(0, k);
    while (top.length < k) top.push({ id: -1, score: -Infinity });
    scores.push(top.map((e) => e.score));
    ids.push(top.map((e) => e.id));
  }
  return { scores, ids };
}

/** Splits a flat [m, k] result into rows for readable comparisons. */
export function rows<T extends Float32Array | Int32Array>(flat: T, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += k) out.push(Array.from(flat.subarray(i, i + k)));
  return out;
}

/** Asserts ids equal and scores within 1e-5 (absolute, or relative for large scores). */
export function expectSameResult(
  actual: { scores: Float32Array; ids: Int32Array },
  expected: { scores: number[][]; ids: number[][] },
  k: number,
  expectFn: (value: unknown) => { toEqual(v: unknown): void; toBeLessThanOrEqual(v: number): void },
): void {
  expectFn(rows(actual.ids, k)).toEqual(expected.ids);
  const got = rows(actual.scores, k);
  for (let q = 0; q < got.length; q++) {
    for (let j = 0; j < k; j++) {
      const want = expected.scores[q][j];
      if (want === -Infinity) expectFn(got[q][j]).toEqual(-Infinity);
      else expectFn(Math.abs(got[q][j] - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
    }
  }
}
