import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (the union package does); tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  computeRealmLoss,
  divNoNan,
  logSumExpLastAxis,
  marginalGoldLogProbs,
  marginalLogLoss,
  readerGoldLogProbs,
  retrievalLogProbs,
  spanMarginalLogProbs,
} from './losses.js';
import { logSoftmax, logSumExp } from '../test/plain-math.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


// B = 2 queries, K = 2 candidates (0 = null document), M = 3 masks, V = 4 wordpieces.
const SCORES = [
  [0.5, 1.5],
  [2.0, -1.0],
];
const LOGITS: number[][][][] = [
  [
    [[1, 0, -1, 0.5], [0, 2, 0, 0], [0.3, 0.1, 0.2, 0.9]],
    [[0, 0, 3, 0], [1, 1, 1, 1], [-2, 0, 0, 4]],
  ],
  [
    [[0.1, 0.2, 0.3, 0.4], [5, 0, 0, 0], [0, 0, 0, 0]],
    [[2, 1, 0, -1], [0, 0, 0, 6], [1, 2, 3, 4]],
  ],
];
const TARGETS = [
  [2, 1, 3],
  [3, 0, 0],
];
// The second query has one real mask; its padding slots must not count.
const MASK = [
  [1, 1, 1],
  [1, 0, 0],
];

interface Reference {
  candidateLogProbs: number[][];
  gold: number[][][];
  marginal: number[][];
  perTokenLoss: number;
  perSpanLoss: number;
}

function reference(): Reference {
  const candidateLogProbs = SCORES.map(logSoftmax);
  const gold = LOGITS.map((perCandidate, b) => perCandidate.map((perMask) => perMask.map((logits, j) => logSoftmax(logits)[TARGETS[b][j]])));
  const marginal = gold.map((perCandidate, b) => TARGETS[b].map((_, j) => logSumExp(perCandidate.map((g, k) => candidateLogProbs[b][k] + g[j]))));
  let total = 0;
  let count = 0;
  marginal.forEach((row, b) => row.forEach((value, j) => {
    total += value * MASK[b][j];
    count += MASK[b][j];
  }));
  const spans = gold.map((perCandidate, b) =>
    logSumExp(perCandidate.map((g, k) => candidateLogProbs[b][k] + g.reduce((sum, value, j) => sum + value * MASK[b][j], 0))),
  );
  return { candidateLogProbs, gold, marginal, perTokenLoss: -total / count, perSpanLoss: -(spans[0] + spans[1]) / count };
}

const inputs = () => ({
  retrievalScores: tf.tensor2d(SCORES),
  mlmLogits: tf.tensor4d(LOGITS),
  mlmTargets: tf.tensor2d(TARGETS, undefined, 'int32'),
  mlmMask: tf.tensor2d(MASK, undefined, 'int32'),
});

const expectClose = (actual: number[] | number[][] | number[][][], expected: number[] | number[][] | number[][][]): void => {
  const a = (actual as number[]).flat(3) as number[];
  const e = (expected as number[]).flat(3) as number[];
  expect(a.length).toBe(e.length);
  a.forEach((value, i) => expect(value).toBeCloseTo(e[i], 5));
};

