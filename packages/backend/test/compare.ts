// Test helpers: run the same tfjs computation on the cpu backend (the reference) and on wasm with
// realm-ts's kernels, from identical inputs, and return both results as plain arrays.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { createRng } from '@realm/tokenizer';

export interface InputSpec {
  shape: number[];
  dtype?: 'float32' | 'int32';
  /** Values for int32 inputs; float32 inputs are uniform in [-1, 1) from the seed. */
  values?: number[];
}

/** Deterministic input arrays for `specs`. */
export function makeInputs(specs: InputSpec[], seed: number): Array<Float32Array | Int32Array> {
  const rng = createRng(seed);
  return specs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.values) return spec.dtype === 'int32' ? Int32Array.from(spec.values) : Float32Array.from(spec.values);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = rng.next() * 2 - 1;
    return values;
  });
}

/** Runs `compute` on `backend` with fresh tensors made from `arrays`; returns every output's values and shape. */
export async function runOn(backend: 'cpu' | 'wasm', specs: InputSpec[], arrays: Array<Float32Array | Int32Array>, compute: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Array<{ shape: number[]; values: number[] }>> {
  await tf.setBackend(backend);
  const inputs = specs.map((spec, i) => tf.tensor(arrays[i], spec.shape, spec.dtype ?? 'float32'));
  const output = tf.tidy(() => compute(...inputs));
  const outputs = Array.isArray(output) ? output : [output];
  const result = await Promise.all(outputs.map(async (t) => ({ shape: t.shape, values: Array.from(await t.data()) })));
  tf.dispose([...inputs, ...outputs]);
  return result;
}

/** Expects wasm outputs of `compute` and cpu outputs of `reference` (default: the same computation) to have equal shapes and values within `tolerance` (absolute + relative). */
export async function expectWasmMatchesCpu(specs: InputSpec[], compute: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], seed = 1, tolerance = 1e-4,
  reference: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[] = compute): Promise<void> {
  const arrays = makeInputs(specs, seed);
  const expected = await runOn('cpu', specs, arrays, reference);
  const actual = await runOn('wasm', specs, arrays, compute);
  expect(actual.length).toBe(expected.length);
  for (let o = 0; o < expected.length; o++) {
    expect(actual[o].shape).toEqual(expected[o].shape);
    let worst = 0;
    for (let i = 0; i < expected[o].values.length; i++) {
      const e = expected[o].values[i];
      worst = Math.max(worst, Math.abs(actual[o].values[i] - e) / (1 + Math.abs(e)));
    }
    expect(worst).toBeLessThan(tolerance);
  }
}

/** Tensors and backend buffers alive on wasm, to check a computation frees all it allocates. */
export function wasmAllocations(): { tensors: number; dataIds: number } {
  return { tensors: tf.memory().numTensors, dataIds: tf.engine().findBackend('wasm')!.numDataIds() };
}
