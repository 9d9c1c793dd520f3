import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeCheckpoint, type TensorToWrite } from '@realm/data';
import { createRng } from '@realm/tokenizer';
import { TINY_DIMS, tinyRealmConfig } from '../../test/tiny-realm.js';
import { toyBatch } from '../../test/toy-world.js';
import { listFiles } from '../test/list-files.js';
import { createRealmModel, disposeRealmModel, DROPOUT_SEED_NAME, RealmTrainer, restoreRealmTrainer, saveRealmCheckpoint } from './index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'realm-checkpoint-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/**
 * Builds `path` exactly as saveRealmCheckpoint wrote it before its I/O was shared with the ORQA
 * models: realm.ckpt with global_step and the seed as int64 scalars and everything else float32,
 * in exportState order, and config.json as two-space JSON plus "\n".
 */
async function writeOldLayout(path: string, trainer: RealmTrainer, extra: unknown): Promise<void> {
  await mkdir(path);
  const state = trainer.exportState();
  const tensors = [...state].map(([name, tensor]): [string, TensorToWrite] => [
    name,
    name === 'global_step' || name === DROPOUT_SEED_NAME
      ? { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(tensor.dataSync()[0])) }
      : { dtype: 'float32', shape: tensor.shape, data: tensor.dataSync() as Float32Array },
  ]);
  tf.dispose([...state.values()]);
  await writeCheckpoint(join(path, 'realm.ckpt'), tensors);
  const config = {
    format: 'realm-ts/realm-checkpoint',
    formatVersion: 1,
    globalStep: trainer.globalStep,
    model: trainer.model.config,
    trainer: { ...trainer.options, excludeFromWeightDecay: [...trainer.options.excludeFromWeightDecay] },
    extra,
  };
  await writeFile(join(path, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

describe('saveRealmCheckpoint on-disk layout', () => {
  test('is byte-identical to the layout written before the shared checkpoint I/O, and such a directory still restores exactly', async () => {
    const batches = [toyBatch(createRng(20), 4, TINY_DIMS), toyBatch(createRng(21), 4, TINY_DIMS)];
    const model = createRealmModel(tinyRealmConfig({ shareEmbedders: false }), createRng(3));
    const trainer = new RealmTrainer(model, { learningRate: 1e-2, numTrainSteps: 20, numWarmupSteps: 1 }, createRng(4));
    trainer.step(batches[0]);
    const oldPath = join(dir, 'old');
    const newPath = join(dir, 'new');
    await writeOldLayout(oldPath, trainer, { run: 'layout' });
    await saveRealmCheckpoint(newPath, trainer, { run: 'layout' });
    const layout = ['config.json', 'realm.ckpt.data-00000-of-00001', 'realm.ckpt.index'];
    expect(await listFiles(oldPath)).toEqual(layout);
    expect(await listFiles(newPath)).toEqual(layout);
    for (const file of layout) expect(await readFile(join(newPath, file)), file).toEqual(await readFile(join(oldPath, file)));

    const restored = await restoreRealmTrainer(oldPath);
    expect(restored.trainer.step(batches[1])).toEqual(trainer.step(batches[1]));
    for (const t of [trainer, restored.trainer]) t.dispose();
    disposeRealmModel(model);
    disposeRealmModel(restored.model);
  });
});
