import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BertConfigSchema, createBertModel, disposeBertModel, type BertModel } from '@realm/bert';
import { createRng, packCandidate, packQuery } from '@realm/tokenizer';
import { evaluateIctInBatch, ictLogits, ictLoss, ictRecallAtK, IctConfigSchema, makeIctExample, packBertSegments, sampleIctBatch, trainIct, type IctBlock } from './index.js';

const IDS = { cls: 1, sep: 2 };
const VOCAB = 60;
const owned: BertModel[] = [];
afterEach(() => owned.splice(0).forEach(disposeBertModel));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function embedder(seed: number, hidden = 16): BertModel {
  const model = createBertModel(
    BertConfigSchema.parse({ vocab_size: VOCAB, hidden_size: hidden, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 2 * hidden, max_position_embeddings: 16, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }),
    { rng: createRng(seed), heads: { projection: { size: 8, dropoutProb: 0 } } },
  );
  owned.push(model);
  return model;
}

/**
 * `count` blocks of 3 two-token sentences over ids 10…59, each block with a distinctive token
 * (10 + i) in every sentence, so a sentence identifies its block even when cut out of it.
 */
function syntheticBlocks(count: number, seed: number): IctBlock[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => ({
    titleIds: [3 + (i % 5)],
    sentences: Array.from({ length: 3 }, () => [10 + i, 10 + count + Math.floor(rng.next() * (VOCAB - 10 - count))]),
  }));
}

describe('ICT examples', () => {
  test('packBertSegments matches the tokenizer packing (bert_utils.pad_or_truncate[_pair])', () => {
    const rng = createRng(1);
    for (let trial = 0; trial < 20; trial++) {
      const title = Array.from({ length: Math.floor(rng.next() * 6) }, () => 5 + Math.floor(rng.next() * 50));
      const body = Array.from({ length: Math.floor(rng.next() * 12) }, () => 5 + Math.floor(rng.next() * 50));
      const pair = packCandidate(title, body, IDS, 10);
      expect(packBertSegments([title, body], 10, IDS)).toEqual({ tokenIds: pair.tokenIds, mask: pair.inputMask, segmentIds: pair.segmentIds });
      const single = packQuery(body, IDS, 7);
      expect(packBertSegments([body], 7, IDS)).toEqual({ tokenIds: single.tokenIds, mask: single.inputMask, segmentIds: single.segmentIds });
    }
  });

  test('a masked example removes the sentence from its block; an unmasked one keeps it', () => {
    const block: IctBlock = { titleIds: [7], sentences: [[11, 12], [13], [14, 15]] };
    // rng draws: sentence index floor(0.5·3) = 1, then the mask decision.
    const draws = (values: number[]) => ({ next: () => values.shift()! });
    const masked = makeIctExample(block, draws([0.5, 0.2]), { querySeqLen: 4, blockSeqLen: 10, maskRate: 0.9, ids: IDS })!;
    expect(masked.masked).toBe(true);
    expect(Array.from(masked.query.tokenIds)).toEqual([1, 13, 2, 0]);
    expect(Array.from(masked.block.tokenIds)).toEqual([1, 7, 2, 11, 12, 14, 15, 2, 0, 0]);
    expect(Array.from(masked.block.segmentIds)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 0, 0]);
    const kept = makeIctExample(block, draws([0.5, 0.95]), { querySeqLen: 4, blockSeqLen: 10, maskRate: 0.9, ids: IDS })!;
    expect(kept.masked).toBe(false);
    expect(Array.from(kept.block.tokenIds)).toEqual([1, 7, 2, 11, 12, 13, 14, 15, 2, 0]);
    // ORQA drops a masked single-sentence block.
    expect(makeIctExample({ titleIds: [7], sentences: [[11]] }, draws([0, 0.1]), { querySeqLen: 4, blockSeqLen: 10, maskRate: 0.9, ids: IDS })).toBeNull();
  });

  test('queryMaskProb turns pseudo-query pieces into [MASK], one draw per kept piece, after the two ORQA draws', () => {
    const block: IctBlock = { titleIds: [7], sentences: [[11, 12, 16, 17], [13]] };
    const ids = { ...IDS, mask: 4 };
    const draws = (values: number[]) => ({ next: () => values.shift()! });
    // sentence floor(0.1·2) = 0, mask decision 0.95 (kept); then pieces 11, 12 (querySeqLen 4 keeps two): 0.1 → [MASK], 0.5 → kept.
    const example = makeIctExample(block, draws([0.1, 0.95, 0.1, 0.5]), { querySeqLen: 4, blockSeqLen: 10, maskRate: 0.9, queryMaskProb: 0.3, ids })!;
    expect(Array.from(example.query.tokenIds)).toEqual([1, 4, 12, 2]);
    // The block keeps the original sentence.
    expect(Array.from(example.block.tokenIds)).toEqual([1, 7, 2, 11, 12, 16, 17, 13, 2, 0]);
    // Default 0: ORQA's two draws only, the sentence as it is.
    const plain = makeIctExample(block, draws([0.1, 0.95]), { querySeqLen: 4, blockSeqLen: 10, maskRate: 0.9, ids })!;
    expect(Array.from(plain.query.tokenIds)).toEqual([1, 11, 12, 2]);
    expect(() => makeIctExample(block, draws([0.1, 0.95]), { querySeqLen: 4, blockSeqLen: 10, maskRate: 0.9, queryMaskProb: 0.3, ids: IDS })).toThrow(
      'makeIctExample: queryMaskProb > 0 needs ids.mask (the [MASK] id)',
    );
    // Over many draws about queryMaskProb of the pieces are masked.
    const rng = createRng(8);
    let masked = 0, pieces = 0;
    for (let i = 0; i < 2000; i++) {
      const query = makeIctExample(block, rng, { querySeqLen: 6, blockSeqLen: 10, maskRate: 0, queryMaskProb: 0.15, ids })!.query;
      for (let t = 1; t < 6 && query.tokenIds[t] !== IDS.sep && query.mask[t] === 1; t++, pieces++) if (query.tokenIds[t] === 4) masked++;
    }
    expect(masked / pieces).toBeGreaterThan(0.13);
    expect(masked / pieces).toBeLessThan(0.17);
  });

  test('batches use distinct blocks and mask about 90% of queries', () => {
    const blocks = syntheticBlocks(40, 2);
    const rng = createRng(3);
    let masked = 0;
    for (let i = 0; i < 50; i++) {
      const batch = sampleIctBatch(blocks, 20, rng, { querySeqLen: 4, blockSeqLen: 12, maskRate: 0.9, ids: IDS });
      expect(new Set(batch.blockIndices).size).toBe(20);
      expect(batch.queries.tokenIds.length).toBe(20 * 4);
      masked += batch.masked.reduce((a, b) => a + b, 0);
    }
    expect(masked / 1000).toBeGreaterThan(0.86);
    expect(masked / 1000).toBeLessThan(0.94);
    expect(() => sampleIctBatch(blocks.slice(0, 3), 4, rng, { querySeqLen: 4, blockSeqLen: 12, maskRate: 0.9, ids: IDS })).toThrow('at least that many blocks, got 3');
  });
});

