// BatchMatMul benchmark on tfjs-backend-wasm with @realm/backend's kernels: GFLOP/s of tf.matMul
// through the native GEMM (packages/backend/native) vs through XNNPACK (the same kernel with the
// native path switched off), in one process, for the matmuls of a REALM training step with
// 2-layer width-128 encoders (2560 = 32 sequences × 80 tokens; 2 heads of 64). The two paths
// alternate in short bursts and each cell is the median burst, so a neighbour's load hits both
// alike. Also checks that the two paths agree. Prints a markdown table; writes bench-results/gemm.json.
// Run: npx tsx --conditions=@realm/source tools/bench/gemm/bench.ts [--rounds 3] [--burst-seconds 0.25] [--out FILE]
import * as tf from '@tensorflow/tfjs-core';
import { nativeGemmAvailable, nativeGemmStatus, selectBackend, setNativeGemmEnabled } from '@realm/backend';
import { loadavg } from 'node:os';
import { burstArgs, machineInfo, median, timeBurst, writeBenchReport } from '../alternating-bursts.js';

const { rounds: ROUNDS, burstSeconds: BURST_SECONDS, outFile: OUT_FILE } = burstArgs(0.25, 'gemm.json');

interface Shape {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Forward and backward matmuls of the encoders' dense layers and attention (tfjs's matMul gradients: dA = dC·Bᵀ, dB = Aᵀ·dC). */
const SHAPES: Shape[] = [
  { name: 'dense fwd', a: [2560, 128], b: [128, 128], transposeA: false, transposeB: false },
  { name: 'FFN up fwd', a: [2560, 128], b: [128, 256], transposeA: false, transposeB: false },
  { name: 'FFN down fwd', a: [2560, 256], b: [256, 128], transposeA: false, transposeB: false },
  { name: 'dense dX (Bᵀ)', a: [2560, 128], b: [128, 128], transposeA: false, transposeB: true },
  { name: 'FFN up dX (Bᵀ)', a: [2560, 256], b: [128, 256], transposeA: false, transposeB: true },
  { name: 'dense dW (Aᵀ)', a: [2560, 128], b: [2560, 128], transposeA: true, transposeB: false },
  { name: 'FFN up dW (Aᵀ)', a: [2560, 128], b: [2560, 256], transposeA: true, transposeB: false },
  { name: 'attn QKᵀ', a: [64, 80, 64], b: [64, 80, 64], transposeA: false, transposeB: true },
  { name: 'attn PV', a: [64, 80, 80], b: [64, 80, 64], transposeA: false, transposeB: false },
  { name: 'attn dP (Bᵀ)', a: [64, 80, 64], b: [64, 80, 64], transposeA: false, transposeB: true },
  { name: 'attn dV (Aᵀ)', a: [64, 80, 80], b: [64, 80, 64], transposeA: true, transposeB: false },
];

type Path = 'xnnpack' | 'native';

function flopsOf(shape: Shape): number {
  const M = shape.transposeA ? shape.a.at(-1)! : shape.a.at(-2)!;
  const K = shape.transposeA ? shape.a.at(-2)! : shape.a.at(-1)!;
  const N = shape.transposeB ? shape.b.at(-2)! : shape.b.at(-1)!;
  const batch = shape.a.slice(0, -2).reduce((x, y) => x * y, 1);
  return 2 * batch * M * N * K;
}

/** Matmuls per second over one burst of about BURST_SECONDS (after one untimed call). */
function burst(path: Path, a: tf.Tensor, b: tf.Tensor, shape: Shape): number {
  setNativeGemmEnabled(path === 'native');
  const { calls, elapsedMs } = timeBurst(() => tf.matMul(a, b, shape.transposeA, shape.transposeB).dispose(), BURST_SECONDS);
  return calls / (elapsedMs / 1000);
}

