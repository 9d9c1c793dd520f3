// Exact MIPS benchmark: @realm/mips ExactMipsIndex vs FAISS IndexFlatIP (via Debian's python3-faiss,
// faiss_bench.py beside this file) on the same seeded random float32 data, N = 100k and 1M, d = 128.
// Ours is measured twice: the native C++ kernel (kernel 'native', when the addon is built) and the
// WebAssembly kernel (kernel 'wasm'); the ratio column compares the faster of the two ("ours").
// FAISS is run with its default OpenMP threads and with omp_set_num_threads(1); each row compares
// against FAISS's best of the two. "GB/s" = bytes of the N×d float32 matrix scanned per second
// (N·d·4 bytes per search call divided by the call's time), independent of the batch size.
// Also measures the reduced-precision storages — bfloat16 and float16 (half the bytes), int8 with a
// per-row scale (a quarter, + 4 bytes per row) — and their recall@k against the exact float32 top-k.
// Run: npx tsx tools/bench/mips/bench.ts [--n 100000,1000000] [--batch 1,64,512] [--k 8,100] [--min-seconds 1] [--no-reduced] [--out FILE]
//      → markdown table on stdout, bench-results/mips.json (or --out)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../../../packages/tokenizer/src/index.js';
import { ExactMipsIndex, measureSearchThroughput, shutdownMipsWorkers } from '../../../packages/mips/src/index.js';
import { nativeKernelAvailable, nativeKernelStatus } from '../../../packages/mips/src/native-kernel.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..', '..');
const OUT_AT = process.argv.indexOf('--out');
const OUT_FILE = OUT_AT > 0 ? resolve(process.argv[OUT_AT + 1]) : join(REPO, 'bench-results', 'mips.json');
const DIM = 128;

function listArg(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1].split(',').map(Number) : fallback;
}
const SIZES = listArg('n', [100_000, 1_000_000]);
const BATCHES = listArg('batch', [1, 64, 512]);
const KS = listArg('k', [8, 100]);
const MIN_SECONDS = listArg('min-seconds', [1])[0];
/** --no-reduced skips the bfloat16/float16/int8 measurements (their columns are null). */
const REDUCED_ON = !process.argv.includes('--no-reduced');

