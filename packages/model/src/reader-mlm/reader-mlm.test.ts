import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BertConfigSchema, createBertModel, disposeBertModel, type BertModel } from '@realm/bert';
import { sampleReaderMlmBatch, type SentenceBlock } from '@realm/data';
import { createRng } from '@realm/tokenizer';
import { maskedLmAccuracy, readerMlmForward, ReaderMlmConfigSchema, trainReaderMlm } from './index.js';

// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4; words from 10 up.
const VOCAB = { cls: 2, sep: 3, mask: 4, size: 40, specialIds: [0, 1, 2, 3, 4] };
const DIMS = { querySeqLen: 6, candidateSeqLen: 10, maxMasks: 2 };
const owned: BertModel[] = [];
afterEach(() => owned.splice(0).forEach(disposeBertModel));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

function reader(seed: number, heads: { maskedLm?: boolean } = { maskedLm: true }): BertModel {
  const model = createBertModel(
    BertConfigSchema.parse({ vocab_size: 40, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 16, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }),
    { rng: createRng(seed), heads },
  );
  owned.push(model);
  return model;
}

/** Blocks whose two sentences say the same thing: a word of the first is the word 10 above it in the second. */
function pairedBlocks(count: number): SentenceBlock[] {
  return Array.from({ length: count }, (_, i) => ({ sentences: [[10 + (i % 10)], [20 + (i % 10)]] }));
}

describe('reader masked-LM warm start', () => {
  test('readerMlmForward: the loss is the weighted mean cross-entropy of the logits at the positions (hand reduction)', () => {
    const model = reader(1);
    const batch = sampleReaderMlmBatch(pairedBlocks(10), 4, createRng(2), { ...DIMS, maskProb: 0.15, sentenceRemovalRate: 0.5, vocab: VOCAB });
    const before = tf.memory().numTensors;
    const { loss, logits } = readerMlmForward(model, batch, DIMS.maxMasks);
    const logProbsTensor = tf.logSoftmax(logits);
    const logProbs = logProbsTensor.arraySync() as number[][][];
    logProbsTensor.dispose();
    let sum = 0;
    let weight = 0;
    for (let b = 0; b < 4; b++) {
      for (let m = 0; m < DIMS.maxMasks; m++) {
        const w = batch.weights[b * DIMS.maxMasks + m];
        sum -= w * logProbs[b][m][batch.targets[b * DIMS.maxMasks + m]];
        weight += w;
      }
    }
    expect(loss.dataSync()[0]).toBeCloseTo(sum / (weight + 1e-5), 5);
    expect(logits.shape).toEqual([4, DIMS.maxMasks, 40]);
    tf.dispose([loss, logits]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('training learns to read the answer from the second segment, is seeded, and leaks nothing', async () => {
    // Sentence 0 ([10+i]) is always masked (one piece); with removal rate 0 the body holds it, so
    // copying from segment 1 is the only way past chance (1/10 among the ten words).
    const blocks = pairedBlocks(10).map((block) => ({ sentences: [block.sentences[0]] }));
    const options = { ...DIMS, batchSize: 16, learningRate: 3e-3, numWarmupSteps: 5, numTrainSteps: 150, sentenceRemovalRate: 0, adamBiasCorrection: true, dropoutInTraining: false, vocab: VOCAB };
    const model = reader(3);
    const before = tf.memory().numTensors;
    const result = await trainReaderMlm(model, blocks, options, createRng(4));
    expect(tf.memory().numTensors).toBe(before);
    expect(result.steps).toBe(150);
    const tail = result.accuracy.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(tail).toBeGreaterThan(0.6);
    // The same seed gives the same run, step for step.
    const first = await trainReaderMlm(reader(5), blocks, { ...options, numTrainSteps: 12 }, createRng(6));
    const second = await trainReaderMlm(reader(5), blocks, { ...options, numTrainSteps: 12 }, createRng(6));
    expect(second.losses).toEqual(first.losses);
    expect(first.losses).not.toEqual(result.losses.slice(0, 12));
    // Held-out check: a fresh batch scored after training.
    const batch = sampleReaderMlmBatch(blocks, 32, createRng(99), { ...DIMS, maskProb: 0.15, sentenceRemovalRate: 0, vocab: VOCAB });
    const { loss, logits } = readerMlmForward(model, batch, DIMS.maxMasks);
    expect(maskedLmAccuracy(logits, batch)).toBeGreaterThan(0.6);
    tf.dispose([loss, logits]);
  });

  test('errors name the problem; numTrainSteps 0 trains nothing', async () => {
    await expect(trainReaderMlm(reader(1, { maskedLm: false }), pairedBlocks(2), { ...DIMS, vocab: VOCAB }, createRng(1))).rejects.toThrow(/no masked-LM head/);
    await expect(trainReaderMlm(reader(1), pairedBlocks(2), { querySeqLen: 10, candidateSeqLen: 10, maxMasks: 2, vocab: VOCAB }, createRng(1))).rejects.toThrow(/20 exceeds the reader's max_position_embeddings 16/);
    expect((await trainReaderMlm(reader(1), pairedBlocks(2), { ...DIMS, numTrainSteps: 0, vocab: VOCAB }, createRng(1))).steps).toBe(0);
    // An abort stops training between steps (the bootstrap passes its program's signal).
    const controller = new AbortController();
    const stopped = await trainReaderMlm(reader(1), pairedBlocks(2), { ...DIMS, batchSize: 2, vocab: VOCAB, signal: controller.signal }, createRng(1), (report) => {
      if (report.step === 2) controller.abort();
    });
    expect(stopped.steps).toBe(3);
  });

  test("defaults follow BERT's run_pretraining.py", () => {
    const config = ReaderMlmConfigSchema.parse({});
    expect([config.maskProb, config.batchSize, config.learningRate, config.numTrainSteps, config.numWarmupSteps, config.weightDecayRate, config.clipNorm]).toEqual([0.15, 32, 5e-5, 100_000, 10_000, 0.01, 1.0]);
    expect(config.adamBiasCorrection).toBe(false);
  });
});
