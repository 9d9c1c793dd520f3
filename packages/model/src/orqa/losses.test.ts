import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { logSumExp } from '../../test/plain-math.js';
import { correctSpanVector, orqaLoss, spanCandidateIndex } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Plain-JS ORQA loss of one question: marginal over correct entries, 0 when none is correct. */
function referenceMarginal(logits: number[], correct: number[]): number {
  const picked = logits.filter((_, i) => correct[i]);
  return picked.length === 0 ? 0 : logSumExp(logits) - logSumExp(picked);
}

function losses(retrieval: number[][], retrievalCorrect: number[][], reader: number[][][], readerCorrect: number[][][]): { loss: number; retrievalLoss: number; readerLoss: number; perRetrieval: number[]; perReader: number[] } {
  const inputs = {
    retrievalLogits: tf.tensor2d(retrieval),
    retrievalCorrect: tf.tensor2d(retrievalCorrect),
    readerLogits: tf.tensor3d(reader),
    readerCorrect: tf.tensor3d(readerCorrect),
  };
  const before = tf.memory().numTensors;
  const out = orqaLoss(inputs);
  expect(tf.memory().numTensors).toBe(before + 5);
  const result = {
    loss: out.loss.dataSync()[0],
    retrievalLoss: out.retrievalLoss.dataSync()[0],
    readerLoss: out.readerLoss.dataSync()[0],
    perRetrieval: Array.from(out.perQuestionRetrievalLoss.dataSync()),
    perReader: Array.from(out.perQuestionReaderLoss.dataSync()),
  };
  tf.dispose([...Object.values(out), ...Object.values(inputs)]);
  return result;
}

describe('orqaLoss', () => {
  test('hand-worked early-update loss: r = [1, 2, 3], blocks 2 and 3 correct → log(1 + 1/(e + e²)) = 0.0943443', () => {
    const out = losses([[1, 2, 3]], [[0, 1, 1]], [[[0, 5]]], [[[0, 0]]]);
    expect(out.retrievalLoss).toBeCloseTo(0.0943443, 5);
    expect(out.perRetrieval[0]).toBeCloseTo(Math.log(1 + 1 / (Math.E + Math.E ** 2)), 5);
    // No correct span: the reader term is exactly 0, not ≈ 10000.
    expect(out.readerLoss).toBe(0);
    expect(out.loss).toBeCloseTo(0.0943443, 5);
  });

  test('the reader marginal normalises jointly across the read blocks', () => {
    // Two blocks × two spans: logits [[0, ln 2], [ln 3, ln 4]]; the correct spans are (0,1) and (1,0):
    // −log((2 + 3) / (1 + 2 + 3 + 4)) = log 2.
    const out = losses([[0, 0]], [[0, 0]], [[[0, Math.log(2)], [Math.log(3), Math.log(4)]]], [[[0, 1], [1, 0]]]);
    expect(out.readerLoss).toBeCloseTo(Math.log(2), 5);
    expect(out.retrievalLoss).toBe(0);
  });

  test('batches of questions: per-question losses as a plain-JS reference, averaged; zero cases contribute 0', () => {
    const rng = createRng(11);
    const B = 3;
    const c = 6;
    const k = 2;
    const C = 5;
    const r = (): number => rng.next() * 6 - 3;
    const retrieval = Array.from({ length: B }, () => Array.from({ length: c }, r));
    const reader = Array.from({ length: B }, () => Array.from({ length: k }, () => Array.from({ length: C }, r)));
    // Question 0: both correct; question 1: no correct block; question 2: no correct span.
    const retrievalCorrect = [[0, 1, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]];
    const readerCorrect = [
      [[0, 0, 1, 0, 0], [1, 0, 0, 0, 1]],
      [[0, 1, 0, 0, 0], [0, 0, 0, 0, 0]],
      [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
    ];
    const out = losses(retrieval, retrievalCorrect, reader, readerCorrect);
    const expectedRetrieval = retrieval.map((row, b) => referenceMarginal(row, retrievalCorrect[b]));
    const expectedReader = reader.map((blocks, b) => referenceMarginal(blocks.flat(), readerCorrect[b].flat()));
    expect(expectedRetrieval[1]).toBe(0);
    expect(expectedReader[2]).toBe(0);
    out.perRetrieval.forEach((v, b) => expect(v).toBeCloseTo(expectedRetrieval[b], 4));
    out.perReader.forEach((v, b) => expect(v).toBeCloseTo(expectedReader[b], 4));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(out.retrievalLoss).toBeCloseTo(mean(expectedRetrieval), 4);
    expect(out.readerLoss).toBeCloseTo(mean(expectedReader), 4);
    expect(out.loss).toBeCloseTo(mean(expectedRetrieval) + mean(expectedReader), 4);
  });

  test('no gradient flows from a question with nothing correct', () => {
    const retrieval = tf.tensor2d([[1, 2, 3]]);
    const reader = tf.tensor3d([[[0.5, -1]]]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      orqaLoss({ retrievalLogits: a as tf.Tensor2D, retrievalCorrect: tf.zeros([1, 3]), readerLogits: b as tf.Tensor3D, readerCorrect: tf.zeros([1, 1, 2]) }).loss,
    )([retrieval, reader]);
    expect(Array.from(grads[0].dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(grads[1].dataSync())).toEqual([0, 0]);
    tf.dispose([...grads, retrieval, reader]);
  });

  test('shape mismatches are named', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const b = tf.zeros([2, 4, 5]) as tf.Tensor3D;
    expect(() => orqaLoss({ retrievalLogits: a, retrievalCorrect: a, readerLogits: b, readerCorrect: b })).toThrow('orqaLoss: 4 read blocks but only 3 retrieved');
    tf.dispose([a, b]);
  });
});

describe('correctSpanVector (compute_correct_candidates)', () => {
  test('marks gold spans at their candidate index; too-wide and out-of-range spans are ignored', () => {
    const T = 8;
    const W = 3;
    const C = 8 + 7 + 6;
    const vector = correctSpanVector([[2, 2], [3, 5], [1, 4], [7, 8]], T, W, C);
    const marked = Array.from(vector.keys()).filter((i) => vector[i] === 1);
    expect(marked).toEqual([spanCandidateIndex(2, 2, T, W), spanCandidateIndex(3, 5, T, W)]);
    expect(marked).toEqual([2, 8 + 7 + 3]);
  });
});
