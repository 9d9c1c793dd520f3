import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '@realm/tokenizer';
import { TINY_DIMS, tinyRealmConfig } from '../../test/tiny-realm.js';
import { toyBatch } from '../../test/toy-world.js';
import { disposeRealmBatch, stackRealmBatch } from './batch.js';
import { createRealmModel, disposeRealmModel, loadRealmCheckpoint, RealmTrainer, restoreRealmTrainer, saveRealmCheckpoint, stepRandomSource } from './index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'realm-trainer-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const OPTIONS = { learningRate: 1e-2, numTrainSteps: 20, numWarmupSteps: 2 };

async function norm(tensor: tf.Tensor): Promise<number> {
  const value = tf.tidy(() => tf.norm(tensor));
  const [n] = await value.data();
  value.dispose();
  return n;
}

async function snapshot(trainer: RealmTrainer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, variable] of trainer.trainedVariables) out.set(name, (await variable.data()) as Float32Array);
  return out;
}

describe('RealmTrainer', () => {
  test.each([true, false])('gradients reach the embedder(s) and the reader (shareEmbedders %s)', async (share) => {
    const model = createRealmModel(tinyRealmConfig({ shareEmbedders: share }), createRng(1));
    const trainer = new RealmTrainer(model, OPTIONS, createRng(2));
    const inputs = stackRealmBatch(toyBatch(createRng(3), 4, TINY_DIMS), TINY_DIMS);
    const { loss, gradients, kept } = trainer.computeGradients(inputs, createRng(4));
    const names = [
      'embedder/bert/encoder/layer_0/attention/self/query/kernel',
      'embedder/projection/dense/kernel',
      'reader/bert/encoder/layer_0/output/dense/kernel',
      'reader/cls/predictions/transform/dense/kernel',
      'reader/bert/embeddings/word_embeddings',
    ];
    if (!share) names.push('doc_embedder/bert/encoder/layer_0/attention/self/query/kernel', 'doc_embedder/projection/dense/kernel');
    // At initialization every candidate reads alike, so r(z) (and the retriever gradient) is small but non-zero.
    for (const name of names) expect(await norm(gradients.get(name)!), name).toBeGreaterThan(0);
    // The reader has no pooler and the embedders no MLM head: nothing else appears.
    expect([...gradients.keys()].every((n) => trainer.trainedVariables.has(n))).toBe(true);
    tf.dispose([loss, ...gradients.values(), ...Object.values(kept)]);
    disposeRealmBatch(inputs);
    trainer.dispose();
    disposeRealmModel(model);
  });

  test('step: metrics as numbers, the warmup rate, no leaks; evaluate leaves weights alone', async () => {
    const model = createRealmModel(tinyRealmConfig(), createRng(1));
    const trainer = new RealmTrainer(model, OPTIONS, createRng(2));
    const rng = createRng(3);
    trainer.step(toyBatch(rng, 4, TINY_DIMS)); // warms tfjs caches before counting tensors
    const before = tf.memory().numTensors;
    const metrics = trainer.step(toyBatch(rng, 4, TINY_DIMS));
    expect(tf.memory().numTensors).toBe(before);
    expect(metrics.step).toBe(1);
    expect(metrics.learningRate).toBeCloseTo(1e-2 * 1 / 2, 10);
    for (const key of ['loss', 'retrievalUtility', 'accuracyWithRetrieval', 'accuracyNullDocument', 'globalNorm'] as const) {
      expect(Number.isFinite(metrics[key]), key).toBe(true);
    }
    // An untrained reader over a toy vocabulary: loss near log(V)·(something), certainly positive.
    expect(metrics.loss).toBeGreaterThan(0);
    expect(trainer.globalStep).toBe(2);
    const weights = await snapshot(trainer);
    const evalMetrics = trainer.evaluate(toyBatch(rng, 4, TINY_DIMS));
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(evalMetrics).sort()).toEqual(['accuracyNullDocument', 'accuracyWithRetrieval', 'loss', 'retrievalUtility']);
    expect(await snapshot(trainer)).toEqual(weights);
    expect(trainer.globalStep).toBe(2);
    trainer.dispose();
    disposeRealmModel(model);
  });

  test('overfitting one batch: the loss falls and retrieval becomes useful (utility > 0)', () => {
    const dims = { ...TINY_DIMS, numCandidates: 2 };
    const model = createRealmModel(tinyRealmConfig({ numCandidates: 2 }), createRng(1));
    const trainer = new RealmTrainer(model, { learningRate: 3e-3, numTrainSteps: 40, numWarmupSteps: 0, weightDecayRate: 0 }, createRng(2));
    const batch = toyBatch(createRng(3), 8, dims);
    const first = trainer.evaluate(batch);
    for (let i = 0; i < 40; i++) trainer.step(batch);
    const last = trainer.evaluate(batch);
    expect(last.loss).toBeLessThan(first.loss - 0.5);
    // Only the matching document holds the value, so reading it must beat reading nothing.
    expect(last.retrievalUtility).toBeGreaterThan(0);
    trainer.dispose();
    disposeRealmModel(model);
  });

  test('embedderLearningRateMultiplier 0 freezes the embedder while the reader moves', async () => {
    const model = createRealmModel(tinyRealmConfig(), createRng(1));
    const trainer = new RealmTrainer(model, { ...OPTIONS, numWarmupSteps: 0, embedderLearningRateMultiplier: 0 }, createRng(2));
    const before = await snapshot(trainer);
    trainer.step(toyBatch(createRng(3), 4, TINY_DIMS));
    const after = await snapshot(trainer);
    expect(after.get('embedder/projection/dense/kernel')).toEqual(before.get('embedder/projection/dense/kernel'));
    expect(after.get('reader/cls/predictions/transform/dense/kernel')).not.toEqual(before.get('reader/cls/predictions/transform/dense/kernel'));
    trainer.dispose();
    disposeRealmModel(model);
  });
});

