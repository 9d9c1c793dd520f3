import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { saveBertModel } from '@realm/bert';
import { CheckpointReader, writeCheckpoint, type TensorToWrite } from '@realm/data';
import { shutdownMipsWorkers } from '@realm/mips';
import { createRng } from '@realm/tokenizer';
import { listFiles } from '../test/list-files.js';
import { disposeOrqaModel, ORQA_DROPOUT_SEED_NAME, OrqaTrainer, restoreOrqaTrainer, saveOrqaModel, type OrqaModel } from './index.js';
import { WORLD_ORQA_CONFIG, WorldBlocks, worldExample, worldIndex, worldOrqaModel } from './test/orqa-world.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'orqa-save-'));
});
afterAll(async () => {
  await shutdownMipsWorkers();
  await rm(dir, { recursive: true, force: true });
});

/** The files of a saved model with a trained document embedder and trainer state, as the format has always named them. */
const LAYOUT = [
  ...['doc_embedder', 'question_embedder', 'reader'].flatMap((part) =>
    ['bert_config.json', 'bert_model.ckpt.data-00000-of-00001', 'bert_model.ckpt.index', 'config.json'].map((file) => `${part}/${file}`),
  ),
  'orqa_config.json',
  'span_head.ckpt.data-00000-of-00001',
  'span_head.ckpt.index',
  'trainer.ckpt.data-00000-of-00001',
  'trainer.ckpt.index',
].sort();

/**
 * Builds `path` exactly as saveOrqaModel wrote it before its I/O was shared with the REALM
 * checkpoints: saveBertModel per part, the span head as float32 under "reader/", the trainer's
 * slots as float32 with global_step and the seed as int64 scalars, and two-space JSON plus "\n".
 */
async function writeOldLayout(path: string, model: OrqaModel, trainer: OrqaTrainer, extra: unknown): Promise<void> {
  await mkdir(path);
  await saveBertModel(join(path, 'question_embedder'), model.questionEmbedder);
  await saveBertModel(join(path, 'reader'), model.reader);
  await saveBertModel(join(path, 'doc_embedder'), model.documentEmbedder!);
  const float32 = (tensor: tf.Tensor): TensorToWrite => ({ dtype: 'float32', shape: tensor.shape, data: tensor.dataSync() as Float32Array });
  await writeCheckpoint(join(path, 'span_head.ckpt'), [...model.spanHead.variables].map(([name, variable]): [string, TensorToWrite] => [`reader/${name}`, float32(variable)]));
  const state = trainer.exportOptimizerState();
  const counters = ['global_step', ORQA_DROPOUT_SEED_NAME];
  const tensors = [...state].map(([name, tensor]): [string, TensorToWrite] => [
    name,
    counters.includes(name) ? { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(tensor.dataSync()[0])) } : float32(tensor),
  ]);
  tf.dispose([...state.values()]);
  await writeCheckpoint(join(path, 'trainer.ckpt'), tensors);
  const file = { format: 'realm-ts/orqa-model', formatVersion: 1, globalStep: trainer.globalStep, config: model.config, extra };
  await writeFile(join(path, 'orqa_config.json'), `${JSON.stringify(file, null, 2)}\n`);
}

describe('saveOrqaModel on-disk layout', () => {
  test('is byte-identical to the layout written before the shared checkpoint I/O, and such a directory still restores exactly', async () => {
    const blocks = new WorldBlocks();
    const index = worldIndex(createRng(99));
    const examples = [worldExample(2), worldExample(4)];
    const model = worldOrqaModel({ ...WORLD_ORQA_CONFIG, trainDocumentEmbedder: true, learningRate: 1e-2, numWarmupSteps: 1 }, 51);
    const trainer = new OrqaTrainer(model, index, blocks, createRng(52));
    await trainer.step(examples);
    const extra = { devExactMatch: 0.25 };
    const oldPath = join(dir, 'old');
    const newPath = join(dir, 'new');
    await writeOldLayout(oldPath, model, trainer, extra);
    await saveOrqaModel(newPath, model, { trainer, extra });

    expect(await listFiles(oldPath)).toEqual(LAYOUT);
    expect(await listFiles(newPath)).toEqual(LAYOUT);
    for (const file of LAYOUT) expect(await readFile(join(newPath, file)), file).toEqual(await readFile(join(oldPath, file)));
    // The counters really are TF int64 scalars (global_step as TF's own).
    const reader = await CheckpointReader.open(join(newPath, 'trainer.ckpt'));
    const step = await reader.read('global_step');
    await reader.close();
    expect(step.dtype).toBe('int64');
    expect(step.values).toEqual(BigInt64Array.of(1n));

    const restored = await restoreOrqaTrainer(oldPath, index, blocks);
    expect(restored.file.extra).toEqual(extra);
    const next = await trainer.step(examples);
    expect(await restored.trainer.step(examples)).toEqual(next);
    restored.trainer.dispose();
    disposeOrqaModel(restored.model);
    trainer.dispose();
    disposeOrqaModel(model);
  });
});
