import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CheckpointReader, writeCheckpoint } from '@realm/data';
import { z } from 'zod';
import { readJsonFile, readStateCheckpoint, restoreTrainerState, writeJsonFile, writeStateCheckpoint } from './checkpoint-io.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'checkpoint-io-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('writeStateCheckpoint / readStateCheckpoint', () => {
  test('counters are stored as TF int64 scalars and read back as int32; float32 values round-trip exactly', async () => {
    const prefix = join(dir, 'state.ckpt');
    const state = new Map<string, tf.Tensor>([
      ['a/kernel', tf.tensor2d([0.1, -2.5, 3e-8, 7], [2, 2])],
      ['global_step', tf.scalar(41, 'int32')],
      ['seed', tf.scalar(2147483647, 'int32')],
    ]);
    await writeStateCheckpoint(prefix, state, ['global_step', 'seed'], 'test');
    const reader = await CheckpointReader.open(prefix);
    const stored = await Promise.all(['a/kernel', 'global_step', 'seed'].map((name) => reader.read(name)));
    await reader.close();
    expect(stored.map((t) => t.dtype)).toEqual(['float32', 'int64', 'int64']);
    expect(stored[1].values).toEqual(BigInt64Array.of(41n));
    expect(stored[2].values).toEqual(BigInt64Array.of(2147483647n));

    const before = tf.memory().numTensors;
    const read = await readStateCheckpoint(prefix, 'a test checkpoint');
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(read.get('a/kernel')!.dtype).toBe('float32');
    expect(read.get('a/kernel')!.shape).toEqual([2, 2]);
    expect(read.get('a/kernel')!.dataSync()).toEqual(state.get('a/kernel')!.dataSync());
    expect(read.get('global_step')!.dtype).toBe('int32');
    expect(read.get('global_step')!.dataSync()[0]).toBe(41);
    expect(read.get('seed')!.dataSync()[0]).toBe(2147483647);
    tf.dispose([...state.values(), ...read.values()]);
  });

  test('a non-counter tensor that is not float32 is refused, naming the owner and the tensor', async () => {
    const state = new Map<string, tf.Tensor>([['ids', tf.tensor1d([1, 2], 'int32')]]);
    await expect(writeStateCheckpoint(join(dir, 'bad.ckpt'), state, [], 'saveThing')).rejects.toThrow('saveThing: state tensor "ids" is int32, expected float32');
    tf.dispose([...state.values()]);
  });

  test('reading a checkpoint with another dtype names the index file and the tensor and leaves nothing allocated', async () => {
    const prefix = join(dir, 'int32.ckpt');
    await writeCheckpoint(prefix, [
      ['a', { dtype: 'float32', shape: [1], data: Float32Array.of(1) }],
      ['b', { dtype: 'int32', shape: [1], data: Int32Array.of(1) }],
    ]);
    const before = tf.memory().numTensors;
    await expect(readStateCheckpoint(prefix, 'a test checkpoint')).rejects.toThrow(`${prefix}.index: tensor "b" is int32; a test checkpoint holds float32 and int64 only`);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('writeJsonFile / readJsonFile', () => {
  const Schema = z.strictObject({ name: z.string(), count: z.int().default(3) });

  test('writes two-space JSON with a final newline and reads it back through the schema', async () => {
    const path = join(dir, 'ok.json');
    await writeJsonFile(path, { name: 'x' });
    expect(await readFile(path, 'utf8')).toBe('{\n  "name": "x"\n}\n');
    expect(await readJsonFile(path, Schema, 'test config')).toEqual({ name: 'x', count: 3 });
  });

  test('a missing, malformed or invalid file is named with what it should hold', async () => {
    const missing = join(dir, 'missing.json');
    await expect(readJsonFile(missing, Schema, 'test config')).rejects.toThrow(`${missing}: cannot read the test config (ENOENT`);
    const malformed = join(dir, 'malformed.json');
    await writeFile(malformed, '{"name":');
    await expect(readJsonFile(malformed, Schema, 'test config')).rejects.toThrow(`${malformed}: cannot read the test config (`);
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, '{"name": 1}');
    await expect(readJsonFile(invalid, Schema, 'test config')).rejects.toThrow(new RegExp(`${invalid}: invalid test config\\n[\\s\\S]*name`));
  });
});

describe('restoreTrainerState', () => {
  /** A stand-in trainer that records what happened to it. */
  class FakeTrainer {
    disposed = false;
    imported: number[] = [];
    dispose(): void {
      this.disposed = true;
    }
  }

  test('imports the state into the new trainer and frees the state', async () => {
    const before = tf.memory().numTensors;
    let modelDisposed = false;
    const trainer = await restoreTrainerState('/ckpt', 'fake trainer', {
      readState: async () => new Map([['x', tf.scalar(5)]]),
      createTrainer: () => new FakeTrainer(),
      importState: (t, state) => t.imported.push(state.get('x')!.dataSync()[0]),
      disposeModel: () => (modelDisposed = true),
    });
    expect(trainer.imported).toEqual([5]);
    expect([trainer.disposed, modelDisposed]).toEqual([false, false]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a failed import frees the trainer, the model and the state and names the directory', async () => {
    const before = tf.memory().numTensors;
    const created: FakeTrainer[] = [];
    let modelDisposed = false;
    const failure = restoreTrainerState('/ckpt', 'fake trainer', {
      readState: async () => new Map([['x', tf.scalar(5)]]),
      createTrainer: () => {
        created.push(new FakeTrainer());
        return created[0];
      },
      importState: () => {
        throw new Error('missing "y"');
      },
      disposeModel: () => (modelDisposed = true),
    });
    await expect(failure).rejects.toThrow('/ckpt: cannot restore the fake trainer: missing "y"');
    expect(created[0].disposed).toBe(true);
    expect(modelDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a failed read frees the model before any trainer is built', async () => {
    let modelDisposed = false;
    let built = false;
    const failure = restoreTrainerState('/ckpt', 'fake trainer', {
      readState: async () => {
        throw new Error('/ckpt/trainer.ckpt.index: bad CRC');
      },
      createTrainer: () => {
        built = true;
        return new FakeTrainer();
      },
      importState: () => undefined,
      disposeModel: () => (modelDisposed = true),
    });
    await expect(failure).rejects.toThrow('/ckpt: cannot restore the fake trainer: /ckpt/trainer.ckpt.index: bad CRC');
    expect([built, modelDisposed]).toEqual([false, true]);
  });
});
