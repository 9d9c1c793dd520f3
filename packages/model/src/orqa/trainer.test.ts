import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shutdownMipsWorkers } from '@realm/mips';
import { createRng } from '@realm/tokenizer';
import {
  createOrqaModel,
  disposeOrqaModel,
  numSpanCandidates,
  ORQA_DROPOUT_SEED_NAME,
  orqaForward,
  OrqaTrainer,
  prepareOrqaBatch,
  spanCandidateIndex,
  type OrqaConfigInput,
  type OrqaModel,
} from './index.js';
import { stepRandomSource } from '../realm/step-random.js';
import { WORLD_BLOCKS, WORLD_ORQA_CONFIG, WorldBlocks, worldEmbedder, worldExample, worldIndex, worldOrqaModel, worldReader, worldTitleExample } from './test/orqa-world.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => shutdownMipsWorkers());

const CONFIG: OrqaConfigInput = { ...WORLD_ORQA_CONFIG, learningRate: 3e-3, numWarmupSteps: 0 };

function worldModel(seed: number, overrides: OrqaConfigInput = {}, dropout = 0.1): OrqaModel {
  return worldOrqaModel({ ...CONFIG, ...overrides }, seed, dropout);
}

describe('prepareOrqaBatch and orqaForward', () => {
  test('retrieval, labels and output shapes for a batch of two questions', async () => {
    const model = worldModel(1);
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const trainer = new OrqaTrainer(model, index, blocks, createRng(2));
    const examples = [worldExample(0), worldTitleExample(3)];
    const batch = await trainer.prepare(examples);
    expect(batch.numRetrieved).toBe(4);
    expect(batch.blockIds).toHaveLength(8);
    // HasAnswer: "Ann" is only in block 0, "Dee"'s title "Yew"... question 1 asks for TITLES[3] = "Firs", only in block 3.
    for (let i = 0; i < 8; i++) {
      const b = Math.floor(i / 4);
      expect(batch.retrievalCorrect[i]).toBe(batch.blockIds[i] === (b === 0 ? 0 : 3) ? 1 : 0);
    }
    // Reader labels: the answer's gold span in its block, none elsewhere. "Firs" = fir ##s, two wordpieces.
    const T = batch.readerLength;
    const C = numSpanCandidates(T, 3);
    expect(batch.readerCorrect).toHaveLength(2 * 2 * C);
    for (let n = 0; n < 4; n++) {
      const id = batch.blockIds[Math.floor(n / 2) * 4 + (n % 2)];
      const gold = batch.readerBlocks[n].goldSpans;
      const marked = Array.from(batch.readerCorrect.subarray(n * C, (n + 1) * C)).flatMap((v, i) => (v ? [i] : []));
      if (n < 2 && id === 0) expect(gold.length).toBe(1);
      if (n >= 2 && id === 3) expect(gold.map(([s, e]) => e - s)).toEqual([1]);
      expect(marked).toEqual(gold.map(([s, e]) => spanCandidateIndex(s, e, T, 3)));
    }
    const before = tf.memory().numTensors;
    const outputs = orqaForward(model, batch, blocks, { training: true, rng: stepRandomSource(77, 0) });
    expect(outputs.questionEmbeddings.shape).toEqual([2, 6]);
    expect(outputs.retrievalLogits.shape).toEqual([2, 4]);
    expect(outputs.readerLogits.shape).toEqual([2, 2, C]);
    tf.dispose(outputs);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    disposeOrqaModel(model);
  });

  test('with dropout, the search and the recomputed logits see the same h_q when given the same stream', async () => {
    const model = worldModel(11);
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const examples = [worldExample(0), worldExample(5)];
    const options = (): { training: boolean; rng: ReturnType<typeof stepRandomSource> } => ({ training: true, rng: stepRandomSource(13, 4) });
    const batch = await prepareOrqaBatch(model, examples, index, blocks, { numRetrieved: 6, numRead: 1 }, options());
    const outputs = orqaForward(model, batch, blocks, options());
    // The recomputed logits are the search's scores: non-increasing along each row (exact search over the whole index).
    const { scores } = await index.search(outputs.questionEmbeddings.dataSync() as Float32Array, 6);
    const logits = outputs.retrievalLogits.dataSync();
    for (let i = 0; i < 12; i++) expect(logits[i]).toBeCloseTo(scores[i], 4);
    for (let i = 0; i < 12; i++) if (i % 6 > 0) expect(logits[i]).toBeLessThanOrEqual(logits[i - 1] + 1e-4);
    tf.dispose(outputs);
    disposeOrqaModel(model);
  });
});

