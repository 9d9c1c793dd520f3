import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { BERT_PRESETS } from './config.js';
import { attentionMaskBias } from './attention.js';
import { bertMaskedLm, embedProjected, gatherPositions, maskedLmLogits, maskedLmLoss, projectPooled } from './heads.js';
import { bertForward } from './model.js';
import { bertVariableSpecs, createBertModel, disposeBertModel, getVariable, type BertModel } from './variables.js';

// bert/modeling_test.py's distinct sizes: batch 13, seq 7, hidden 32, heads 4, ffn 37, vocab 99.
const B = 13;
const T = 7;
const config = BERT_PRESETS.test;
let model: BertModel;

function randomInts(seed: number, shape: [number, number], max: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Array.from({ length: shape[0] * shape[1] }, () => Math.floor(rng.next() * max)), shape, 'int32');
}

const inputIds = (): tf.Tensor2D => randomInts(1, [B, T], config.vocab_size);
const tokenTypeIds = (): tf.Tensor2D => randomInts(2, [B, T], config.type_vocab_size);
/** Row b keeps the first 1 + (b mod T) positions. */
const inputMask = (): tf.Tensor2D => tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i % T <= Math.floor(i / T) % T ? 1 : 0)), [B, T], 'int32');

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createBertModel(config, { rng: createRng(42), heads: { projection: {} } });
});
afterAll(() => disposeBertModel(model));

/** Asserts `run` leaves no tensor behind once the tensors it returns are disposed. */
function expectNoLeak(run: () => tf.TensorContainer): void {
  const inputs = { ids: inputIds(), mask: inputMask(), types: tokenTypeIds() };
  const before = tf.memory().numTensors;
  const result = run.call(inputs);
  tf.dispose(result);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(Object.values(inputs));
}

describe('variables', () => {
  test('initialization follows modeling.py and is reproducible from the seed', async () => {
    const specs = bertVariableSpecs(config, model.heads);
    expect(specs.length).toBe(5 + 16 * 2 + 2 + 5 + 4);
    expect([...model.variables.keys()]).toEqual(specs.map((s) => s.name));
    const word = (await getVariable(model, 'bert/embeddings/word_embeddings').data()) as Float32Array;
    // truncated normal, stddev 0.02: inside ±2σ, sample stddev close to 0.02·0.88 (truncation)
    expect(Math.max(...word.map(Math.abs))).toBeLessThanOrEqual(0.04);
    const std = Math.sqrt(word.reduce((s, v) => s + v * v, 0) / word.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.0195);
    expect(Array.from(await getVariable(model, 'bert/encoder/layer_1/output/LayerNorm/gamma').data())).toEqual(new Array(32).fill(1));
    const again = createBertModel(config, { rng: createRng(42), heads: { projection: {} } });
    expect(await getVariable(again, 'bert/encoder/layer_1/attention/self/key/kernel').data()).toEqual(await getVariable(model, 'bert/encoder/layer_1/attention/self/key/kernel').data());
    disposeBertModel(again);
  });
});

describe('bertForward', () => {
  test('output shapes; padding positions do not influence the others', async () => {
    const ids = inputIds();
    const mask = inputMask();
    const out = bertForward(model, { inputIds: ids, inputMask: mask, tokenTypeIds: tokenTypeIds() });
    expect(out.sequenceOutput.shape).toEqual([B, T, 32]);
    expect(out.pooledOutput!.shape).toEqual([B, 32]);
    // Change every padded id: attended positions must not move (the −10000 bias makes them ~0 weight).
    const maskValues = mask.dataSync();
    const changed = tf.tensor2d(Array.from(ids.dataSync(), (id, i) => (maskValues[i] ? id : (id + 17) % config.vocab_size)), [B, T], 'int32');
    const again = bertForward(model, { inputIds: changed, inputMask: mask, tokenTypeIds: tokenTypeIds() });
    const a = await out.sequenceOutput.data();
    const b = await again.sequenceOutput.data();
    let kept = 0;
    let moved = 0;
    for (let i = 0; i < a.length; i++) {
      const position = Math.floor(i / 32);
      if (maskValues[position]) kept = Math.max(kept, Math.abs(a[i] - b[i]));
      else moved = Math.max(moved, Math.abs(a[i] - b[i]));
    }
    expect(kept).toBeLessThan(1e-6);
    expect(moved).toBeGreaterThan(1e-2);
    expect(await out.pooledOutput!.data()).toEqual(await again.pooledOutput!.data());
    tf.dispose([out.sequenceOutput, out.pooledOutput!, again.sequenceOutput, again.pooledOutput!, ids, mask, changed]);
  });

  test('dropout: off at inference, seeded in training, an error without an rng', async () => {
    const ids = inputIds();
    const run = (options: Parameters<typeof bertForward>[2]): Float32Array => {
      const out = bertForward(model, { inputIds: ids }, options);
      const values = out.sequenceOutput.dataSync() as Float32Array;
      tf.dispose([out.sequenceOutput, out.pooledOutput!]);
      return values;
    };
    expect(run({})).toEqual(run({ training: false, rng: createRng(1) }));
    expect(run({ training: true, rng: createRng(5) })).toEqual(run({ training: true, rng: createRng(5) }));
    expect(run({ training: true, rng: createRng(5) })).not.toEqual(run({ training: true, rng: createRng(6) }));
    expect(run({ training: true, rng: createRng(5) })).not.toEqual(run({}));
    expect(() => bertForward(model, { inputIds: ids }, { training: true })).toThrow('training: true needs an rng for dropout');
    ids.dispose();
  });

  test('bad inputs fail with clear messages', () => {
    const ids = inputIds();
    expect(() => bertForward(model, { inputIds: tf.zeros([2, 65], 'int32') as tf.Tensor2D })).toThrow('sequence length 65 exceeds max_position_embeddings 64');
    expect(() => bertForward(model, { inputIds: ids, inputMask: tf.ones([B, T + 1], 'int32') as tf.Tensor2D })).toThrow(`inputMask shape [13, 8] differs from inputIds shape [13, 7]`);
    expect(() => bertForward(model, { inputIds: tf.zeros([B, T]) as tf.Tensor2D })).toThrow('inputIds must be int32, got float32');
    ids.dispose();
  });
});

