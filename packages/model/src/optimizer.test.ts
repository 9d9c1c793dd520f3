import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { AdamWeightDecayOptimizer, clipByGlobalNorm, GLOBAL_STEP_NAME } from './optimizer.js';
import { createLinearWarmupDecay } from './schedule.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const owned: Array<{ dispose(): void }> = [];
afterEach(() => {
  owned.splice(0).forEach((item) => item.dispose());
});

function variables(entries: Record<string, number[]>): Map<string, tf.Variable> {
  const map = new Map<string, tf.Variable>();
  for (const [name, values] of Object.entries(entries)) {
    const initial = tf.tensor1d(values);
    const variable = tf.variable(initial);
    initial.dispose();
    owned.push(variable);
    map.set(name, variable);
  }
  return map;
}

function grads(entries: Record<string, number[]>): Map<string, tf.Tensor> {
  const map = new Map<string, tf.Tensor>();
  for (const [name, values] of Object.entries(entries)) {
    const tensor = tf.tensor1d(values);
    owned.push(tensor);
    map.set(name, tensor);
  }
  return map;
}

/** One BERT AdamW step from zero slots, by hand: no bias correction. */
function handStep(param: number, grad: number, lr: number, decay: boolean): number {
  const m = 0.1 * grad;
  const v = 0.001 * grad * grad;
  const update = m / (Math.sqrt(v) + 1e-6) + (decay ? 0.01 * param : 0);
  return param - lr * update;
}

