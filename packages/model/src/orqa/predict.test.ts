import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shutdownMipsWorkers } from '@realm/mips';
import { createRng } from '@realm/tokenizer';
import {
  disposeOrqaModel,
  embedQuestions,
  evaluateOrqa,
  loadOrqaModel,
  ORQA_MODEL_FILES,
  orqaForward,
  OrqaTrainer,
  predictOrqa,
  prepareOrqaBatch,
  restoreOrqaTrainer,
  saveOrqaModel,
  spanAnswerText,
  type OrqaConfigInput,
  type OrqaModel,
} from './index.js';
import { WORLD_BLOCKS, WORLD_ORQA_CONFIG, WorldBlocks, worldExample, worldIndex, worldOrqaModel, worldTitleExample } from './test/orqa-world.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'orqa-predict-'));
});
afterAll(async () => {
  await shutdownMipsWorkers();
  await rm(dir, { recursive: true, force: true });
});

const CONFIG: OrqaConfigInput = { ...WORLD_ORQA_CONFIG, recallAtK: [1, 3], learningRate: 1e-2, numWarmupSteps: 2 };

function worldModel(seed: number): OrqaModel {
  return worldOrqaModel(CONFIG, seed);
}

describe('answer text', () => {
  test('a gold span maps back to the original tokens (a two-wordpiece title comes back whole)', () => {
    const blocks = new WorldBlocks();
    const block = blocks.readerInputs(worldTitleExample(0), 0);
    // "who wrote oak ##s ?" is 5 wordpieces, so the block "ann wrote oak ##s ." starts at 7.
    expect(block.goldSpans).toEqual([[9, 10]]);
    expect(spanAnswerText(block, 9, 10)).toEqual({ text: 'Oaks', originalStart: 2, originalEnd: 2 });
    // Punctuation is its own original token, joined with a space as ORQA's reduce_join does.
    expect(spanAnswerText(block, 8, 11).text).toBe('wrote Oaks .');
    expect(() => spanAnswerText(block, 0, 1)).toThrow('ORQA prediction: span [0, 1] maps to original tokens [-1, -1] of 4');
  });
});

describe('predictOrqa and evaluateOrqa', () => {
  test('the prediction is the arg-max span of the read blocks, with consistent text and scores; no leaks', async () => {
    const model = worldModel(21);
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const examples = [worldExample(2), worldTitleExample(4)];
    await predictOrqa(model, examples, index, blocks); // warms tfjs caches before counting tensors
    const before = tf.memory().numTensors;
    const predictions = await predictOrqa(model, examples, index, blocks);
    expect(tf.memory().numTensors).toBe(before);
    // An independent pass over the same retrieval: the best logit per question.
    const batch = await prepareOrqaBatch(model, examples, index, blocks, { numRetrieved: 2, numRead: 2 }, { training: false });
    const outputs = orqaForward(model, batch, blocks, { training: false });
    const logits = outputs.readerLogits.arraySync() as number[][][];
    tf.dispose(outputs);
    predictions.forEach((prediction, b) => {
      expect(prediction.question).toBe(examples[b].question);
      expect(prediction.score).toBeCloseTo(Math.max(...logits[b].flat()), 5);
      expect(prediction.blockId).toBe(batch.blockIds[b * 2 + prediction.blockRank]);
      expect(prediction.score).toBeCloseTo(prediction.readerScore + prediction.retrievalScore, 5);
      const block = blocks.readerInputs(examples[b], prediction.blockId);
      expect(prediction.answer).toBe(spanAnswerText(block, prediction.start, prediction.end).text);
      // Whole original tokens of the block, space-joined.
      expect(block.originalTokens!.map((t) => t.text).join(' ')).toContain(prediction.answer);
    });
    disposeOrqaModel(model);
  });

  test('evaluateOrqa: recall@k from the search, token-level and official exact match agree on this world', async () => {
    const model = worldModel(23);
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const examples = WORLD_BLOCKS.map((_, i) => worldExample(i));
    const results = await evaluateOrqa(model, examples, index, blocks);
    const embeddings = embedQuestions(model, examples, { training: false });
    const { ids } = await index.search(embeddings.dataSync() as Float32Array, 3);
    embeddings.dispose();
    results.forEach((result, i) => {
      const top = Array.from(ids.subarray(i * 3, i * 3 + 3));
      expect(result.recall[1], `question ${i}`).toBe(top[0] === i);
      expect(result.recall[3], `question ${i}`).toBe(top.includes(i));
      // The answer occurs once, in block i only: a gold span exists iff block i is read.
      expect(result.readerOracle).toBe(top.slice(0, 2).includes(i));
      expect(result.officialExactMatch).toBe(result.exactMatch);
    });
    disposeOrqaModel(model);
  });
});

describe('saveOrqaModel / loadOrqaModel / restoreOrqaTrainer', () => {
  test('a saved model predicts exactly as the original; the trainer resumes exactly', async () => {
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const examples = [worldExample(0), worldExample(1)];
    const model = worldModel(25);
    const trainer = new OrqaTrainer(model, index, blocks, createRng(26));
    await trainer.step(examples);
    await trainer.step(examples);
    const before = tf.memory().numTensors;
    const path = join(dir, 'model');
    await saveOrqaModel(path, model, { trainer, extra: { devExactMatch: 0.5 } });
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await loadOrqaModel(path);
    expect(loaded.file.globalStep).toBe(2);
    expect(loaded.file.extra).toEqual({ devExactMatch: 0.5 });
    expect(loaded.model.config).toEqual(model.config);
    expect(await predictOrqa(loaded.model, examples, index, blocks)).toEqual(await predictOrqa(model, examples, index, blocks));
    disposeOrqaModel(loaded.model);
    expect(tf.memory().numTensors).toBe(before);

    const restored = await restoreOrqaTrainer(path, index, blocks);
    expect(restored.trainer.globalStep).toBe(2);
    const next = await trainer.step(examples);
    const resumed = await restored.trainer.step(examples);
    expect(resumed.loss).toBeCloseTo(next.loss, 5);
    expect(resumed.learningRate).toBe(next.learningRate);
    expect(resumed.globalNorm).toBeCloseTo(next.globalNorm, 4);
    restored.trainer.dispose();
    disposeOrqaModel(restored.model);
    trainer.dispose();
    disposeOrqaModel(model);
  });

  test('bad files are named; a model saved without a trainer cannot be resumed', async () => {
    const model = worldModel(27);
    const path = join(dir, 'no-trainer');
    await saveOrqaModel(path, model);
    disposeOrqaModel(model);
    await expect(restoreOrqaTrainer(path, worldIndex(createRng(1)), new WorldBlocks())).rejects.toThrow(`${path}: no trainer state (trainer.ckpt)`);
    await writeFile(join(path, ORQA_MODEL_FILES.config), JSON.stringify({ format: 'realm-ts/orqa-model', formatVersion: 1, globalStep: null, config: { readerSeqLen: 2 }, extra: null }));
    await expect(loadOrqaModel(path)).rejects.toThrow(new RegExp(`${join(path, 'orqa_config.json')}: invalid ORQA model config[\\s\\S]*readerSeqLen`));
  });
});
