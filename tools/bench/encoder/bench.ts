// Encoder throughput benchmark: @realm/bert forward and MLM training-step tokens/s on tfjs wasm
// (stock kernels vs @realm/backend's), tfjs cpu, and the same model in PyTorch (torch_encoder.py),
// in one run. Writes bench-results/encoder.json and prints a markdown table.
// Run: npx tsx --conditions=@realm/source tools/bench/encoder/bench.ts [--quick]
import * as tf from '@tensorflow/tfjs-core';
import { REALM_WASM_KERNELS, selectBackend, unregisterRealmWasmKernels } from '@realm/backend';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkload, profileKernels, timeSteps, type EncoderConfig, type KernelTime, type Throughput } from './workload.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const PYTHON = '/usr/bin/python3';

/** 4 layers, H 256, 4 heads, FFN 1024 (BERT "mini"), seq 128; batch 8 keeps PyTorch's share of the run short. */
const SMALL: EncoderConfig = { name: 'mini L4-H256 seq128', vocab: 30522, hidden: 256, layers: 4, heads: 4, ffn: 1024, seq: 128, batch: 8, masked: 20, train: true };
/** BERT-base at REALM's retriever/reader length 288, forward only. */
const BASE: EncoderConfig = { name: 'base L12-H768 seq288', vocab: 30522, hidden: 768, layers: 12, heads: 12, ffn: 3072, seq: 288, batch: 1, masked: 43, train: false };

type Variant = 'wasm-realm' | 'wasm-stock' | 'cpu' | 'torch';

interface Measurement {
  config: string;
  variant: Variant;
  batch: number;
  forward?: Throughput;
  train?: Throughput;
  note?: string;
  profile?: { wallMs: number; totalMs: number; kernels: KernelTime[] };
}

/** Activates a tfjs variant. wasm-stock keeps only our UnsortedSegmentSum: stock wasm has none, so gather has no gradient. */
async function useVariant(variant: Exclude<Variant, 'torch'>): Promise<void> {
  if (variant === 'cpu') {
    await selectBackend({ preferred: 'cpu', log: false });
    return;
  }
  await selectBackend({ preferred: 'wasm', log: false });
  if (variant === 'wasm-stock') {
    unregisterRealmWasmKernels();
    const segmentSum = REALM_WASM_KERNELS.find((k) => k.kernelName === 'UnsortedSegmentSum');
    if (segmentSum && !tf.getKernel('UnsortedSegmentSum', 'wasm')) tf.registerKernel(segmentSum);
  }
}

interface Plan {
  forward: { warmUp: boolean; minSeconds: number; maxSteps: number } | null;
  /** 'profiled': one training step inside tf.profile, its wall time is the throughput. */
  train: 'timed' | 'profiled' | null;
  note?: string;
}

