// `realm mips ...`: exact maximum inner product search over raw float32 files (@realm/mips), a gRPC
// shard server for ShardedMipsIndex, and a throughput benchmark against FAISS IndexFlatIP run
// through Debian's /usr/bin/python3.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { nonNegativeIntegerFlag, positiveIntegerFlag } from '../flags.js';
import { ExactMipsIndex, MipsShardServer, STORAGE_DTYPES, loadIndex, measureSearchThroughput, shutdownMipsWorkers, type StorageDtype } from '@realm/mips';
import { createRng } from '@realm/tokenizer';

const SYSTEM_PYTHON = '/usr/bin/python3';
const FAISS_BENCH_SCRIPT = fileURLToPath(new URL('../../../../tools/bench/mips/faiss_bench.py', import.meta.url));

/** Reads a raw little-endian float32 file of rows `dim` wide; the error names the file. */
async function readRows(path: string, dim: number, flag: string): Promise<Float32Array> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${flag} ${path}: cannot read (${error.code ?? error.message})`);
  });
  const rowBytes = 4 * dim;
  if (bytes.length % rowBytes !== 0) {
    throw new Error(`${flag} ${path}: size ${bytes.length} bytes is not a multiple of 4·dim = ${rowBytes} (float32 rows of dim ${dim})`);
  }
  const values = new Float32Array(bytes.length / 4);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

/** JSON has no -Infinity: padding scores are printed as null (their ids are -1). */
function toRows(flat: Float32Array | Int32Array, k: number): (number | null)[][] {
  const out: (number | null)[][] = [];
  for (let i = 0; i < flat.length; i += k) out.push(Array.from(flat.subarray(i, i + k), (v) => (Number.isFinite(v) ? v : null)));
  return out;
}

/** The scan kernels `--kernel` accepts (ExactMipsOptions.kernel). */
const KERNELS = ['auto', 'native', 'wasm', 'js'] as const;
type KernelChoice = (typeof KERNELS)[number];

interface SearchOptions {
  vectors: string;
  queries: string;
  dim: number;
  k: number;
  threads?: number;
  kernel: KernelChoice;
  json?: boolean;
}

/** Index options from --threads / --kernel. */
function exactOptions(options: { threads?: number; kernel: KernelChoice }): { threads?: number; kernel: KernelChoice } {
  return options.threads === undefined ? { kernel: options.kernel } : { threads: options.threads, kernel: options.kernel };
}

interface ServeOptions {
  vectors?: string;
  index?: string;
  dim?: number;
  firstId: number;
  port: number;
  host: string;
  threads?: number;
  storage: StorageDtype;
  maxK?: number;
}

/** The shard's index: raw float32 rows (--vectors/--dim) or a saved index file (--index). */
async function shardIndex(options: ServeOptions): Promise<ExactMipsIndex> {
  const indexOptions = options.threads === undefined ? {} : { threads: options.threads };
  if (options.index !== undefined) {
    if (options.vectors !== undefined || options.dim !== undefined) throw new Error('mips serve: give either --index or --vectors with --dim, not both');
    return loadIndex(options.index, indexOptions);
  }
  if (options.vectors === undefined || options.dim === undefined) throw new Error('mips serve: needs --vectors and --dim (or --index)');
  const index = new ExactMipsIndex(options.dim, { ...indexOptions, storage: options.storage });
  index.add(await readRows(options.vectors, options.dim, '--vectors'));
  return index;
}

interface BenchOptions {
  n: number;
  dim: number;
  batch: number;
  k: number;
  seed: number;
  minSeconds: number;
  threads?: number;
  kernel: KernelChoice;
  json?: boolean;
}

function randomRows(seed: number, rows: number, dim: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

/** FAISS's best queries/s over its default threads and omp_set_num_threads(1), or null if unavailable. */
function faissQps(vectors: Float32Array, queries: Float32Array, options: BenchOptions): number | null {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import faiss, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(`realm mips bench: FAISS unavailable (${SYSTEM_PYTHON} -c "import faiss, numpy" failed: ${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}); faiss_qps is null`);
    return null;
  }
  if (!existsSync(FAISS_BENCH_SCRIPT)) {
    console.error(`realm mips bench: ${FAISS_BENCH_SCRIPT} not found; faiss_qps is null`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'realm-mips-bench-'));
  try {
    const vectorsPath = join(dir, 'vectors.f32');
    const queriesPath = join(dir, 'queries.f32');
    writeFileSync(vectorsPath, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
    writeFileSync(queriesPath, new Uint8Array(queries.buffer, queries.byteOffset, queries.byteLength));
    const args = [FAISS_BENCH_SCRIPT, '--vectors', vectorsPath, '--queries', queriesPath, '--dim', String(options.dim), '--k', String(options.k), '--batch', String(options.batch), '--min-seconds', String(options.minSeconds)];
    const run = spawnSync(SYSTEM_PYTHON, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`faiss_bench.py failed (exit ${run.status}): ${run.stderr.trim()}`);
    const report = JSON.parse(run.stdout) as { rows: { qps_best: number }[] };
    return report.rows[0].qps_best;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function registerMipsCommands(program: Command): void {
  const mips = program.command('mips').description('Exact maximum inner product search (faiss IndexFlatIP-shaped) over float32 row files');
  mips
    .command('search')
    .description('Top-k rows of --vectors by inner product for each row of --queries (raw little-endian float32 files)')
    .requiredOption('--vectors <file>', 'matrix rows, n×dim float32')
    .requiredOption('--queries <file>', 'query rows, m×dim float32')
    .requiredOption('--dim <d>', 'row dimension', positiveIntegerFlag('--dim'))
    .requiredOption('--k <k>', 'results per query', positiveIntegerFlag('--k'))
    .option('--threads <n>', 'search threads (default: all cores)', positiveIntegerFlag('--threads'))
    .addOption(new Option('--kernel <kernel>', 'scan kernel: auto = native C++ when built, else WebAssembly').choices(KERNELS).default('auto'))
    .option('--json', 'print {"ids": [[...]], "scores": [[...]]} (padding: id -1, score null)')
    .action(async (options: SearchOptions) => {
      const vectors = await readRows(options.vectors, options.dim, '--vectors');
      const queries = await readRows(options.queries, options.dim, '--queries');
      const index = new ExactMipsIndex(options.dim, exactOptions(options));
      // stderr and only without --json, whose output (stdout and an empty stderr) stays machine-clean.
      if (!options.json) console.error(`mips search: kernel ${index.kernelName}`);
      index.add(vectors);
      try {
        const { scores, ids } = await index.search(queries, options.k);
        if (options.json) {
          console.log(JSON.stringify({ ids: toRows(ids, options.k), scores: toRows(scores, options.k) }));
          return;
        }
        const idRows = toRows(ids, options.k);
        const scoreRows = toRows(scores, options.k);
        idRows.forEach((row, q) => console.log(`query ${q}: ${row.map((id, j) => `${id}:${scoreRows[q][j] ?? '-inf'}`).join(' ')}`));
      } finally {
        await shutdownMipsWorkers();
      }
    });
  mips
    .command('serve')
    .description('Serve one shard (a contiguous range of global ids) over gRPC for ShardedMipsIndex / RemoteMipsShard; stops on SIGINT/SIGTERM')
    .option('--vectors <file>', 'shard rows, n×dim raw little-endian float32')
    .option('--dim <d>', 'row dimension (with --vectors)', positiveIntegerFlag('--dim'))
    .option('--index <file>', 'a saved index (saveIndex / the MIPS file format) instead of --vectors')
    .option('--first-id <n>', 'global id of the first row', nonNegativeIntegerFlag('--first-id'), 0)
    .option('--port <p>', 'TCP port (0 picks a free one; the chosen port is printed)', nonNegativeIntegerFlag('--port'), 0)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--threads <n>', 'worker threads (default: all cores)', positiveIntegerFlag('--threads'))
    .addOption(new Option('--storage <dtype>', 'row storage for --vectors').choices(STORAGE_DTYPES).default('float32'))
    .option('--max-k <k>', 'largest k a search may ask for (default 10000)', positiveIntegerFlag('--max-k'))
    .action(async (options: ServeOptions) => {
      const index = await shardIndex(options);
      const server = await MipsShardServer.start(index, {
        host: options.host, port: options.port, firstId: options.firstId, ...(options.maxK === undefined ? {} : { maxK: options.maxK }),
      });
      const ids = index.size === 0 ? 'no ids yet' : `ids ${options.firstId} … ${options.firstId + index.size - 1}`;
      console.log(`mips shard listening on ${server.address} (dim ${index.dim}, ${index.size} vectors, ${ids}, ${index.options.storage})`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await shutdownMipsWorkers();
      console.log('mips shard stopped');
    });
  mips
    .command('bench')
    .description('Queries/s of ExactMipsIndex vs FAISS IndexFlatIP (best of default and 1 OpenMP thread) on seeded random data')
    .requiredOption('--n <rows>', 'matrix rows', positiveIntegerFlag('--n'))
    .requiredOption('--dim <d>', 'row dimension', positiveIntegerFlag('--dim'))
    .requiredOption('--batch <b>', 'queries per search call', positiveIntegerFlag('--batch'))
    .requiredOption('--k <k>', 'results per query', positiveIntegerFlag('--k'))
    .option('--seed <n>', 'data seed', (raw) => Number(raw), 0)
    .option('--min-seconds <s>', 'minimum timed seconds per measurement', (raw) => Number(raw), 1)
    .option('--threads <n>', 'search threads for ours (default: all cores)', positiveIntegerFlag('--threads'))
    .addOption(new Option('--kernel <kernel>', 'our scan kernel: auto = native C++ when built, else WebAssembly').choices(KERNELS).default('auto'))
    .option('--json', 'end with one JSON line {"ours_qps","faiss_qps","ratio"}')
    .action(async (options: BenchOptions) => {
      const vectors = randomRows(options.seed, options.n, options.dim);
      const queries = randomRows(options.seed + 1, options.batch, options.dim);
      const index = new ExactMipsIndex(options.dim, exactOptions(options));
      const kernel = index.kernelName;
      index.add(vectors);
      let ours: number;
      try {
        ours = (await measureSearchThroughput(index, queries, options.k, options.minSeconds)).qps;
      } finally {
        await shutdownMipsWorkers();
      }
      index.reset();
      const faiss = faissQps(vectors, queries, options);
      const ratio = faiss === null ? null : ours / faiss;
      console.log(
        `mips bench: n=${options.n} dim=${options.dim} batch=${options.batch} k=${options.k}: ours (${kernel}) ${ours.toFixed(1)} q/s, ` +
          `faiss ${faiss === null ? 'n/a' : `${faiss.toFixed(1)} q/s`}, ratio ${ratio === null ? 'n/a' : ratio.toFixed(2)}`,
      );
      if (options.json) console.log(JSON.stringify({ ours_qps: ours, faiss_qps: faiss, ratio }));
    });
}
