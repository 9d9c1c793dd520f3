// What the alternating-burst kernel benchmarks (tools/bench/gemm, tools/bench/gather) share: their
// flags, the timed burst, the median, the machine description and the JSON report. Two paths of
// one kernel alternate in short bursts and each cell is the median burst, so a neighbour's load
// hits both alike.
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/** `--rounds` (default 3), `--burst-seconds` and `--out` (default bench-results/<jsonName>). */
export function burstArgs(defaultBurstSeconds: number, jsonName: string): { rounds: number; burstSeconds: number; outFile: string } {
  const outAt = process.argv.indexOf('--out');
  return {
    rounds: numberArg('rounds', 3),
    burstSeconds: numberArg('burst-seconds', defaultBurstSeconds),
    outFile: outAt > 0 ? resolve(process.argv[outAt + 1]) : join(ROOT, 'bench-results', jsonName),
  };
}

/** Calls `run` once untimed, then repeatedly for at least `seconds`; returns the calls and the ms they took. */
export function timeBurst(run: () => void, seconds: number): { calls: number; elapsedMs: number } {
  run();
  let calls = 0;
  const start = performance.now();
  let elapsedMs = 0;
  do {
    run();
    calls++;
    elapsedMs = performance.now() - start;
  } while (elapsedMs < seconds * 1000);
  return { calls, elapsedMs };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The machine fields of a report; `loadAverageBefore` taken at the start of the run. */
export function machineInfo(loadAverageBefore: number[]) {
  return { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, tfjs: tf.version_core, loadAverageBefore, loadAverageAfter: loadavg() };
}

/** Writes the report as JSON to `outFile` and says so on stderr with the wall time and load after. */
export function writeBenchReport(outFile: string, report: { wallSeconds: number; machine: { loadAverageAfter: number[] } }): void {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`wall ${report.wallSeconds} s; load average after ${report.machine.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')}; JSON in ${outFile}`);
}