async function maxAbsDifference(a: tf.Tensor, b: tf.Tensor, shape: Shape): Promise<number> {
  setNativeGemmEnabled(true);
  const native = tf.matMul(a, b, shape.transposeA, shape.transposeB);
  setNativeGemmEnabled(false);
  const xnnpack = tf.matMul(a, b, shape.transposeA, shape.transposeB);
  const [x, y] = [await native.data(), await xnnpack.data()];
  tf.dispose([native, xnnpack]);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

interface Row {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  gflop: number;
  xnnpackGflops: number;
  nativeGflops: number | null;
  ratio: number | null;
  maxAbsDifference: number | null;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loadavg();
  await selectBackend({ preferred: 'wasm', log: (line) => console.error(line) });
  const native = nativeGemmAvailable();
  console.error(`BatchMatMul paths: XNNPACK vs ${native ? nativeGemmStatus() : `(none: ${nativeGemmStatus()})`}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const paths: Path[] = native ? ['xnnpack', 'native'] : ['xnnpack'];
  const rows: Row[] = [];
  for (const [index, shape] of SHAPES.entries()) {
    const a = tf.randomUniform(shape.a, -1, 1, 'float32', 2 * index + 1);
    const b = tf.randomUniform(shape.b, -1, 1, 'float32', 2 * index + 2);
    const rates: Record<Path, number[]> = { xnnpack: [], native: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which path goes first so drift in the neighbour's load does not favour one.
      for (const path of round % 2 ? [...paths].reverse() : paths) rates[path].push(burst(path, a, b, shape));
    }
    const difference = native ? await maxAbsDifference(a, b, shape) : null;
    tf.dispose([a, b]);
    const flops = flopsOf(shape);
    const xnnpackGflops = (median(rates.xnnpack) * flops) / 1e9;
    const nativeGflops = native ? (median(rates.native) * flops) / 1e9 : null;
    rows.push({
      name: shape.name, a: shape.a, b: shape.b, transposeA: shape.transposeA, transposeB: shape.transposeB, gflop: flops / 1e9,
      xnnpackGflops, nativeGflops, ratio: nativeGflops === null ? null : nativeGflops / xnnpackGflops, maxAbsDifference: difference,
    });
  }
  setNativeGemmEnabled(undefined);

  const shapeText = (row: Row): string => `[${row.a}]${row.transposeA ? 'ᵀ' : ''} × [${row.b}]${row.transposeB ? 'ᵀ' : ''}`;
  const lines = [
    '| matmul | shapes | GFLOP | XNNPACK GFLOP/s | native GFLOP/s | native ÷ XNNPACK |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.name} | ${shapeText(row)} | ${row.gflop.toFixed(3)} | ${row.xnnpackGflops.toFixed(1)} | ${row.nativeGflops?.toFixed(1) ?? '–'} | ${row.ratio === null ? '–' : `${row.ratio.toFixed(2)}×`} |`),
  ];
  const totalFlops = rows.reduce((sum, row) => sum + row.gflop, 0);
  // One call of each shape, as a step would make them: total GFLOP over total time.
  const aggregate = (pick: (row: Row) => number | null): number | null => {
    let seconds = 0;
    for (const row of rows) {
      const rate = pick(row);
      if (rate === null) return null;
      seconds += row.gflop / rate;
    }
    return totalFlops / seconds;
  };
  const allXnnpack = aggregate((row) => row.xnnpackGflops);
  const allNative = aggregate((row) => row.nativeGflops);
  lines.push(`| **all, one call each** | | ${totalFlops.toFixed(3)} | ${allXnnpack?.toFixed(1)} | ${allNative?.toFixed(1) ?? '–'} | ${allNative === null || allXnnpack === null ? '–' : `${(allNative / allXnnpack).toFixed(2)}×`} |`);
  console.log(lines.join('\n'));

  const report = {
    tool: 'tools/bench/gemm/bench.ts',
    date: new Date().toISOString(),
    machine: machineInfo(loadBefore),
    nativeGemm: nativeGemmStatus(),
    method: { rounds: ROUNDS, burstSeconds: BURST_SECONDS, statistic: 'median burst rate; paths alternate within a round' },
    rows,
    aggregate: { gflop: totalFlops, xnnpackGflops: allXnnpack, nativeGflops: allNative },
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  writeBenchReport(OUT_FILE, report);
}

await main();
