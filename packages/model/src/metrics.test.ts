import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { computeRealmLoss } from './losses.js';
import { logSoftmax } from '../test/plain-math.js';
import {
  computeRealmMetrics,
  marginalPredictions,
  maskedAccuracy,
  MeanMetric,
  nullDocumentPredictions,
  offPolicyDelayMins,
  retrievalUtility,
} from './metrics.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


// B = 1, K = 2 (0 = null), M = 3, V = 3; retrieval puts 0.8 on the retrieved document. Masks 0 and 1:
// the null reader is wrong, the retrieved one sure of the target. Mask 2 (padding in MASK): the null
// reader prefers 1, the retrieved one 0, yet the marginal's argmax is 2.
const SCORES = [[0, Math.log(4)]];
const LOGITS = [
  [
    [[2, 0, 1], [2, 1, 0], [0, 3, 2.9]],
    [[0, 0, 5], [0, 5, 0], [3, 0, 2.9]],
  ],
];
const TARGETS = [[2, 1, 2]];
const MASK = [[1, 1, 0]];

describe('REALM metrics', () => {
  test('retrieval_utility is the masked mean of marginal minus null-document log-likelihood', () => {
    const scores = tf.tensor2d(SCORES);
    const logits = tf.tensor4d(LOGITS);
    const targets = tf.tensor2d(TARGETS, undefined, 'int32');
    const mask = tf.tensor2d(MASK, undefined, 'int32');
    const loss = computeRealmLoss({ retrievalScores: scores, mlmLogits: logits, mlmTargets: targets, mlmMask: mask });
    const utility = retrievalUtility(loss.marginalGoldLogProbs, loss.goldLogProbs, mask);
    const pz = [0.2, 0.8];
    const perMask = [0, 1].map((j) => {
      const gold = [0, 1].map((k) => logSoftmax(LOGITS[0][k][j])[TARGETS[0][j]]);
      return Math.log(pz[0] * Math.exp(gold[0]) + pz[1] * Math.exp(gold[1])) - gold[0];
    });
    expect(utility.dataSync()[0]).toBeCloseTo((perMask[0] + perMask[1]) / 2, 5);
    expect(utility.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([scores, logits, targets, mask, loss, utility]);
  });

  test('accuracy with retrieval takes the argmax of the marginal predictive distribution', () => {
    const scores = tf.tensor2d(SCORES);
    const logits = tf.tensor4d(LOGITS);
    const logProbs = tf.logSoftmax(scores);
    const predictions = marginalPredictions(logProbs as tf.Tensor2D, logits);
    // Mask 2: p(·|∅) ≈ [.03, .51, .46], p(·|z) ≈ [.51, .03, .46] → marginal ≈ [.41, .13, .46].
    const expected = [0, 1, 2].map((j) => {
      const marginal = [0, 1, 2].map((v) => 0.2 * Math.exp(logSoftmax(LOGITS[0][0][j])[v]) + 0.8 * Math.exp(logSoftmax(LOGITS[0][1][j])[v]));
      return marginal.indexOf(Math.max(...marginal));
    });
    expect(predictions.arraySync()).toEqual([expected]);
    expect(expected).toEqual([2, 1, 2]);
    const nullPredictions = nullDocumentPredictions(logits);
    expect(nullPredictions.arraySync()).toEqual([[0, 0, 1]]);
    tf.dispose([scores, logits, logProbs, predictions, nullPredictions]);
  });

  test('computeRealmMetrics: accuracies over real masks only, without leaks', () => {
    const scores = tf.tensor2d(SCORES);
    const logits = tf.tensor4d(LOGITS);
    const targets = tf.tensor2d(TARGETS, undefined, 'int32');
    const mask = tf.tensor2d(MASK, undefined, 'int32');
    const loss = computeRealmLoss({ retrievalScores: scores, mlmLogits: logits, mlmTargets: targets, mlmMask: mask });
    const before = tf.memory().numTensors;
    const metrics = computeRealmMetrics(loss, logits, targets, mask);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(metrics.accuracyWithRetrieval.dataSync()[0]).toBe(1);
    expect(metrics.accuracyNullDocument.dataSync()[0]).toBe(0);
    tf.dispose(metrics);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([scores, logits, targets, mask, loss]);
  });

  test('maskedAccuracy counts only weighted positions and is 0 without any', () => {
    const predictions = tf.tensor2d([[1, 2, 3], [4, 5, 6]], undefined, 'int32');
    const targets = tf.tensor2d([[1, 0, 3], [4, 5, 0]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 0], [1, 0, 0]], undefined, 'int32');
    const none = tf.zeros([2, 3], 'int32') as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const accuracy = maskedAccuracy(predictions, targets, mask);
    const empty = maskedAccuracy(predictions, targets, none);
    expect(accuracy.dataSync()[0]).toBeCloseTo(2 / 3, 6);
    expect(empty.dataSync()[0]).toBe(0);
    tf.dispose([accuracy, empty]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([predictions, targets, mask, none]);
  });

  test('off_policy_delay_mins is 0 for the initial index and minutes since export otherwise', () => {
    expect(Array.from(offPolicyDelayMins([0, 1_000_000, 999_880], 1_000_000))).toEqual([0, 0, 2]);
  });

  test('MeanMetric averages every value since reset, like tf.metrics.mean', () => {
    const metric = new MeanMetric('retrieval_utility');
    expect(metric.result()).toBe(0);
    metric.update(1);
    metric.update([2, 6]);
    expect(metric.result()).toBe(3);
    metric.update(11, 3);
    expect(metric.result()).toBe((1 + 2 + 6 + 33) / 6);
    metric.reset();
    expect(metric.result()).toBe(0);
  });
});