describe('heads', () => {
  test('MLM logits at gathered positions equal the full-sequence head at those positions', async () => {
    const positions = tf.tensor2d(Array.from({ length: B * 3 }, (_, i) => (i * 5) % T), [B, 3], 'int32');
    const out = bertForward(model, { inputIds: inputIds() });
    const logits = maskedLmLogits(model, out.sequenceOutput, positions);
    expect(logits.shape).toEqual([B, 3, config.vocab_size]);
    // Independent route: run the head on every position, then pick rows in JS.
    const allPositions = tf.tensor2d(Array.from({ length: B * T }, (_, i) => i % T), [B, T], 'int32');
    const full = (await maskedLmLogits(model, out.sequenceOutput, allPositions).array()) as number[][][];
    const picked = positions.arraySync().map((row, b) => row.map((t) => full[b][t]));
    const got = (await logits.array()) as number[][][];
    expect(got.flat(2).map((v, i) => Math.abs(v - picked.flat(2)[i])).reduce((a, b) => Math.max(a, b))).toBeLessThan(1e-5);
    tf.dispose([out.sequenceOutput, out.pooledOutput!, logits, positions, allPositions]);
  });

  test('maskedLmLoss is the weighted mean cross-entropy (hand-sized logits)', () => {
    const logits = tf.tensor3d([[[0, Math.log(3)], [2, 2]]]);
    const loss = maskedLmLoss(logits, tf.tensor2d([[1, 0]], undefined, 'int32'), tf.tensor2d([[1, 0]]));
    // p(label 1 | [0, ln 3]) = 3/4; the second prediction has weight 0.
    expect(loss.dataSync()[0]).toBeCloseTo(-Math.log(0.75) / (1 + 1e-5), 6);
  });

  test('projection = LayerNorm(eps 1e-3)(pooled · W + b), computed by hand', async () => {
    const pooled = tf.tensor2d([[0.5, -1, 2, ...new Array(29).fill(0.1)]]);
    const projected = (await projectPooled(model, pooled).data()) as Float32Array;
    const W = (await getVariable(model, 'projection/dense/kernel').array()) as number[][];
    const p = pooled.arraySync()[0];
    const z = W[0].map((_, j) => p.reduce((s, x, i) => s + x * W[i][j], 0));
    const mean = z.reduce((a, b) => a + b) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    const expected = z.map((v) => (v - mean) / Math.sqrt(variance + 1e-3));
    expect(projected.length).toBe(128);
    expect(Math.max(...Array.from(projected, (v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-5);
    pooled.dispose();
  });
});

describe('no public function leaks tensors', () => {
  test.each([
    ['bertForward', function (this: { ids: tf.Tensor2D; mask: tf.Tensor2D; types: tf.Tensor2D }) { const o = bertForward(model, { inputIds: this.ids, inputMask: this.mask, tokenTypeIds: this.types }); return [o.sequenceOutput, o.pooledOutput!]; }],
    ['bertForward (training)', function (this: { ids: tf.Tensor2D }) { const o = bertForward(model, { inputIds: this.ids }, { training: true, rng: createRng(1) }); return [o.sequenceOutput, o.pooledOutput!]; }],
    ['bertMaskedLm', function (this: { ids: tf.Tensor2D }) { const positions = tf.tidy(() => tf.mod(tf.slice(this.ids, [0, 0], [B, 2]), tf.scalar(T, 'int32'))); return [positions, bertMaskedLm(model, { inputIds: this.ids }, positions as tf.Tensor2D)]; }],
    ['embedProjected', function (this: { ids: tf.Tensor2D; mask: tf.Tensor2D }) { return embedProjected(model, { inputIds: this.ids, inputMask: this.mask }, { training: true, rng: createRng(3) }); }],
  ] as Array<[string, () => tf.TensorContainer]>)('%s', (_name, run) => {
    // Slices made inside `run` for arguments are disposed with its result below.
    expectNoLeak(run);
  });

  test('maskedLmLogits, gatherPositions, projectPooled, maskedLmLoss, attentionMaskBias', () => {
    const out = bertForward(model, { inputIds: inputIds() });
    const positions = tf.zeros([B, 2], 'int32') as tf.Tensor2D;
    const mask = inputMask();
    const before = tf.memory().numTensors;
    const logits = maskedLmLogits(model, out.sequenceOutput, positions);
    const loss = maskedLmLoss(logits, positions, tf.onesLike(positions) as tf.Tensor2D);
    const gathered = tf.tidy(() => gatherPositions(out.sequenceOutput, positions));
    const projected = projectPooled(model, out.pooledOutput!);
    const bias = attentionMaskBias(mask);
    expect(bias.shape).toEqual([B, 1, T]);
    expect(bias.arraySync()[0][0].map((v) => v + 0)).toEqual([0, -10000, -10000, -10000, -10000, -10000, -10000]);
    tf.dispose([logits, loss, gathered, projected, bias]);
    // onesLike above is the one tensor we created outside the functions under test.
    expect(tf.memory().numTensors).toBe(before + 1);
  });
});
