// Shared helpers for @realm/bert tests: backend selection, fixture models, reference dumps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { repoRoot } from '@realm/testing';
import type { BertConfig, BertModel } from '../src/index.js';

/** Switches tfjs to `backend`; returns false when it cannot be initialized here. */
export async function useBackend(backend: 'cpu' | 'wasm'): Promise<boolean> {
  try {
    return (await tf.setBackend(backend)) && tf.getBackend() === backend;
  } catch {
    return false;
  }
}

/** The numpy reference runner, or a reason it cannot run. */
export function pythonWithNumpy(): { ok: boolean; reason: string } {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `${python} is not available (${probe.error.message}); the numpy reference test is skipped` };
  if (probe.status !== 0) return { ok: false, reason: `${python} cannot import numpy; install python3-numpy to run the reference test` };
  return { ok: true, reason: '' };
}

/** Inputs for one reference comparison. */
export interface ReferenceInputs {
  inputIds: number[][];
  inputMask: number[][];
  tokenTypeIds: number[][];
}

/** Runs tools/reference/bert_forward.py on the model's current variable values. */
export async function numpyForward(model: BertModel, inputs: ReferenceInputs): Promise<{ sequence_output: number[][][]; pooled_output: number[][] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bert-ref-'));
  try {
    const tensors: Record<string, { shape: number[]; file: string }> = {};
    let i = 0;
    for (const [name, variable] of model.variables) {
      const file = `${i++}.f32`;
      const values = (await variable.data()) as Float32Array;
      writeFileSync(join(dir, file), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      tensors[name] = { shape: variable.shape, file };
    }
    const manifest = { config: model.config, tensors, input_ids: inputs.inputIds, input_mask: inputs.inputMask, token_type_ids: inputs.tokenTypeIds };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const script = join(repoRoot(), 'tools', 'reference', 'bert_forward.py');
    const run = spawnSync('/usr/bin/python3', [script, dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`bert_forward.py failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |a − b| over two equally shaped nested arrays. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
    return a.reduce((m: number, x, i) => Math.max(m, maxAbsDiff(x, b[i])), 0);
  }
  return Math.abs((a as number) - (b as number));
}

/** A copy of `model` with new values from `transform(name, values)`; the copy shares nothing. */
export async function transformModel(model: BertModel, transform: (name: string, values: Float32Array) => Float32Array, config: BertConfig = model.config): Promise<BertModel> {
  const variables = new Map<string, tf.Variable>();
  for (const [name, variable] of model.variables) {
    const values = transform(name, Float32Array.from((await variable.data()) as Float32Array));
    variables.set(name, tf.variable(tf.tensor(values, variable.shape), true));
  }
  return { config, heads: model.heads, variables };
}
