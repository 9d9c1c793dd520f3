import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { BERT_PRESETS, bertForward, createBertModel, disposeBertModel } from '@realm/bert';
import { createRng } from '@realm/tokenizer';
import {
  createSpanHead,
  disposeSpanHead,
  numSpanCandidates,
  SPAN_HEAD_NAMES,
  spanCandidateIndex,
  spanCandidates,
  spanHeadFromTensors,
  spanLogits,
  spanReaderScores,
  type SpanHead,
} from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A span head with given weights (H → 2S → LayerNorm → 1). */
function fixedHead(H: number, S: number, values: { projection: number[][]; projectionBias?: number[]; gamma?: number[]; beta?: number[]; output: number[]; outputBias: number }): SpanHead {
  return spanHeadFromTensors(
    { inputSize: H, hiddenSize: S, layerNormEpsilon: 1e-3 },
    new Map<string, tf.Tensor>([
      [SPAN_HEAD_NAMES.projectionKernel, tf.tensor2d(values.projection)],
      [SPAN_HEAD_NAMES.projectionBias, tf.tensor1d(values.projectionBias ?? new Array(2 * S).fill(0))],
      [SPAN_HEAD_NAMES.layerNormGamma, tf.tensor1d(values.gamma ?? new Array(S).fill(1))],
      [SPAN_HEAD_NAMES.layerNormBeta, tf.tensor1d(values.beta ?? new Array(S).fill(0))],
      [SPAN_HEAD_NAMES.outputKernel, tf.tensor2d(values.output.map((w) => [w]))],
      [SPAN_HEAD_NAMES.outputBias, tf.tensor1d([values.outputBias])],
    ]),
  );
}

/** Plain-JS reference of one span's reader score. */
function referenceScore(x: number[][], s: number, e: number, K: number[][], bias: number[], gamma: number[], beta: number[], out: number[], outBias: number): number {
  const S = gamma.length;
  const project = (row: number[], unit: number): number => row.reduce((sum, v, i) => sum + v * K[i][unit], bias[unit]);
  const hidden = Array.from({ length: S }, (_, u) => Math.max(0, project(x[s], u) + project(x[e], S + u)));
  const mean = hidden.reduce((a, b) => a + b, 0) / S;
  const variance = hidden.reduce((a, b) => a + (b - mean) ** 2, 0) / S;
  const normed = hidden.map((h, u) => ((h - mean) / Math.sqrt(variance + 1e-3)) * gamma[u] + beta[u]);
  return normed.reduce((sum, h, u) => sum + h * out[u], outBias);
}

describe('span candidates', () => {
  test('width-major order, as span_candidates builds them', () => {
    const { starts, ends } = spanCandidates(4, 2);
    expect(Array.from(starts)).toEqual([0, 1, 2, 3, 0, 1, 2]);
    expect(Array.from(ends)).toEqual([0, 1, 2, 3, 1, 2, 3]);
  });

  test('320 positions and width 10 give 3155 candidates (orqa-spec §1.4)', () => {
    expect(numSpanCandidates(320, 10)).toBe(3155);
    expect(spanCandidates(320, 10).starts.length).toBe(3155);
    expect(numSpanCandidates(3, 10)).toBe(6);
  });

  test('spanCandidateIndex inverts the candidate list and rejects non-candidates', () => {
    const { starts, ends } = spanCandidates(9, 4);
    for (let c = 0; c < starts.length; c++) expect(spanCandidateIndex(starts[c], ends[c], 9, 4)).toBe(c);
    expect(spanCandidateIndex(0, 4, 9, 4)).toBe(-1); // width 5
    expect(spanCandidateIndex(3, 2, 9, 4)).toBe(-1); // reversed
    expect(spanCandidateIndex(7, 9, 9, 4)).toBe(-1); // past the end
  });
});