describe('REALM marginal likelihood', () => {
  test('each intermediate matches a plain-JS logsumexp computation', () => {
    const ref = reference();
    const x = inputs();
    const candidateLogProbs = retrievalLogProbs(x.retrievalScores);
    const gold = readerGoldLogProbs(x.mlmLogits, x.mlmTargets);
    const marginal = marginalGoldLogProbs(candidateLogProbs, gold);
    expect(gold.shape).toEqual([2, 2, 3]);
    expect(marginal.shape).toEqual([2, 3]);
    expectClose(candidateLogProbs.arraySync(), ref.candidateLogProbs);
    expectClose(gold.arraySync(), ref.gold);
    expectClose(marginal.arraySync(), ref.marginal);
    // One value by hand: query 0, mask 0, null document: logits [1,0,−1,0.5] at target 2.
    expect(gold.arraySync()[0][0][0]).toBeCloseTo(-1 - Math.log(Math.E + 1 + Math.exp(-1) + Math.exp(0.5)), 6);
    tf.dispose([candidateLogProbs, gold, marginal, x]);
  });

  test('per-token loss is −Σ mask·marginal / Σ mask, padding ignored', () => {
    const ref = reference();
    const x = inputs();
    const out = computeRealmLoss(x);
    expect(out.loss.shape).toEqual([]);
    expect(out.loss.dataSync()[0]).toBeCloseTo(ref.perTokenLoss, 5);
    expectClose(out.marginalGoldLogProbs.arraySync(), ref.marginal);
    tf.dispose([out, x]);
  });

  test('per-span loss puts the product over masks inside the sum over documents', () => {
    const ref = reference();
    const x = inputs();
    const out = computeRealmLoss(x, 'per_span');
    expect(out.loss.dataSync()[0]).toBeCloseTo(ref.perSpanLoss, 5);
    // Multi-wordpiece span: the two forms differ.
    expect(Math.abs(ref.perSpanLoss - ref.perTokenLoss)).toBeGreaterThan(1e-3);
    tf.dispose([out, x]);
  });

  test('the two forms agree when every span is one wordpiece', () => {
    const x = inputs();
    const oneMask = tf.tensor2d([[1, 0, 0], [1, 0, 0]], undefined, 'int32');
    const perToken = computeRealmLoss({ ...x, mlmMask: oneMask });
    const perSpan = computeRealmLoss({ ...x, mlmMask: oneMask }, 'per_span');
    expect(perSpan.loss.dataSync()[0]).toBeCloseTo(perToken.loss.dataSync()[0], 6);
    tf.dispose([perToken, perSpan, oneMask, x]);
  });

  test('a query without masks has span log-likelihood 0 and an all-padding batch has loss 0', () => {
    const x = inputs();
    const none = tf.zeros([2, 3], 'int32') as tf.Tensor2D;
    const candidateLogProbs = retrievalLogProbs(x.retrievalScores);
    const gold = readerGoldLogProbs(x.mlmLogits, x.mlmTargets);
    const spans = spanMarginalLogProbs(candidateLogProbs, gold, none);
    expectClose(spans.arraySync(), [0, 0]);
    const out = computeRealmLoss({ ...x, mlmMask: none });
    expect(out.loss.dataSync()[0]).toBeCloseTo(0, 12);
    tf.dispose([x, none, candidateLogProbs, gold, spans, out]);
  });

  test('gradient w.r.t. the retrieval scores is −[p(y|z,x)/p(y|x) − 1]·p(z|x) / #masks (paper App. A)', () => {
    // One query, one real mask: d(−log p̃)/d f_z = −r(z) with r(z) = [p(y|z)/p(y) − 1] p(z).
    const x = inputs();
    const mask = tf.tensor2d([[0, 1, 0], [0, 0, 0]], undefined, 'int32');
    const grad = tf.grad((scores: tf.Tensor) =>
      computeRealmLoss({ ...x, retrievalScores: scores as tf.Tensor2D, mlmMask: mask }).loss,
    )(x.retrievalScores);
    const ref = reference();
    const pz = ref.candidateLogProbs[0].map(Math.exp);
    const pyz = ref.gold[0].map((g) => Math.exp(g[1]));
    const py = pz[0] * pyz[0] + pz[1] * pyz[1];
    const expected = [0, 1].map((k) => -(pyz[k] / py - 1) * pz[k]);
    expectClose(grad.arraySync() as number[][], [expected, [0, 0]]);
    tf.dispose([x, mask, grad]);
  });

  test('rejects targets that do not match the logits', () => {
    const x = inputs();
    const bad = tf.zeros([2, 4], 'int32') as tf.Tensor2D;
    expect(() => readerGoldLogProbs(x.mlmLogits, bad)).toThrow('readerGoldLogProbs: mlmTargets has shape [2,4], expected [2, 3] to match mlmLogits [2,2,3,4]');
    tf.dispose([x, bad]);
  });

  test('no function leaks tensors', () => {
    const x = inputs();
    const one = tf.scalar(1);
    const zero = tf.scalar(0);
    const isCorrect = tf.tensor2d([[1, 0], [0, 0]]);
    const before = tf.memory().numTensors;
    const lp = retrievalLogProbs(x.retrievalScores);
    const gold = readerGoldLogProbs(x.mlmLogits, x.mlmTargets);
    const outputs = [
      lp,
      gold,
      marginalGoldLogProbs(lp, gold),
      spanMarginalLogProbs(lp, gold, x.mlmMask),
      divNoNan(one, zero),
      marginalLogLoss(x.retrievalScores, isCorrect),
    ];
    const perToken = computeRealmLoss(x);
    const perSpan = computeRealmLoss(x, 'per_span');
    expect(tf.memory().numTensors).toBe(before + outputs.length + 8);
    tf.dispose([outputs, perToken, perSpan]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, one, zero, isCorrect]);
  });
});