describe('AdamWeightDecayOptimizer', () => {
  test('one step matches the hand-computed BERT update (no bias correction) and increments the step', () => {
    const vars = variables({ 'bert/encoder/layer_0/output/dense/kernel': [1, -2], 'bert/encoder/layer_0/output/dense/bias': [0.5, 0.5] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: 0.1, clipNorm: null });
    owned.push(optimizer);
    const result = optimizer.applyGradients(grads({ 'bert/encoder/layer_0/output/dense/kernel': [0.5, -0.25], 'bert/encoder/layer_0/output/dense/bias': [0.2, 0] }));
    expect(result).toEqual({ step: 0, learningRate: 0.1, globalNorm: expect.closeTo(Math.sqrt(0.25 + 0.0625 + 0.04), 6) });
    expect(optimizer.step).toBe(1);
    const kernel = Array.from(vars.get('bert/encoder/layer_0/output/dense/kernel')!.dataSync());
    expect(kernel[0]).toBeCloseTo(handStep(1, 0.5, 0.1, true), 6);
    expect(kernel[1]).toBeCloseTo(handStep(-2, -0.25, 0.1, true), 6);
    // m/(√v+ε) = 0.1g / (√0.001·|g| + 1e-6) ≈ 3.1623·sign(g): bias-corrected Adam would step ≈ 1·lr.
    expect(kernel[0]).toBeCloseTo(1 - 0.1 * (0.05 / (Math.sqrt(0.00025) + 1e-6) + 0.01), 6);
    const bias = Array.from(vars.get('bert/encoder/layer_0/output/dense/bias')!.dataSync());
    expect(bias[0]).toBeCloseTo(handStep(0.5, 0.2, 0.1, false), 6);
    // A zero gradient moves nothing, and the bias gets no decay.
    expect(bias[1]).toBe(0.5);
  });

  test('biasCorrection divides m and v by 1 − β^t (hand-worked, two steps)', () => {
    const vars = variables({ 'bert/encoder/layer_0/output/dense/bias': [0.5] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: 0.1, clipNorm: null, biasCorrection: true });
    owned.push(optimizer);
    const g = 0.2;
    optimizer.applyGradients(grads({ 'bert/encoder/layer_0/output/dense/bias': [g] }));
    // t = 1: m = 0.1g, v = 0.001g² → m̂ = g, v̂ = g² → update g/(|g| + ε) ≈ 1 (no decay on a bias).
    const afterOne = 0.5 - 0.1 * (g / (g + 1e-6));
    expect(vars.get('bert/encoder/layer_0/output/dense/bias')!.dataSync()[0]).toBeCloseTo(afterOne, 6);
    optimizer.applyGradients(grads({ 'bert/encoder/layer_0/output/dense/bias': [-g] }));
    // t = 2: m = 0.9·0.1g − 0.1g = −0.01g, v = 0.999·0.001g² + 0.001g² = 0.001999g²;
    // m̂ = −0.01g/0.19, v̂ = 0.001999g²/0.001999 = g².
    const mHat = (-0.01 * g) / (1 - 0.9 ** 2);
    const vHat = (0.001999 * g * g) / (1 - 0.999 ** 2);
    expect(vars.get('bert/encoder/layer_0/output/dense/bias')!.dataSync()[0]).toBeCloseTo(afterOne - 0.1 * (mHat / (Math.sqrt(vHat) + 1e-6)), 6);
  });

  test('weight decay is excluded by regex search on LayerNorm, layer_norm and bias', () => {
    const vars = variables({ a: [0] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: 0.1 });
    owned.push(optimizer);
    expect(optimizer.usesWeightDecay('bert/encoder/layer_1/attention/output/LayerNorm/gamma')).toBe(false);
    // re.search: Keras's "layer_normalization" contains "layer_norm" (the ICT projection's LayerNorm).
    expect(optimizer.usesWeightDecay('embedder/layer_normalization/beta')).toBe(false);
    expect(optimizer.usesWeightDecay('module/layer_norm/gamma')).toBe(false);
    expect(optimizer.usesWeightDecay('cls/predictions/output_bias')).toBe(false);
    expect(optimizer.usesWeightDecay('bert/embeddings/word_embeddings')).toBe(true);
    // A variable with a zero gradient still decays when it is not excluded.
    const decayed = variables({ 'bert/pooler/dense/kernel': [2], 'bert/pooler/LayerNorm/gamma': [2] });
    const second = new AdamWeightDecayOptimizer(decayed, { learningRate: 0.5, clipNorm: null });
    owned.push(second);
    second.applyGradients(grads({ 'bert/pooler/dense/kernel': [0], 'bert/pooler/LayerNorm/gamma': [0] }));
    expect(decayed.get('bert/pooler/dense/kernel')!.dataSync()[0]).toBeCloseTo(2 - 0.5 * 0.01 * 2, 6);
    expect(decayed.get('bert/pooler/LayerNorm/gamma')!.dataSync()[0]).toBe(2);
  });

  test('variables without a gradient are skipped; unknown names and shapes are rejected', () => {
    const vars = variables({ 'w/kernel': [1], 'v/kernel': [1] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: 0.1 });
    owned.push(optimizer);
    optimizer.applyGradients(grads({ 'w/kernel': [1] }));
    expect(vars.get('v/kernel')!.dataSync()[0]).toBe(1);
    expect(() => optimizer.applyGradients(grads({ 'x/kernel': [1] }))).toThrow('AdamWeightDecayOptimizer: gradient for unknown variable "x/kernel"');
    expect(() => optimizer.applyGradients(grads({ 'w/kernel': [1, 2] }))).toThrow('AdamWeightDecayOptimizer: gradient for "w/kernel" has shape [2], variable has [1]');
  });

  test('per-prefix learning-rate multipliers: longest prefix wins', () => {
    const vars = variables({ 'embedder/bert/kernel': [1], 'embedder/projection/kernel': [1], 'bert/kernel': [1] });
    const optimizer = new AdamWeightDecayOptimizer(vars, {
      learningRate: 0.1,
      weightDecayRate: 0,
      clipNorm: null,
      learningRateMultipliers: [{ prefix: 'embedder/', multiplier: 0.1 }, { prefix: 'embedder/projection/', multiplier: 0.5 }],
    });
    owned.push(optimizer);
    expect(optimizer.learningRateMultiplier('bert/kernel')).toBe(1);
    optimizer.applyGradients(grads({ 'embedder/bert/kernel': [1], 'embedder/projection/kernel': [1], 'bert/kernel': [1] }));
    const step = 0.1 / (Math.sqrt(0.001) + 1e-6);
    expect(vars.get('bert/kernel')!.dataSync()[0]).toBeCloseTo(1 - 0.1 * step, 6);
    expect(vars.get('embedder/bert/kernel')!.dataSync()[0]).toBeCloseTo(1 - 0.01 * step, 6);
    expect(vars.get('embedder/projection/kernel')!.dataSync()[0]).toBeCloseTo(1 - 0.05 * step, 6);
  });

  test('the schedule is evaluated at the pre-increment global step (first warmup update is a no-op)', () => {
    const vars = variables({ w: [1] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: createLinearWarmupDecay({ learningRate: 0.1, numTrainSteps: 10, numWarmupSteps: 2 }) });
    owned.push(optimizer);
    expect(optimizer.applyGradients(grads({ w: [1] })).learningRate).toBe(0);
    expect(vars.get('w')!.dataSync()[0]).toBe(1);
    expect(optimizer.applyGradients(grads({ w: [1] })).learningRate).toBe(0.05);
    expect(optimizer.applyGradients(grads({ w: [1] })).learningRate).toBeCloseTo(0.08, 12);
  });

  test('a few hundred steps minimise a quadratic', () => {
    const target = tf.tensor1d([3, -1, 0.5]);
    owned.push(target);
    const vars = variables({ 'quad/kernel': [0, 0, 0] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: createLinearWarmupDecay({ learningRate: 0.05, numTrainSteps: 400, numWarmupSteps: 20 }), weightDecayRate: 0 });
    owned.push(optimizer);
    const w = vars.get('quad/kernel')!;
    const lossOf = (x: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.sub(x, target)));
    const before = tf.memory().numTensors;
    for (let step = 0; step < 400; step++) {
      const gradient = tf.tidy(() => tf.grad(lossOf)(w));
      optimizer.applyGradients(new Map([['quad/kernel', gradient]]));
      gradient.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    Array.from(w.dataSync()).forEach((value, i) => expect(value).toBeCloseTo([3, -1, 0.5][i], 2));
  });

  test('state round trip: named BERT slots and global_step restore the exact trajectory', () => {
    const start = { 'a/kernel': [1, 2], 'a/bias': [0.5, -0.5] };
    const g = () => grads({ 'a/kernel': [0.3, -0.1], 'a/bias': [0.2, 0.4] });
    const first = variables(start);
    const optimizer = new AdamWeightDecayOptimizer(first, { learningRate: 0.01 });
    owned.push(optimizer);
    optimizer.applyGradients(g());
    optimizer.applyGradients(g());
    const state = optimizer.exportState();
    owned.push(...state.values());
    expect([...state.keys()].sort()).toEqual(['a/bias/adam_m', 'a/bias/adam_v', 'a/kernel/adam_m', 'a/kernel/adam_v', GLOBAL_STEP_NAME].sort());
    expect(state.get(GLOBAL_STEP_NAME)!.dataSync()[0]).toBe(2);
    // m after two steps from 0: (1 − 0.9²)·g (gradients are under the clip norm).
    expect(state.get('a/kernel/adam_m')!.dataSync()[0]).toBeCloseTo(0.19 * 0.3, 6);

    const second = variables({ 'a/kernel': Array.from(first.get('a/kernel')!.dataSync()), 'a/bias': Array.from(first.get('a/bias')!.dataSync()) });
    const restored = new AdamWeightDecayOptimizer(second, { learningRate: 0.01 });
    owned.push(restored);
    restored.importState(state);
    expect(restored.step).toBe(2);
    optimizer.applyGradients(g());
    restored.applyGradients(g());
    expect(Array.from(second.get('a/kernel')!.dataSync())).toEqual(Array.from(first.get('a/kernel')!.dataSync()));
    expect(Array.from(second.get('a/bias')!.dataSync())).toEqual(Array.from(first.get('a/bias')!.dataSync()));

    const partial = new Map(state);
    partial.delete('a/bias/adam_v');
    expect(() => restored.importState(partial)).toThrow('AdamWeightDecayOptimizer.importState: missing "a/bias/adam_v"');
    const extra = new Map(state);
    extra.set('b/adam_m', state.get('a/bias/adam_m')!);
    expect(() => restored.importState(extra)).toThrow('AdamWeightDecayOptimizer.importState: unexpected tensor "b/adam_m"');
  });

  test('applyGradients, exportState and dispose leave no tensors behind', () => {
    const before = tf.memory().numTensors;
    const vars = variables({ w: [1, 2, 3] });
    const gradient = tf.tensor1d([1, 1, 1]);
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: 0.1 });
    optimizer.applyGradients(new Map([['w', gradient]]));
    tf.dispose([...optimizer.exportState().values()]);
    optimizer.dispose();
    gradient.dispose();
    owned.splice(0).forEach((item) => item.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('clipByGlobalNorm', () => {
  test('scales every tensor by clipNorm / globalNorm when the norm is larger', () => {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[0, 4]]);
    owned.push(a, b);
    const before = tf.memory().numTensors;
    const { clipped, globalNorm } = clipByGlobalNorm([a, b], 1);
    expect(globalNorm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(Array.from(clipped[0].dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(clipped[1].arraySync()).toEqual([[0, expect.closeTo(0.8, 6)]]);
    tf.dispose([...clipped, globalNorm]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('leaves gradients under the norm unchanged and poisons a non-finite norm with NaN', () => {
    const small = tf.tensor1d([0.3, 0.4]);
    const infinite = tf.tensor1d([Infinity, 1]);
    owned.push(small, infinite);
    const kept = clipByGlobalNorm([small], 1);
    expect(Array.from(kept.clipped[0].dataSync())).toEqual([expect.closeTo(0.3, 6), expect.closeTo(0.4, 6)]);
    const poisoned = clipByGlobalNorm([small, infinite], 1);
    expect(Array.from(poisoned.clipped[0].dataSync()).every(Number.isNaN)).toBe(true);
    tf.dispose([kept.clipped, kept.globalNorm, poisoned.clipped, poisoned.globalNorm]);
  });

  test('the optimizer clips before the update (a huge gradient moves m by 0.1·clipped)', () => {
    const vars = variables({ w: [0, 0] });
    const optimizer = new AdamWeightDecayOptimizer(vars, { learningRate: 0.1 });
    owned.push(optimizer);
    const result = optimizer.applyGradients(grads({ w: [30, 40] }));
    expect(result.globalNorm).toBeCloseTo(50, 4);
    const state = optimizer.exportState();
    expect(Array.from(state.get('w/adam_m')!.dataSync())).toEqual([expect.closeTo(0.06, 6), expect.closeTo(0.08, 6)]);
    tf.dispose([...state.values()]);
  });
});