describe('span scorer', () => {
  test('a hand-worked span score: LayerNorm(ReLU(Ps + Pe)) with eps 1e-3, plus the retrieval score', () => {
    // Position 0 = [1, 0], position 1 = [0, 2]; the kernel sends x0 to start unit 0 and x1 to end unit 1.
    const head = fixedHead(2, 2, { projection: [[1, 0, 0, 0], [0, 0, 0, 1]], output: [2, 3], outputBias: 0.5 });
    const sequence = tf.tensor3d([[[1, 0], [0, 2], [5, 5]]]);
    const blockMask = tf.tensor2d([[1, 1, 0]], undefined, 'int32');
    const before = tf.memory().numTensors;
    const candidates = spanCandidates(3, 2);
    const logits = spanLogits(head, sequence, blockMask, tf.tensor1d([0.25]), candidates);
    expect(tf.memory().numTensors).toBe(before + 2); // the logits and the retrieval-score input
    expect(logits.shape).toEqual([1, 5]);
    const values = logits.dataSync();
    // Span (0, 1) is candidate 3: Ps[0] + Pe[1] = [1, 2] → LayerNorm [−0.5, 0.5]/√(0.25 + 0.001)
    // = ±0.998006 → 2·(−0.998006) + 3·0.998006 + 0.5 = 1.498006, + 0.25 retrieval.
    expect(spanCandidateIndex(0, 1, 3, 2)).toBe(3);
    expect(values[3]).toBeCloseTo(1.748006, 5);
    // Spans touching position 2 (block_mask 0) get −10000.
    expect(values[2]).toBeLessThan(-9000);
    expect(values[4]).toBeLessThan(-9000);
    // Span (0, 0): Ps[0] + Pe[0] = [1, 0] → ±0.998006 reversed → 2·0.998006 − 3·0.998006 + 0.5 + 0.25.
    expect(values[0]).toBeCloseTo(-0.998006 + 0.75, 5);
    tf.dispose([logits, sequence, blockMask]);
    disposeSpanHead(head);
  });

  test('random weights agree with a plain-JS reference for every span', () => {
    const rng = createRng(3);
    const H = 3;
    const S = 4;
    const T = 5;
    const r = (): number => rng.next() * 2 - 1;
    const K = Array.from({ length: H }, () => Array.from({ length: 2 * S }, r));
    const bias = Array.from({ length: 2 * S }, r);
    const gamma = Array.from({ length: S }, r);
    const beta = Array.from({ length: S }, r);
    const out = Array.from({ length: S }, r);
    const x = Array.from({ length: T }, () => Array.from({ length: H }, r));
    const head = fixedHead(H, S, { projection: K, projectionBias: bias, gamma, beta, output: out, outputBias: 0.1 });
    const candidates = spanCandidates(T, 3);
    const sequence = tf.tensor3d([x]);
    const scores = spanReaderScores(head, sequence, candidates);
    const values = scores.dataSync();
    for (let c = 0; c < candidates.starts.length; c++) {
      expect(values[c]).toBeCloseTo(referenceScore(x, candidates.starts[c], candidates.ends[c], K, bias, gamma, beta, out, 0.1), 4);
    }
    tf.dispose([scores, sequence]);
    disposeSpanHead(head);
  });

  test('on a tiny BERT (BERT_PRESETS.test): [N, C] logits from [N, T, H], no leaks', () => {
    const rng = createRng(5);
    const reader = createBertModel(BERT_PRESETS.test, { rng, heads: { pooler: false, maskedLm: false } });
    const head = createSpanHead({ inputSize: 32, hiddenSize: 8, layerNormEpsilon: 1e-3, initializerRange: 0.02 }, rng);
    expect(head.variables.get(SPAN_HEAD_NAMES.projectionKernel)!.shape).toEqual([32, 16]);
    expect(head.variables.get(SPAN_HEAD_NAMES.outputKernel)!.shape).toEqual([8, 1]);
    const ids = tf.tensor2d([[2, 5, 3, 7, 8, 9, 3], [2, 6, 3, 10, 11, 3, 0]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0]], undefined, 'int32');
    const blockMask = tf.tensor2d([[0, 0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 0, 0]], undefined, 'int32');
    const retrieval = tf.tensor1d([1.5, -2]);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => {
      const { sequenceOutput } = bertForward(reader, { inputIds: ids, inputMask: mask });
      return spanLogits(head, sequenceOutput, blockMask, retrieval, spanCandidates(7, 10));
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(logits.shape).toEqual([2, numSpanCandidates(7, 10)]);
    // Valid spans of row 0 are those inside positions 3..5: 3 + 2 + 1 = 6 of them.
    const values = logits.arraySync() as number[][];
    expect(values[0].filter((v) => v > -5000)).toHaveLength(6);
    expect(values[1].filter((v) => v > -5000)).toHaveLength(3);
    tf.dispose([logits, ids, mask, blockMask, retrieval]);
    disposeSpanHead(head);
    disposeBertModel(reader);
  });

  test('spanHeadFromTensors names the bad variable', () => {
    const tensors = new Map<string, tf.Tensor>([[SPAN_HEAD_NAMES.projectionKernel, tf.zeros([3, 5])]]);
    expect(() => spanHeadFromTensors({ inputSize: 3, hiddenSize: 2, layerNormEpsilon: 1e-3 }, tensors)).toThrow(
      'span head: variable "dense/kernel" has shape [3,5], expected [3,4]',
    );
    tf.dispose([...tensors.values()]);
  });
});