async function measureTfjs(config: EncoderConfig, variant: Exclude<Variant, 'torch'>, plan: Plan): Promise<Measurement> {
  await useVariant(variant);
  const before = tf.memory().numTensors;
  const workload = createWorkload(config);
  const tokens = config.batch * config.seq;
  const result: Measurement = { config: config.name, variant, batch: config.batch, note: plan.note };
  if (plan.forward) result.forward = await timeSteps(() => workload.forward(), tokens, plan.forward.minSeconds, plan.forward.maxSteps, plan.forward.warmUp);
  if (plan.train === 'timed') {
    result.train = await timeSteps(() => workload.trainStep(), tokens, 3, 3);
    result.profile = await profileKernels(() => workload.trainStep());
  } else if (plan.train === 'profiled') {
    result.profile = await profileKernels(() => workload.trainStep());
    result.train = { steps: 1, seconds: result.profile.wallMs / 1000, tokensPerSecond: tokens / (result.profile.wallMs / 1000) };
  }
  workload.dispose();
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${variant} ${config.name}: ${leaked} tensors leaked`);
  console.error(`  ${variant} ${config.name}: forward ${result.forward?.tokensPerSecond.toFixed(0) ?? '-'} tok/s, train ${result.train?.tokensPerSecond.toFixed(0) ?? '-'} tok/s`);
  return result;
}

function measureTorch(config: EncoderConfig, warmUp: boolean): Measurement {
  const args = [join(HERE, 'torch_encoder.py'), '--config', JSON.stringify(config), '--threads', '2', '--min-seconds', '0', '--max-steps', '1'];
  const run = spawnSync(PYTHON, warmUp ? args : [...args, '--no-warm-up'], { encoding: 'utf8' });
  const base: Measurement = { config: config.name, variant: 'torch', batch: config.batch };
  if (run.status !== 0) return { ...base, note: `torch failed: ${(run.error?.message ?? run.stderr).trim().split('\n').slice(-1)[0]}` };
  const parsed = JSON.parse(run.stdout) as { torch: string; forward: Throughput; train?: Throughput };
  console.error(`  torch ${config.name}: forward ${parsed.forward.tokensPerSecond.toFixed(0)} tok/s, train ${parsed.train?.tokensPerSecond.toFixed(0) ?? '-'} tok/s`);
  return { ...base, forward: parsed.forward, train: parsed.train, note: `PyTorch ${parsed.torch}, 2 threads` };
}

function cell(value: number | undefined): string {
  return value === undefined ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function ratio(ours: number | undefined, torch: number | undefined): string {
  return ours === undefined || torch === undefined ? '–' : `${(ours / torch).toFixed(2)}×`;
}

function markdown(results: Measurement[]): string {
  const lines = ['| config | variant | batch | forward tok/s | train tok/s | forward vs torch | train vs torch |', '|---|---|---|---|---|---|---|'];
  for (const m of results) {
    const torch = results.find((r) => r.config === m.config && r.variant === 'torch');
    lines.push(`| ${m.config} | ${m.variant} | ${m.batch} | ${cell(m.forward?.tokensPerSecond)} | ${cell(m.train?.tokensPerSecond)} | ${ratio(m.forward?.tokensPerSecond, torch?.forward?.tokensPerSecond)} | ${ratio(m.train?.tokensPerSecond, torch?.train?.tokensPerSecond)} |`);
  }
  for (const m of results.filter((r) => r.profile)) {
    lines.push('', `Top kernels, one training step, ${m.variant} (${m.config}): wall ${m.profile!.wallMs} ms, kernels ${m.profile!.totalMs} ms`, '', '| kernel | ms | calls | share |', '|---|---|---|---|');
    for (const k of m.profile!.kernels) lines.push(`| ${k.kernel} | ${k.ms} | ${k.calls} | ${(k.share * 100).toFixed(1)}% |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const results: Measurement[] = [];
  console.error(`encoder bench (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  results.push(await measureTfjs(SMALL, 'wasm-realm', { forward: { warmUp: true, minSeconds: 2, maxSteps: 5 }, train: 'timed' }));
  results.push(await measureTfjs(SMALL, 'wasm-stock', {
    forward: { warmUp: true, minSeconds: 2, maxSteps: 3 }, train: 'profiled',
    note: 'stock tfjs-backend-wasm kernels plus our UnsortedSegmentSum (stock wasm has none: gather has no gradient); train = one profiled step',
  }));
  results.push(await measureTfjs({ ...SMALL, batch: 2 }, 'cpu', {
    forward: { warmUp: false, minSeconds: 0, maxSteps: 1 }, train: null,
    note: "batch 2 to keep the run short; no training: tfjs-backend-cpu's UnsortedSegmentSum loops once per segment (30522 vocabulary rows), minutes per step",
  }));
  results.push(measureTorch(SMALL, true));
  if (!quick) {
    results.push(await measureTfjs(BASE, 'wasm-realm', { forward: { warmUp: true, minSeconds: 0, maxSteps: 2 }, train: null }));
    results.push(await measureTfjs(BASE, 'wasm-stock', { forward: { warmUp: false, minSeconds: 0, maxSteps: 1 }, train: null }));
    results.push(measureTorch(BASE, false));
  }
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, tfjs: tf.version_core, loadAverage: loadavg() },
    configs: [SMALL, BASE],
    results,
    wallSeconds: Math.round((performance.now() - started) / 1000),
  };
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'encoder.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(markdown(results));
  console.log(`\nwall ${report.wallSeconds} s; JSON in bench-results/encoder.json`);
}

await main();
process.exit(0);