function randomRows(seed: number, rows: number, dim: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

interface FaissRow {
  batch: number;
  k: number;
  qps_default: number;
  qps_omp1: number;
  qps_best: number;
}

function runFaiss(vectors: Float32Array, queries: Float32Array): { version: string; rows: FaissRow[] } | null {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import faiss, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error('FAISS unavailable (/usr/bin/python3 -c "import faiss, numpy" failed); FAISS columns are null');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'realm-mips-bench-'));
  try {
    writeFileSync(join(dir, 'v.f32'), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
    writeFileSync(join(dir, 'q.f32'), new Uint8Array(queries.buffer, queries.byteOffset, queries.byteLength));
    const args = [join(HERE, 'faiss_bench.py'), '--vectors', join(dir, 'v.f32'), '--queries', join(dir, 'q.f32'), '--dim', String(DIM),
      '--k', KS.join(','), '--batch', BATCHES.join(','), '--min-seconds', String(MIN_SECONDS)];
    const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`faiss_bench.py exited with ${run.status}`);
    const parsed = JSON.parse(run.stdout) as { faiss_version: string; rows: FaissRow[] };
    return { version: parsed.faiss_version, rows: parsed.rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ResultRow {
  n: number;
  batch: number;
  k: number;
  /** Best of the native and wasm kernels. */
  ours_qps: number;
  ours_gbps: number;
  ours_kernel: string;
  native_kernel: string | null;
  native_qps: number | null;
  wasm_qps: number;
  faiss_default_qps: number | null;
  faiss_omp1_qps: number | null;
  faiss_best_qps: number | null;
  faiss_best_gbps: number | null;
  ratio: number | null;
  bf16_qps: number | null;
  /** Mean over the batch of |top-k(bfloat16) ∩ top-k(float32)| / k. */
  bf16_recall: number | null;
  fp16_qps: number | null;
  fp16_recall: number | null;
  int8_qps: number | null;
  int8_recall: number | null;
}

/** The reduced-precision storages measured next to float32, with their column prefixes. */
const REDUCED = [['bf16', 'bfloat16'], ['fp16', 'float16'], ['int8', 'int8']] as const;

function recallAtK(exact: Int32Array, approx: Int32Array, k: number): number {
  let hits = 0;
  for (let q = 0; q < exact.length / k; q++) {
    const truth = new Set(exact.subarray(q * k, (q + 1) * k));
    for (const id of approx.subarray(q * k, (q + 1) * k)) if (truth.has(id)) hits++;
  }
  return hits / exact.length;
}

const started = new Date().toISOString();
const loadBefore = loadavg();
const results: ResultRow[] = [];
let faissVersion: string | null = null;
for (const n of SIZES) {
  const vectors = randomRows(1, n, DIM);
  const queries = randomRows(2, Math.max(...BATCHES), DIM);
  console.error(`N=${n}: FAISS… (load ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  const faiss = runFaiss(vectors, queries);
  faissVersion = faiss?.version ?? faissVersion;
  const native = nativeKernelAvailable() ? new ExactMipsIndex(DIM, { kernel: 'native' }) : null;
  if (native === null) console.error(`native kernel unavailable (${nativeKernelStatus()}); native columns are null`);
  native?.add(vectors);
  const index = new ExactMipsIndex(DIM, { kernel: 'wasm' });
  index.add(vectors);
  const reduced = (REDUCED_ON ? REDUCED : []).map(([column, storage]) => {
    const reducedIndex = new ExactMipsIndex(DIM, { storage });
    reducedIndex.add(vectors);
    return { column, index: reducedIndex };
  });
  for (const batch of BATCHES) {
    for (const k of KS) {
      const batchQueries = queries.subarray(0, batch * DIM);
      const wasm = await measureSearchThroughput(index, batchQueries, k, MIN_SECONDS);
      const nativeRun = native === null ? null : await measureSearchThroughput(native, batchQueries, k, MIN_SECONDS);
      const ours = nativeRun !== null && nativeRun.qps > wasm.qps ? nativeRun : wasm;
      const oursKernel = ours === wasm ? index.kernelName : (native as ExactMipsIndex).kernelName;
      const exactIds = (await index.search(batchQueries, k)).ids;
      if (native !== null) {
        const nativeIds = (await native.search(batchQueries, k)).ids;
        const agree = recallAtK(exactIds, nativeIds, k);
        if (agree < 1) console.error(`warning: native and wasm top-${k} overlap is ${agree} (float32 rounding at near-ties)`);
      }
      const modes: Record<string, { qps: number; recall: number } | undefined> = {};
      for (const mode of reduced) {
        const throughput = await measureSearchThroughput(mode.index, batchQueries, k, MIN_SECONDS);
        modes[mode.column] = { qps: throughput.qps, recall: recallAtK(exactIds, (await mode.index.search(batchQueries, k)).ids, k) };
      }
      const f = faiss?.rows.find((r) => r.batch === batch && r.k === k) ?? null;
      const row: ResultRow = {
        n, batch, k,
        ours_qps: ours.qps,
        ours_gbps: ours.matrixGBps,
        ours_kernel: oursKernel,
        native_kernel: native?.kernelName ?? null,
        native_qps: nativeRun?.qps ?? null,
        wasm_qps: wasm.qps,
        faiss_default_qps: f?.qps_default ?? null,
        faiss_omp1_qps: f?.qps_omp1 ?? null,
        faiss_best_qps: f?.qps_best ?? null,
        faiss_best_gbps: f === null ? null : (n * DIM * 4 * f.qps_best) / batch / 1e9,
        ratio: f === null ? null : ours.qps / f.qps_best,
        bf16_qps: modes.bf16?.qps ?? null,
        bf16_recall: modes.bf16?.recall ?? null,
        fp16_qps: modes.fp16?.qps ?? null,
        fp16_recall: modes.fp16?.recall ?? null,
        int8_qps: modes.int8?.qps ?? null,
        int8_recall: modes.int8?.recall ?? null,
      };
      results.push(row);
      const reducedText = reduced.map(({ column }) => `${column} ${modes[column]?.qps.toFixed(1)} q/s recall@${k} ${modes[column]?.recall.toFixed(4)}`).join('; ');
      console.error(
        `N=${n} batch=${batch} k=${k}: native ${nativeRun === null ? 'n/a' : `${nativeRun.qps.toFixed(1)} q/s (${native?.kernelName})`}, wasm ${wasm.qps.toFixed(1)} q/s, ` +
          `FAISS best ${f?.qps_best.toFixed(1) ?? 'n/a'}; ${reducedText}`,
      );
    }
  }
  index.reset();
  native?.reset();
  for (const mode of reduced) mode.index.reset();
}
await shutdownMipsWorkers();

const fmt = (x: number | null, digits = 1): string => (x === null ? 'n/a' : x.toFixed(digits));
const lines = [
  '| N | batch | k | ours native q/s | ours wasm q/s | ours best GB/s | FAISS default q/s | FAISS omp=1 q/s | FAISS best GB/s | ours / FAISS best | bf16 q/s | bf16 recall@k | fp16 q/s | fp16 recall@k | int8 q/s | int8 recall@k |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) =>
    `| ${r.n} | ${r.batch} | ${r.k} | ${fmt(r.native_qps)} | ${fmt(r.wasm_qps)} | ${fmt(r.ours_gbps, 2)} | ${fmt(r.faiss_default_qps)} | ${fmt(r.faiss_omp1_qps)} | ${fmt(r.faiss_best_gbps, 2)} | ${fmt(r.ratio, 2)} ` +
    `| ${fmt(r.bf16_qps)} | ${fmt(r.bf16_recall, 4)} | ${fmt(r.fp16_qps)} | ${fmt(r.fp16_recall, 4)} | ${fmt(r.int8_qps)} | ${fmt(r.int8_recall, 4)} |`),
];
const nativeName = results.find((r) => r.native_kernel !== null)?.native_kernel ?? 'unavailable';
console.log(`native kernel: ${nativeName}; wasm kernel: wasm-simd; threads: ${cpus().length}`);
console.log(lines.join('\n'));
mkdirSync(dirname(OUT_FILE), { recursive: true });
writeFileSync(OUT_FILE, `${JSON.stringify({
  started, finished: new Date().toISOString(), dim: DIM, cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version,
  loadavgBefore: loadBefore, loadavgAfter: loadavg(), faissVersion, nativeKernel: results.find((r) => r.native_kernel !== null)?.native_kernel ?? null,
  gbpsDefinition: 'bytes of the N×d float32 matrix read per second: N·d·4 per search call / seconds per call',
  rows: results,
}, null, 2)}\n`);
console.error(`wrote ${OUT_FILE}`);