describe('ICT objective', () => {
  test('ictLoss is the mean cross-entropy with the diagonal as labels (hand-computed)', () => {
    const logits = tf.tensor2d([[2, 0], [1, 3]]);
    const loss = ictLoss(logits);
    const expected = (Math.log(Math.exp(2) + 1) - 2 + (Math.log(Math.exp(1) + Math.exp(3)) - 3)) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 6);
    tf.dispose([logits, loss]);
  });

  test('ictLogits is [B, B] of query·block and leaks nothing', () => {
    const model = embedder(4);
    const batch = sampleIctBatch(syntheticBlocks(10, 5), 6, createRng(6), { querySeqLen: 4, blockSeqLen: 12, maskRate: 0.9, ids: IDS });
    const before = tf.memory().numTensors;
    const logits = ictLogits({ query: model, block: model }, batch);
    expect(logits.shape).toEqual([6, 6]);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a hundred ICT steps lift in-batch accuracy well above chance and recall@1 over all blocks', async () => {
    const blocks = syntheticBlocks(24, 7);
    const model = embedder(8, 16);
    const config = { querySeqLen: 4, blockSeqLen: 12, batchSize: 8, learningRate: 2e-3, numTrainSteps: 100, numWarmupSteps: 5, dropoutInTraining: false, ids: IDS };
    const before = await evaluateIctInBatch(model, blocks, { ...config, numBatches: 4 }, createRng(9));
    const reports: number[] = [];
    const result = await trainIct(model, blocks, config, createRng(10), (r) => reports.push(r.step));
    expect(result.steps).toBe(100);
    expect(reports).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const after = await evaluateIctInBatch(model, blocks, { ...config, numBatches: 4 }, createRng(9));
    // Chance is 1/8.
    expect(after.accuracy).toBeGreaterThan(0.45);
    expect(after.accuracy).toBeGreaterThan(before.accuracy + 0.25);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]);
    const recall = await ictRecallAtK(model, blocks, { ks: [1, 24], numQueries: 24, querySeqLen: 4, blockSeqLen: 12, ids: IDS }, createRng(11));
    expect(recall.recall.get(24)).toBe(1);
    expect(recall.recall.get(1)!).toBeGreaterThan(3 / 24);
  });

  test('from random init, embedder dropout swamps the in-batch scores (why the CPU recipe trains ICT without it)', () => {
    // A 128-d LayerNormed projection, as REALM's: a score spans ±128. At BERT's init every input
    // embeds to nearly the same vector, so without dropout the loss is chance (log B); dropout
    // alone moves the scores by several nats, which is what kept ICT at chance on the built-in world.
    const config = BertConfigSchema.parse({ vocab_size: VOCAB, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 16 });
    const model = createBertModel(config, { rng: createRng(21), heads: { projection: { size: 128 } } });
    owned.push(model);
    const B = 16;
    const batch = sampleIctBatch(syntheticBlocks(24, 7), B, createRng(4), { querySeqLen: 4, blockSeqLen: 12, maskRate: 0.9, ids: IDS });
    const lossOf = (training: boolean): number =>
      tf.tidy(() => ictLoss(ictLogits({ query: model, block: model }, batch, { training, rng: createRng(5) })).dataSync()[0]);
    expect(Math.abs(lossOf(false) - Math.log(B))).toBeLessThan(0.05);
    expect(lossOf(true)).toBeGreaterThan(Math.log(B) + 2);
  });

  test('defaults follow ORQA', () => {
    expect(IctConfigSchema.parse({})).toMatchObject({ querySeqLen: 64, blockSeqLen: 288, maskRate: 0.9, batchSize: 4096, learningRate: 1e-4, numTrainSteps: 100000 });
  });
});
