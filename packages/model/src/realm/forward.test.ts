import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bertMaskedLm } from '@realm/bert';
import { createRng } from '@realm/tokenizer';
import { TINY_DIMS, tinyRealmConfig } from '../../test/tiny-realm.js';
import { toyBatch, TOY_VOCAB_SIZE } from '../../test/toy-world.js';
import { createRealmModel, disposeRealmModel, embedDocumentBatches, embedQueries, realmForward, stackRealmBatch, type RealmModel } from './index.js';

const B = 2;
const { querySeqLen: Q, candidateSeqLen: C, numCandidates: K, maxMasks: M } = TINY_DIMS;
let model: RealmModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createRealmModel(tinyRealmConfig(), createRng(7));
});
afterAll(() => disposeRealmModel(model));

describe('realmForward', () => {
  test('shapes, and scores/logits equal independent per-candidate computations', async () => {
    const batch = toyBatch(createRng(3), B, TINY_DIMS);
    const out = realmForward(model, batch, { training: false });
    expect(out.queryEmbeddings.shape).toEqual([B, 6]);
    expect(out.candidateEmbeddings.shape).toEqual([B, K, 6]);
    expect(out.retrievalScores.shape).toEqual([B, K]);
    expect(out.mlmLogits.shape).toEqual([B, K, M, TOY_VOCAB_SIZE]);
    const scores = await out.retrievalScores.data();
    const logits = await out.mlmLogits.data();
    tf.dispose(out);

    // Reference path 1: the inference embedders, then a plain-JS dot product.
    const queries = embedQueries(model, {
      tokenIds: Int32Array.from(batch.flatMap((e) => [...e.queryInputs.tokenIds])),
      mask: Int32Array.from(batch.flatMap((e) => [...e.queryInputs.mask])),
      segmentIds: Int32Array.from(batch.flatMap((e) => [...e.queryInputs.segmentIds])),
    }, B, Q);
    const docs = batch.flatMap((e) => Array.from({ length: K }, (_, k) => ({
      tokenIds: e.candidateInputs.tokenIds.slice(k * C, (k + 1) * C),
      mask: e.candidateInputs.mask.slice(k * C, (k + 1) * C),
      segmentIds: e.candidateInputs.segmentIds.slice(k * C, (k + 1) * C),
    })));
    const documents = await embedDocumentBatches(model.documentEmbedder, docs, { batchSize: 4, seqLen: C });
    expect(documents.length).toBe(B * K * 6);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        let dot = 0;
        for (let d = 0; d < 6; d++) dot += queries[b * 6 + d] * documents[(b * K + k) * 6 + d];
        expect(scores[b * K + k]).toBeCloseTo(dot, 5);
      }
    }
    // Reference path 2: the reader's `mlm` signature on one joint input (b = 1, k = 2).
    const L = Q + C;
    const single = tf.tidy(() => bertMaskedLm(model.reader, {
      inputIds: tf.tensor2d(batch[1].jointInputs.tokenIds.slice(2 * L, 3 * L), [1, L], 'int32'),
      inputMask: tf.tensor2d(batch[1].jointInputs.mask.slice(2 * L, 3 * L), [1, L], 'int32'),
      tokenTypeIds: tf.tensor2d(batch[1].jointInputs.segmentIds.slice(2 * L, 3 * L), [1, L], 'int32'),
    }, tf.tensor2d(batch[1].mlmPositions, [1, M], 'int32')));
    const expected = await single.data();
    single.dispose();
    const offset = (1 * K + 2) * M * TOY_VOCAB_SIZE;
    for (let i = 0; i < M * TOY_VOCAB_SIZE; i++) expect(logits[offset + i]).toBeCloseTo(expected[i], 5);
  });

  test('is deterministic at inference, differs with dropout, and leaks nothing', () => {
    const batch = toyBatch(createRng(4), B, TINY_DIMS);
    const before = tf.memory().numTensors;
    const a = realmForward(model, batch, { training: false });
    const b = realmForward(model, batch, { training: false });
    const c = realmForward(model, batch, { training: true, rng: createRng(5) });
    expect(a.retrievalScores.arraySync()).toEqual(b.retrievalScores.arraySync());
    expect(a.retrievalScores.arraySync()).not.toEqual(c.retrievalScores.arraySync());
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a batch with a wrong leaf length fails naming the example and field, without leaking', () => {
    const batch = toyBatch(createRng(4), B, TINY_DIMS);
    batch[1] = { ...batch[1], mlmTargets: new Int32Array(3) };
    const before = tf.memory().numTensors;
    expect(() => stackRealmBatch(batch, TINY_DIMS)).toThrow('REALM batch example 1: mlmTargets has 3 values, expected 2');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('embedding for retrieval', () => {
  test('embedDocumentBatches: batch size does not change the rows, progress is reported, nothing leaks', async () => {
    const docs = toyBatch(createRng(6), 3, TINY_DIMS).flatMap((e) => Array.from({ length: K }, (_, k) => ({
      tokenIds: e.candidateInputs.tokenIds.slice(k * C, (k + 1) * C),
      mask: e.candidateInputs.mask.slice(k * C, (k + 1) * C),
      segmentIds: e.candidateInputs.segmentIds.slice(k * C, (k + 1) * C),
    })));
    async function* stream(): AsyncGenerator<(typeof docs)[number]> {
      yield* docs;
    }
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const byFour = await embedDocumentBatches(model.documentEmbedder, stream(), { batchSize: 4, seqLen: C, onProgress: (n) => progress.push(n) });
    const byOne = await embedDocumentBatches(model.documentEmbedder, docs, { batchSize: 1, seqLen: C });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([4, 8, 9]);
    expect(byFour.length).toBe(9 * 6);
    for (let i = 0; i < byFour.length; i++) expect(byFour[i]).toBeCloseTo(byOne[i], 5);
    // The projection ends in LayerNorm with gamma 1, beta 0 at init: every row has mean 0 and variance ≈ 1.
    const row = Array.from(byFour.slice(0, 6));
    expect(row.reduce((s, v) => s + v, 0) / 6).toBeCloseTo(0, 5);
    await expect(embedDocumentBatches(model.documentEmbedder, [{ tokenIds: new Int32Array(3), mask: new Int32Array(3), segmentIds: new Int32Array(3) }], { batchSize: 2, seqLen: C }))
      .rejects.toThrow('embedDocumentBatches: document 0: tokenIds has 3 values, expected 1 × 7 = 7');
  });

  test('embedQueries checks lengths and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const zeros = new Int32Array(2 * Q);
    expect(embedQueries(model, { tokenIds: zeros, mask: zeros, segmentIds: zeros }, 2, Q).length).toBe(12);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => embedQueries(model, { tokenIds: zeros, mask: zeros, segmentIds: zeros }, 3, Q)).toThrow('embedQueries: tokenIds has 10 values, expected 3 × 5 = 15');
  });
});
