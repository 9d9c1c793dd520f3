// The native kernel (every SIMD level this CPU runs) and the WebAssembly kernel must both equal the
// naive triple loop: ties (lower id wins), k > N, k = N, N = 0, one query, several chunks, odd
// dimensions and batch sizes that are not multiples of any register tile, on one and several threads.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { expectSameResult, naiveSearch, randomMatrix, rows } from '../test/reference.js';
import { ExactMipsIndex } from './exact-index.js';
import { type ExactMipsOptionsInput } from './config.js';
import { nativeKernelAvailable, nativeKernelStatus, nativeSearch, nativeSimdLevels, resolveSimdLevel, SIMD_ENV_VAR } from './native-kernel.js';
import { shutdownMipsWorkers } from './worker-pool.js';

afterAll(() => shutdownMipsWorkers());

const available = nativeKernelAvailable();
if (!available) {
  // CI machines have a C++ compiler, so a missing addon there is a build bug, not a skip.
  if (process.env.CI === 'true') throw new Error(`CI=true but the native MIPS kernel is not available: ${nativeKernelStatus()}`);
  console.warn(`native MIPS kernel tests skipped: ${nativeKernelStatus()}`);
}

/** Every kernel the assertions run against: each native SIMD level of this CPU, then wasm. */
const KERNELS: [string, ExactMipsOptionsInput][] = [
  ...nativeSimdLevels().map((level): [string, ExactMipsOptionsInput] => [`native-${level}`, { kernel: 'native', simd: level }]),
  ['wasm-simd', { kernel: 'wasm' }],
];

describe.each(KERNELS)('%s kernel matches the naive loop', (kernelName, kernelOptions) => {
  const layouts: [string, ExactMipsOptionsInput][] = [
    ['one thread, one chunk', { threads: 1 }],
    // Three threads and 37-row chunks: every thread's rows cross chunk boundaries.
    ['three threads, 37-row chunks', { threads: 3, minParallelWork: 0, chunkRows: 37, blockRows: 16 }],
  ];

  test('kernelName reports the kernel', () => {
    expect(new ExactMipsIndex(4, kernelOptions).kernelName).toBe(kernelName);
  });

  describe.each(layouts)('%s', (_layout, layoutOptions) => {
    const options = { ...kernelOptions, ...layoutOptions };
    test.each([3, 17, 130])('d=%i: batches 1, 2, 3, 5, 7, 17, 63, 70 (not multiples of any tile), k = 1, 8, 100', async (dim) => {
      const vectors = randomMatrix(dim, 250, dim);
      const index = new ExactMipsIndex(dim, options);
      index.add(vectors);
      for (const numQueries of [1, 2, 3, 5, 7, 17, 63, 70]) {
        const queries = randomMatrix(1000 + numQueries, numQueries, dim);
        for (const k of [1, 8, 100]) {
          expectSameResult(await index.search(queries, k), naiveSearch(vectors, queries, dim, k), k, expect);
        }
      }
    });

    test('ties: triplicated rows score equally and the lower id comes first, narrow and wide batches', async () => {
      const dim = 17;
      const base = randomMatrix(5, 40, dim);
      const tripled = new Float32Array(120 * dim);
      for (let copy = 0; copy < 3; copy++) tripled.set(base, copy * 40 * dim);
      const index = new ExactMipsIndex(dim, options);
      index.add(tripled);
      for (const numQueries of [1, 4, 5, 40]) {
        const queries = randomMatrix(6 + numQueries, numQueries, dim);
        const result = await index.search(queries, 7);
        expectSameResult(result, naiveSearch(tripled, queries, dim, 7), 7, expect);
        for (const ids of rows(result.ids, 7)) expect(ids.slice(0, 3)).toEqual([ids[0], ids[0] + 40, ids[0] + 80]);
      }
    });

    test('ties beyond k: all rows equal, so the top-k is ids 0..k-1 for every query', async () => {
      const dim = 5;
      const row = randomMatrix(9, 1, dim);
      const same = new Float32Array(90 * dim);
      for (let r = 0; r < 90; r++) same.set(row, r * dim);
      const index = new ExactMipsIndex(dim, options);
      index.add(same);
      // Batches 1 and 3 take the narrow tiles, 20 the wide ones; the zero query scores 0 everywhere.
      for (const numQueries of [1, 3, 20]) {
        const queries = randomMatrix(10, numQueries, dim);
        queries.fill(0, 0, dim);
        const result = await index.search(queries, 6);
        for (const ids of rows(result.ids, 6)) expect(ids).toEqual([0, 1, 2, 3, 4, 5]);
        expect(rows(result.scores, 6)[0]).toEqual([0, 0, 0, 0, 0, 0]);
      }
    });

    test('k = N, k > N (padded with -1 / -Infinity), N = 0 and a single row', async () => {
      const dim = 17;
      const five = randomMatrix(3, 5, dim);
      const queries = randomMatrix(4, 9, dim);
      const index = new ExactMipsIndex(dim, options);
      const empty = await index.search(queries.subarray(0, 2 * dim), 3);
      expect(Array.from(empty.ids)).toEqual([-1, -1, -1, -1, -1, -1]);
      expect(Array.from(empty.scores)).toEqual(Array(6).fill(-Infinity));
      index.add(five.subarray(0, dim));
      expectSameResult(await index.search(queries, 2), naiveSearch(five.subarray(0, dim), queries, dim, 2), 2, expect);
      index.add(five.subarray(dim));
      expectSameResult(await index.search(queries, 5), naiveSearch(five, queries, dim, 5), 5, expect);
      const padded = await index.search(queries, 8);
      expectSameResult(padded, naiveSearch(five, queries, dim, 8), 8, expect);
      expect(rows(padded.ids, 8)[8].slice(5)).toEqual([-1, -1, -1]);
    });
  });
});