describe('checkpoints', () => {
  test('a trainer restored at step n takes bit-for-bit the step n+1 of an uninterrupted run (dropout on)', async () => {
    const batches = Array.from({ length: 3 }, (_, i) => toyBatch(createRng(10 + i), 4, TINY_DIMS));
    const model = createRealmModel(tinyRealmConfig({ shareEmbedders: false }), createRng(1));
    const trainer = new RealmTrainer(model, OPTIONS, createRng(2));
    trainer.step(batches[0]);
    trainer.step(batches[1]);
    const path = join(dir, 'ckpt-2');
    await saveRealmCheckpoint(path, trainer, { run: 'test' });
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
    const uninterrupted = trainer.step(batches[2]);
    const uninterruptedWeights = await snapshot(trainer);

    const restored = await restoreRealmTrainer(path);
    expect(restored.config.extra).toEqual({ run: 'test' });
    expect(restored.config.globalStep).toBe(2);
    expect(restored.trainer.globalStep).toBe(2);
    const resumed = restored.trainer.step(batches[2]);
    expect(resumed).toEqual(uninterrupted);
    expect(await snapshot(restored.trainer)).toEqual(uninterruptedWeights);

    // A different dropout stream would have given a different step: the seed is really restored.
    const { state } = await loadRealmCheckpoint(path);
    expect(state.get('global_step')!.dataSync()[0]).toBe(2);
    expect(state.has('doc_embedder/projection/dense/kernel/adam_m')).toBe(true);
    tf.dispose([...state.values()]);
    for (const t of [trainer, restored.trainer]) t.dispose();
    disposeRealmModel(model);
    disposeRealmModel(restored.model);
  });

  test('loading a checkpoint whose config is damaged names the file', async () => {
    const path = join(dir, 'missing');
    await expect(loadRealmCheckpoint(path)).rejects.toThrow(`${join(path, 'config.json')}: cannot read the REALM checkpoint config`);
  });

  test('stepRandomSource depends only on (seed, step)', () => {
    const draw = (seed: number, step: number): number[] => {
      const rng = stepRandomSource(seed, step);
      return [rng.next(), rng.next(), rng.next()];
    };
    expect(draw(5, 3)).toEqual(draw(5, 3));
    expect(draw(5, 3)).not.toEqual(draw(5, 4));
    expect(draw(5, 3)).not.toEqual(draw(6, 3));
    expect(draw(5, 3).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
