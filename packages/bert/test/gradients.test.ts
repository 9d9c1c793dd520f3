// Gradients of the tiny model: central finite differences against tf.variableGrads, and Adam on a
// toy masked-LM task whose answer is a deterministic function of the neighbouring tokens.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers gradient functions only on request (the union package @tensorflow/tfjs does it).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { BertConfigSchema, bertMaskedLm, createBertModel, disposeBertModel, maskedLmLoss, trainableVariables, type BertModel } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// initializer_range 0.2 (10× BERT's) so attention is far from uniform and every gradient is well
// above float32 noise for finite differences.
const config = BertConfigSchema.parse({ vocab_size: 20, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 16, initializer_range: 0.2 });

describe('gradients', () => {
  test('analytic gradients match central finite differences (and a wrong gradient would not)', async () => {
    const model = createBertModel(config, { rng: createRng(11) });
    const ids = tf.tensor2d([[1, 5, 9, 4, 7, 2], [3, 8, 8, 6, 0, 0]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], undefined, 'int32');
    const positions = tf.tensor2d([[2, 4], [1, 3]], undefined, 'int32');
    const labels = tf.tensor2d([[9, 7], [8, 6]], undefined, 'int32');
    const weights = tf.ones([2, 2]) as tf.Tensor2D;
    const loss = (): tf.Scalar => tf.tidy(() => maskedLmLoss(bertMaskedLm(model, { inputIds: ids, inputMask: mask }, positions), labels, weights));
    const { grads } = tf.variableGrads(loss, trainableVariables(model));
    const checks: Array<[string, number]> = [
      ['bert/embeddings/word_embeddings', 9 * 32 + 3],
      ['bert/encoder/layer_0/attention/self/query/kernel', 38],
      ['bert/encoder/layer_1/intermediate/dense/kernel', 100],
      ['bert/encoder/layer_0/output/LayerNorm/gamma', 5],
      ['cls/predictions/output_bias', 6],
    ];
    const eps = 1e-2;
    for (const [name, index] of checks) {
      const variable = model.variables.get(name)!;
      const analytic = (await grads[variable.name].data())[index];
      const original = (await variable.data()) as Float32Array;
      const at = (delta: number): number => {
        const shifted = original.slice();
        shifted[index] += delta;
        variable.assign(tf.tensor(shifted, variable.shape));
        const value = loss();
        const result = value.dataSync()[0];
        value.dispose();
        return result;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      variable.assign(tf.tensor(original, variable.shape));
      // The check is meaningful only where the gradient is clearly non-zero.
      expect(Math.abs(numeric), name).toBeGreaterThan(1e-3);
      const relative = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric));
      expect(relative, `${name}[${index}]: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-2);
      // A gradient off by 10% would fail the same tolerance.
      expect(Math.abs(1.1 * analytic - numeric) / Math.abs(numeric)).toBeGreaterThan(2e-2);
    }
    tf.dispose([ids, mask, positions, labels, weights, ...Object.values(grads)]);
    disposeBertModel(model);
  });
});

describe('training', () => {
  test('Adam drives a toy masked-LM loss down by a large factor', () => {
    // Sequences of tokens 2…11; the masked token (replaced by id 1 = [MASK]) is a fixed permutation
    // of the first token, so the model must attend to position 0 and map what it finds there.
    const rng = createRng(2024);
    const B = 16;
    const T = 8;
    const batch = (): { ids: tf.Tensor2D; positions: tf.Tensor2D; labels: tf.Tensor2D } => {
      const ids: number[] = [];
      const positions: number[] = [];
      const labels: number[] = [];
      for (let b = 0; b < B; b++) {
        const row = Array.from({ length: T }, () => 2 + Math.floor(rng.next() * 10));
        const p = 1 + Math.floor(rng.next() * (T - 2));
        row[p] = 2 + ((3 * (row[0] - 2) + 1) % 10);
        labels.push(row[p]);
        positions.push(p);
        row[p] = 1;
        ids.push(...row);
      }
      return { ids: tf.tensor2d(ids, [B, T], 'int32'), positions: tf.tensor2d(positions, [B, 1], 'int32'), labels: tf.tensor2d(labels, [B, 1], 'int32') };
    };
    const toyConfig = BertConfigSchema.parse({ ...config, vocab_size: 12, num_hidden_layers: 1, initializer_range: 0.02, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 });
    const model: BertModel = createBertModel(toyConfig, { rng: createRng(1), heads: { pooler: false } });
    const optimizer = tf.train.adam(3e-3);
    const weights = tf.ones([B, 1]) as tf.Tensor2D;
    const losses: number[] = [];
    const before = tf.memory().numTensors;
    for (let step = 0; step < 200; step++) {
      const { ids, positions, labels } = batch();
      const cost = optimizer.minimize(() => maskedLmLoss(bertMaskedLm(model, { inputIds: ids }, positions, { training: true, rng }), labels, weights), true, trainableVariables(model));
      losses.push(cost!.dataSync()[0]);
      tf.dispose([cost!, ids, positions, labels]);
      if (step === 0) expect(tf.memory().numTensors).toBeGreaterThan(before); // Adam slots
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-20));
    console.log(`toy MLM: loss ${first.toFixed(3)} → ${last.toFixed(4)} after 200 Adam steps`);
    expect(first).toBeGreaterThan(2); // ≈ ln 12 at the start
    expect(last).toBeLessThan(first / 10);
    optimizer.dispose();
    weights.dispose();
    disposeBertModel(model);
  });
});