describe.skipIf(!available)('native addon entry point', () => {
  test('ids are offset per chunk (a chunk is a Float32Array view plus the id of its first row)', () => {
    const dim = 3;
    const vectors = randomMatrix(21, 10, dim);
    const queries = randomMatrix(22, 2, dim);
    const chunks = [{ rows: vectors.subarray(0, 4 * dim), firstId: 1000 }, { rows: vectors.subarray(4 * dim), firstId: 2000 }];
    const result = nativeSearch(queries, dim, 10, chunks, 1, 'scalar') as { scores: Float32Array; ids: Int32Array };
    const naive = naiveSearch(vectors, queries, dim, 10);
    expect(rows(result.ids, 10)).toEqual(naive.ids.map((ids) => ids.map((id) => (id < 4 ? 1000 + id : 2000 + id - 4))));
  });

  test('the addon rejects chunks that are not whole rows and unsupported calls', () => {
    const queries = new Float32Array(4);
    expect(() => nativeSearch(queries, 4, 1, [{ rows: new Float32Array(6), firstId: 0 }], 1, 'scalar')).toThrow('native search: chunks[0] length is not a multiple of dim');
    expect(() => nativeSearch(queries, 4, 1, [{ rows: new Float32Array(8), firstId: 2 ** 31 - 1 }], 1, 'scalar')).toThrow('native search: chunks[0] ids exceed int32');
  });

  test(`${SIMD_ENV_VAR} caps 'auto'; an explicit level must be supported; bad names are rejected`, () => {
    const best = nativeSimdLevels()[0];
    expect(resolveSimdLevel('auto', {})).toBe(best);
    expect(resolveSimdLevel('auto', { [SIMD_ENV_VAR]: 'scalar' })).toBe('scalar');
    expect(resolveSimdLevel('auto', { [SIMD_ENV_VAR]: 'avx512' })).toBe(best);
    if (nativeSimdLevels().includes('avx2')) expect(resolveSimdLevel('auto', { [SIMD_ENV_VAR]: 'avx2' })).toBe('avx2');
    expect(() => resolveSimdLevel('auto', { [SIMD_ENV_VAR]: 'sse9' })).toThrow(`${SIMD_ENV_VAR} must be one of avx512, avx2, scalar, got 'sse9'`);
    for (const level of ['avx512', 'avx2'] as const) {
      if (!nativeSimdLevels().includes(level)) expect(() => resolveSimdLevel(level)).toThrow(`simd '${level}' is not supported by this CPU`);
    }
  });

  test("kernel 'native' is float32 only; 'auto' uses it for float32 and wasm for reduced precision", () => {
    expect(() => new ExactMipsIndex(4, { kernel: 'native', storage: 'bfloat16' })).toThrow("kernel 'native' supports float32 storage only, not bfloat16");
    expect(new ExactMipsIndex(4).kernelName).toBe(`native-${resolveSimdLevel('auto')}`);
    expect(new ExactMipsIndex(4, { storage: 'int8' }).kernelName).toBe('wasm-simd');
    expect(new ExactMipsIndex(4, { kernel: 'js' }).kernelName).toBe('js');
  });
});

test('without the addon (REALM_MIPS_NATIVE=off), kernel native fails with the reason and auto falls back to wasm with the same results', () => {
  // The addon loads once per process, so the fallback runs in a child process with it turned off.
  const script = `
    const { ExactMipsIndex } = await import('@realm/mips');
    let message = '';
    try { new ExactMipsIndex(2, { kernel: 'native' }); } catch (error) { message = error.message; }
    const index = new ExactMipsIndex(2, { threads: 1 });
    index.add(new Float32Array([1, 0, 0, 1, 1, 1, 0.5, 0.5]));
    const { ids, scores } = await index.search(new Float32Array([1, 2, 1, 0]), 3);
    console.log(JSON.stringify({ message, kernel: index.kernelName, ids: Array.from(ids), scores: Array.from(scores) }));
  `;
  const child = spawnSync(process.execPath, ['--conditions=@realm/source', '--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, REALM_MIPS_NATIVE: 'off' },
    encoding: 'utf8',
  });
  expect(child.stderr).not.toContain('Error');
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
  expect(result.message).toContain("kernel 'native' requested but the native addon is turned off by REALM_MIPS_NATIVE=off");
  expect(result.kernel).toBe('wasm-simd');
  // query (1, 2): scores 1, 2, 3, 1.5; query (1, 0): 1, 0, 1, 0.5 (ids 0 and 2 tie: 0 first)
  expect(result.ids).toEqual([2, 1, 3, 0, 2, 3]);
  expect(result.scores).toEqual([3, 2, 1.5, 1, 1, 0.5]);
});