describe('logSumExpLastAxis', () => {
  test('value and gradient dy·softmax(x) by hand, and both equal tf.logSumExp\'s; nothing leaks', () => {
    const rows = [[1, 0, -1, 0.5], [100, 100, 90, -3]];
    const upstream = [0.5, -2];
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(rows);
    const dy = tf.tensor1d(upstream);
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(logSumExpLastAxis(t), dy)))(x);
    const stock = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.logSumExp(t, -1), dy)))(x);
    const value = logSumExpLastAxis(x);
    const values = value.arraySync() as number[];
    const gradients = ours.arraySync() as number[][];
    rows.forEach((row, r) => {
      expect(values[r]).toBeCloseTo(logSumExp(row), 4);
      row.forEach((v, i) => expect(gradients[r][i]).toBeCloseTo(upstream[r] * Math.exp(v - logSumExp(row)), 6));
    });
    expect(Math.abs(gradients[1][3])).toBeLessThan(1e-40); // exp(−103 − 100.0000454) underflows
    const stockGradients = stock.arraySync() as number[][];
    gradients.forEach((row, r) => row.forEach((g, i) => expect(g).toBeCloseTo(stockGradients[r][i], 6)));
    tf.dispose([x, dy, ours, stock, value]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ORQA marginalLogLoss', () => {
  test('is −log of the probability mass on the correct entries, per row', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0.5, -0.5, 0],
    ]);
    const correct = tf.tensor2d([[true, false, true], [false, true, false]], undefined, 'bool');
    const loss = marginalLogLoss(logits, correct);
    const row0 = logSumExp([1, 2, 3]) - logSumExp([1, 3]);
    const row1 = logSumExp([0.5, -0.5, 0]) - -0.5;
    expectClose(loss.arraySync() as number[], [row0, row1]);
    tf.dispose([logits, correct, loss]);
  });

  test('is zero when nothing is correct (compute_loss gate) and matches the −10000 mask otherwise', () => {
    const logits = tf.tensor1d([3, 1, 2]);
    const none = tf.tensor1d([0, 0, 0]);
    const loss = marginalLogLoss(logits, none);
    expect(loss.dataSync()[0]).toBe(0);
    const all = tf.tensor1d([1, 1, 1]);
    const zero = marginalLogLoss(logits, all);
    expect(zero.dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([logits, none, loss, all, zero]);
  });

  test('rejects a mask of another shape', () => {
    const logits = tf.tensor1d([3, 1, 2]);
    const mask = tf.tensor1d([1, 0]);
    expect(() => marginalLogLoss(logits, mask)).toThrow("marginalLogLoss: isCorrect has shape [2], expected logits' shape [3]");
    tf.dispose([logits, mask]);
  });
});
