// GatherV2 benchmark on tfjs-backend-wasm: ms per tf.gather through the stock kernel vs
// @realm/backend's wrapper (registerRealmWasmKernels / unregisterRealmWasmKernels), in one process,
// for the embedding lookups of a REALM training step (vocab 1356 and the 2-row token-type table,
// width 128, 2144 ids), plus a width-1 gather that takes the wrapper's element loop. The two
// kernels alternate in short bursts and each cell is the median burst, so a neighbour's load hits
// both alike. Also checks that both give the same bits. Prints a markdown table; writes
// bench-results/gather.json.
// Run: npx tsx --conditions=@realm/source tools/bench/gather/bench.ts [--rounds 3] [--burst-seconds 0.2] [--out FILE]
import * as tf from '@tensorflow/tfjs-core';
import { registerRealmWasmKernels, selectBackend, unregisterRealmWasmKernels } from '@realm/backend';
import { loadavg } from 'node:os';
import { burstArgs, machineInfo, median, timeBurst, writeBenchReport } from '../alternating-bursts.js';

const { rounds: ROUNDS, burstSeconds: BURST_SECONDS, outFile: OUT_FILE } = burstArgs(0.2, 'gather.json');

interface Case {
  name: string;
  table: number[];
  ids: number;
  axis: number;
}

const CASES: Case[] = [
  { name: 'word embeddings', table: [1356, 128], ids: 2144, axis: 0 },
  { name: 'token-type embeddings', table: [2, 128], ids: 2144, axis: 0 },
  { name: 'scalars (width 1)', table: [1356], ids: 2144, axis: 0 },
];

type Kernel = 'stock' | 'realm';

function use(kernel: Kernel): void {
  if (kernel === 'realm') registerRealmWasmKernels();
  else unregisterRealmWasmKernels();
}

/** Milliseconds per gather over one burst of about BURST_SECONDS (after one untimed call). */
function burst(kernel: Kernel, table: tf.Tensor, ids: tf.Tensor, axis: number): number {
  use(kernel);
  const { calls, elapsedMs } = timeBurst(() => tf.gather(table, ids, axis).dispose(), BURST_SECONDS);
  return elapsedMs / calls;
}

/** True when both kernels give the same shape and the same 32-bit words. */
async function sameBits(table: tf.Tensor, ids: tf.Tensor, axis: number): Promise<boolean> {
  const words: Int32Array[] = [];
  const shapes: string[] = [];
  for (const kernel of ['stock', 'realm'] as const) {
    use(kernel);
    const out = tf.gather(table, ids, axis);
    const data = (await out.data()) as Float32Array;
    words.push(new Int32Array(data.buffer, data.byteOffset, data.length));
    shapes.push(out.shape.join(','));
    out.dispose();
  }
  return shapes[0] === shapes[1] && words[0].length === words[1].length && words[0].every((w, i) => w === words[1][i]);
}

interface Row {
  name: string;
  table: number[];
  ids: number;
  axis: number;
  outputFloats: number;
  stockMs: number;
  realmMs: number;
  speedup: number;
  sameBits: boolean;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loadavg();
  await selectBackend({ preferred: 'wasm', log: (line) => console.error(line) });
  console.error(`GatherV2: stock tfjs-backend-wasm vs @realm/backend; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const kernels: Kernel[] = ['stock', 'realm'];
  const rows: Row[] = [];
  for (const [index, c] of CASES.entries()) {
    const table = tf.randomUniform(c.table, -1, 1, 'float32', index + 1);
    const vocab = c.table[c.axis];
    const ids = tf.tensor1d(Int32Array.from({ length: c.ids }, (_, i) => (i * 7919 + index) % vocab), 'int32');
    const times: Record<Kernel, number[]> = { stock: [], realm: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which kernel goes first so drift in the neighbour's load does not favour one.
      for (const kernel of round % 2 ? [...kernels].reverse() : kernels) times[kernel].push(burst(kernel, table, ids, c.axis));
    }
    const same = await sameBits(table, ids, c.axis);
    const outputFloats = (table.size / vocab) * c.ids;
    tf.dispose([table, ids]);
    const stockMs = median(times.stock);
    const realmMs = median(times.realm);
    rows.push({ name: c.name, table: c.table, ids: c.ids, axis: c.axis, outputFloats, stockMs, realmMs, speedup: stockMs / realmMs, sameBits: same });
  }
  registerRealmWasmKernels();

  const lines = [
    '| gather | table × ids | output floats | stock ms | realm ms | stock ÷ realm | same bits |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.name} | [${row.table}] × [${row.ids}] | ${row.outputFloats} | ${row.stockMs.toFixed(3)} | ${row.realmMs.toFixed(3)} | ${row.speedup.toFixed(0)}× | ${row.sameBits ? 'yes' : '**no**'} |`),
  ];
  console.log(lines.join('\n'));

  const report = {
    tool: 'tools/bench/gather/bench.ts',
    date: new Date().toISOString(),
    machine: machineInfo(loadBefore),
    method: { rounds: ROUNDS, burstSeconds: BURST_SECONDS, statistic: 'median burst ms per call; kernels alternate within a round' },
    rows,
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  writeBenchReport(OUT_FILE, report);
  if (rows.some((row) => !row.sameBits)) process.exitCode = 1;
}

await main();