describe('OrqaTrainer', () => {
  test('gradients reach the question encoder, the reader and the span head; the document side stays frozen', async () => {
    // Every block read, so both losses are active.
    const model = worldModel(3, { retrieverBeamSize: 6, readerBeamSize: 6 });
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const trainer = new OrqaTrainer(model, index, blocks, createRng(4));
    const batch = await trainer.prepare([worldExample(1), worldExample(2)]);
    const { loss, retrievalLoss, readerLoss, gradients } = trainer.computeGradients(batch);
    const norm = (name: string): number => tf.tidy(() => tf.norm(gradients.get(name)!).dataSync()[0]);
    for (const name of ['embedder/bert/encoder/layer_0/attention/self/query/kernel', 'embedder/projection/dense/kernel', 'reader/module/bert/encoder/layer_0/output/dense/kernel', 'reader/dense/kernel', 'reader/dense_1/kernel', 'reader/layer_normalization/gamma']) {
      expect(norm(name), name).toBeGreaterThan(0);
    }
    expect([...gradients.keys()].some((name) => name.startsWith('doc_embedder/'))).toBe(false);
    expect(loss.dataSync()[0]).toBeCloseTo(retrievalLoss.dataSync()[0] + readerLoss.dataSync()[0], 5);
    tf.dispose([loss, retrievalLoss, readerLoss, ...gradients.values()]);
    trainer.dispose();
    disposeOrqaModel(model);
  });

  test('step: metrics, the warmup rate, no tensor leaks; a few steps reduce the loss', async () => {
    // Dropout off so the loss curve is not noise; lr 1e-2 for a visible drop in a dozen steps.
    const model = worldModel(5, { numWarmupSteps: 4, learningRate: 1e-2 }, 0);
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const trainer = new OrqaTrainer(model, index, blocks, createRng(6));
    const examples = WORLD_BLOCKS.map((_, i) => worldExample(i));
    const first = await trainer.step(examples);
    expect(first.step).toBe(0);
    expect(first.learningRate).toBe(0); // BERT's warmup starts at rate 0
    const before = tf.memory().numTensors;
    const second = await trainer.step(examples);
    expect(tf.memory().numTensors).toBe(before);
    expect(second.step).toBe(1);
    expect(second.learningRate).toBeCloseTo(1e-2 / 4, 12);
    for (const key of ['loss', 'retrievalLoss', 'readerLoss', 'globalNorm'] as const) expect(Number.isFinite(second[key]), key).toBe(true);
    expect(second.loss).toBeCloseTo(second.retrievalLoss + second.readerLoss, 5);
    // 4 of 6 blocks retrieved per question: recall in the top c is a multiple of 1/6.
    expect(Math.round(second.recallInTopC * 6)).toBeCloseTo(second.recallInTopC * 6, 5);
    let last = second;
    for (let s = 0; s < 12; s++) last = await trainer.step(examples);
    expect(last.loss).toBeLessThan(first.loss * 0.6);
    expect(last.retrievalLoss).toBeLessThan(first.retrievalLoss);
    trainer.dispose();
    disposeOrqaModel(model);
  });

  test('trainDocumentEmbedder: the document embedder gets gradients and its own prefix', async () => {
    const model = worldModel(7, { trainDocumentEmbedder: true });
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const trainer = new OrqaTrainer(model, index, blocks, createRng(8));
    const batch = await trainer.prepare([worldExample(4)]);
    const result = trainer.computeGradients(batch);
    const name = 'doc_embedder/projection/dense/kernel';
    expect(tf.tidy(() => tf.norm(result.gradients.get(name)!).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([result.loss, result.retrievalLoss, result.readerLoss, ...result.gradients.values()]);
    const before = tf.memory().numTensors;
    await trainer.step([worldExample(4)]);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    disposeOrqaModel(model);
  });

  test('createOrqaModel rejects a missing document embedder and an oversized reader input', () => {
    const rng = createRng(9);
    const parts = () => ({ questionEmbedder: worldEmbedder(rng), reader: worldReader(rng) });
    const a = parts();
    expect(() => createOrqaModel({ ...CONFIG, trainDocumentEmbedder: true }, a, rng)).toThrow('trainDocumentEmbedder is set, so a documentEmbedder');
    const b = parts();
    expect(() => createOrqaModel({ ...CONFIG, readerSeqLen: 64 }, b, rng)).toThrow("readerSeqLen 64 exceeds the reader's max_position_embeddings 20");
    for (const p of [a, b]) for (const m of [p.questionEmbedder, p.reader]) m.variables.forEach((v) => v.dispose());
  });
});

describe('questionEmbedderLearningRateMultiplier', () => {
  test('0 freezes the question encoder while the reader and span head still move', async () => {
    const model = worldModel(5, { questionEmbedderLearningRateMultiplier: 0, numWarmupSteps: 0 });
    const trainer = new OrqaTrainer(model, worldIndex(createRng(99)), new WorldBlocks(), createRng(6));
    const snapshot = (name: string): Float32Array => trainer.trainedVariables.get(name)!.dataSync() as Float32Array;
    const encoderBefore = snapshot('embedder/bert/encoder/layer_0/output/dense/kernel');
    const readerBefore = snapshot('reader/module/bert/encoder/layer_0/output/dense/kernel');
    await trainer.step([worldExample(0), worldExample(1)]);
    expect(snapshot('embedder/bert/encoder/layer_0/output/dense/kernel')).toEqual(encoderBefore);
    expect(snapshot('reader/module/bert/encoder/layer_0/output/dense/kernel')).not.toEqual(readerBefore);
    trainer.dispose();
    disposeOrqaModel(model);
  });
});

describe('OrqaTrainer.exportState / importState', () => {
  const blocks = new WorldBlocks();
  const index = worldIndex(createRng(99));
  const examples = [worldExample(0), worldExample(3)];
  const values = (trainer: OrqaTrainer): Map<string, Float32Array> =>
    new Map([...trainer.trainedVariables].map(([name, variable]) => [name, variable.dataSync() as Float32Array]));

  test('a trainer that imports the state takes bit-for-bit the next step of the exporting one (dropout on); nothing leaks', async () => {
    // trainDocumentEmbedder so the state spans all four parts.
    const model = worldModel(31, { trainDocumentEmbedder: true });
    const trainer = new OrqaTrainer(model, index, blocks, createRng(32));
    await trainer.step(examples);
    await trainer.step(examples);
    // Other initial weights and another dropout seed: only the import can make the two agree.
    const other = worldModel(41, { trainDocumentEmbedder: true });
    const resumed = new OrqaTrainer(other, index, blocks, createRng(42));
    expect(values(resumed).get('reader/dense/kernel')).not.toEqual(values(trainer).get('reader/dense/kernel'));

    const before = tf.memory().numTensors;
    const state = trainer.exportState();
    const variableNames = [...trainer.trainedVariables.keys()];
    expect(variableNames.some((name) => name.startsWith('doc_embedder/'))).toBe(true);
    expect(new Set(state.keys())).toEqual(
      new Set([...variableNames, ...variableNames.flatMap((name) => [`${name}/adam_m`, `${name}/adam_v`]), 'global_step', ORQA_DROPOUT_SEED_NAME]),
    );
    resumed.importState(state);
    tf.dispose([...state.values()]);
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.globalStep).toBe(2);
    expect(values(resumed)).toEqual(values(trainer));

    const next = await trainer.step(examples);
    const resumedNext = await resumed.step(examples);
    expect(resumedNext).toEqual(next);
    expect(values(resumed)).toEqual(values(trainer));
    for (const t of [trainer, resumed]) t.dispose();
    disposeOrqaModel(model);
    disposeOrqaModel(other);
  });

  test('importState names a missing, misshaped or unexpected tensor and changes nothing then', async () => {
    const model = worldModel(33);
    const trainer = new OrqaTrainer(model, index, blocks, createRng(34));
    await trainer.step(examples);
    const target = new OrqaTrainer(worldModel(35), index, blocks, createRng(36));
    const untouched = values(target);
    const state = trainer.exportState();
    const kernel = 'reader/dense/kernel';
    const without = (name: string): Map<string, tf.Tensor> => new Map([...state].filter(([key]) => key !== name));
    const wrongShape = tf.zeros([1, 1]);
    const extra = tf.zeros([1]);
    expect(() => target.importState(without(kernel))).toThrow(`OrqaTrainer.importState: missing variable "${kernel}"`);
    expect(() => target.importState(new Map([...state, [kernel, wrongShape]]))).toThrow(
      `OrqaTrainer.importState: "${kernel}" has shape [1,1], the model has [${trainer.trainedVariables.get(kernel)!.shape}]`,
    );
    expect(() => target.importState(new Map([...state, ['reader/extra', extra]]))).toThrow('OrqaTrainer.importState: unexpected tensor "reader/extra"');
    expect(() => target.importState(without(ORQA_DROPOUT_SEED_NAME))).toThrow(`OrqaTrainer.importState: missing scalar "${ORQA_DROPOUT_SEED_NAME}"`);
    expect(() => target.importState(without(`${kernel}/adam_v`))).toThrow(`AdamWeightDecayOptimizer.importState: missing "${kernel}/adam_v"`);
    expect(target.globalStep).toBe(0);
    expect(values(target)).toEqual(untouched);

    // The optimizer-only pair (saveOrqaModel's trainer.ckpt) holds no variable and accepts none.
    const optimizerState = trainer.exportOptimizerState();
    expect([...optimizerState.keys()].filter((name) => trainer.trainedVariables.has(name))).toEqual([]);
    expect(optimizerState.size).toBe(state.size - trainer.trainedVariables.size);
    expect(() => target.importState(optimizerState)).toThrow('OrqaTrainer.importState: missing variable');
    expect(() => target.importOptimizerState(state)).toThrow(`OrqaTrainer.importOptimizerState: unexpected tensor "${[...trainer.trainedVariables.keys()][0]}"`);
    target.importOptimizerState(optimizerState);
    expect(target.globalStep).toBe(1);
    expect(values(target)).toEqual(untouched);
    tf.dispose([...state.values(), ...optimizerState.values(), wrongShape, extra]);
    for (const t of [trainer, target]) {
      t.dispose();
      disposeOrqaModel(t.model);
    }
  });
});
